import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyDocuments } from '../../../src/policy/document/index.js';
import { indent, publicKeyPem, refusal } from './document-fixtures.js';

// Line 1..5 of every document below; spec fields start on line 6.
const HEAD = 'apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: p\nspec:\n';
/** A policy whose first rule, named r, has `body` from line 8 (indented four spaces). */
const rule = (body: string): string => `${HEAD}  rules:\n  - name: r\n${body}`;
const OK_RULE = '  rules:\n  - name: r\n    reputation: {minScore: 1}\n';

interface Case {
  readonly what: string;
  readonly text: string;
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly code?: 'POLICY_INVALID' | 'POLICY_UNSUPPORTED';
  readonly document?: number;
}

const CASES: readonly Case[] = [
  { what: 'YAML syntax error', text: `${HEAD}  rules: [\n`, line: 7, column: 1, field: '' },
  { what: 'duplicate key', text: `${HEAD.replace('  name: p\n', '  name: p\n  name: q\n')}${OK_RULE}`, line: 5, column: 3, field: 'metadata.name' },
  { what: 'anchor', text: `${HEAD.replace('metadata:\n  name: p', 'metadata: &m {name: p}')}${OK_RULE}`, line: 3, column: 14, field: 'metadata' },
  { what: 'alias', text: rule('    reputation: &r {minScore: 1}\n  - name: s\n    reputation: *r\n'), line: 8, column: 20, field: 'spec.rules[0].reputation' },
  { what: 'explicit tag', text: rule('    expression: {cel: !!js/function "function () {}"}\n'), line: 8, column: 37, field: 'spec.rules[0].expression.cel' },
  { what: 'non-string key', text: `${HEAD.replace('  name: p\n', '  name: p\n  1: x\n')}${OK_RULE}`, line: 5, column: 3, field: 'metadata' },
  { what: 'unknown top-level field', text: `${HEAD}${OK_RULE}status: {}\n`, line: 9, column: 1, field: 'status' },
  {
    what: 'unknown nested field (a typo)',
    text: rule('    dependencies:\n      blocked:\n      - {ecosystem: deb, name: openssl, version: "<3.0.7"}\n'),
    line: 10,
    column: 41,
    field: 'spec.rules[0].dependencies.blocked[0].version',
  },
  { what: 'wrong type: string for an integer', text: rule(`    signature:\n      signers: [{keyless: {issuer: i, subject: s}}]\n      count: "2"\n`), line: 10, column: 14, field: 'spec.rules[0].signature.count' },
  { what: 'wrong type: YAML 1.1 boolean', text: rule('    vulnerabilities: {severity: LOW, fixedOnly: yes}\n'), line: 8, column: 49, field: 'spec.rules[0].vulnerabilities.fixedOnly' },
  { what: 'wrong type: string for pinDigests', text: `${HEAD}  pinDigests: "true"\n${OK_RULE}`, line: 6, column: 15, field: 'spec.pinDigests' },
  { what: 'wrong type: mapping for a sequence', text: `${HEAD}  match: {images: {a: b}}\n${OK_RULE}`, line: 6, column: 19, field: 'spec.match.images' },
  { what: 'missing spec.rules', text: `${HEAD}  mode: audit\n`, line: 6, column: 3, field: 'spec.rules' },
  { what: 'missing metadata.name', text: `${HEAD.replace('  name: p\n', '  annotations: {a: b}\n')}${OK_RULE}`, line: 4, column: 3, field: 'metadata.name' },
  { what: 'empty rules', text: `${HEAD}  rules: []\n`, line: 6, column: 10, field: 'spec.rules' },
  { what: 'two rule kinds in one rule', text: rule('    reputation: {minScore: 1}\n    expression: {cel: "true"}\n'), line: 9, column: 5, field: 'spec.rules[0].expression' },
  { what: 'a rule without a kind', text: rule('    action: warn\n'), line: 7, column: 5, field: 'spec.rules[0]' },
  { what: 'duplicate rule names', text: rule('    reputation: {minScore: 1}\n  - name: r\n    reputation: {minScore: 2}\n'), line: 9, column: 11, field: 'spec.rules[1].name' },
  { what: 'sandbox without action sandbox', text: rule('    sandbox: {runtimeClassName: gvisor}\n    reputation: {minScore: 1}\n'), line: 8, column: 5, field: 'spec.rules[0].sandbox' },
  { what: 'action sandbox without sandbox', text: rule('    action: sandbox\n    reputation: {minScore: 1}\n'), line: 7, column: 5, field: 'spec.rules[0].sandbox' },
  { what: 'sandbox granting privilege escalation', text: rule('    action: sandbox\n    sandbox: {allowPrivilegeEscalation: true}\n    reputation: {minScore: 1}\n'), line: 9, column: 41, field: 'spec.rules[0].sandbox.allowPrivilegeEscalation' },
  { what: 'bad image glob', text: `${HEAD}  match:\n    images: ["ghcr.io/acme/*", "ghcr.io/a b"]\n${OK_RULE}`, line: 7, column: 32, field: 'spec.match.images[1]' },
  { what: 'bad version range', text: rule('    dependencies:\n      blocked: [{ecosystem: deb, name: openssl, versions: "<<3"}]\n'), line: 9, column: 59, field: 'spec.rules[0].dependencies.blocked[0].versions' },
  { what: 'versions without ecosystem', text: rule('    dependencies:\n      blocked: [{name: openssl, versions: "<3"}]\n'), line: 9, column: 33, field: 'spec.rules[0].dependencies.blocked[0].versions' },
  { what: 'ecosystem without a version ordering', text: rule('    dependencies:\n      blocked: [{ecosystem: cargo, name: serde}]\n'), line: 9, column: 29, field: 'spec.rules[0].dependencies.blocked[0].ecosystem' },
  { what: 'CEL with an unknown variable', text: rule('    expression:\n      cel: pkgs.size() == 0\n'), line: 9, column: 12, field: 'spec.rules[0].expression.cel' },
  { what: 'CEL syntax error', text: rule("    expression: {cel: 'image.registry =='}\n"), line: 8, column: 23, field: 'spec.rules[0].expression.cel' },
  { what: 'duration with a fraction', text: rule('    attestation: {predicateTypes: [slsaprovenance1], maxAge: 1.5h}\n'), line: 8, column: 62, field: 'spec.rules[0].attestation.maxAge' },
  { what: 'unknown predicate type name', text: rule('    attestation: {predicateTypes: [slsa]}\n'), line: 8, column: 36, field: 'spec.rules[0].attestation.predicateTypes[0]' },
  {
    what: 'impossible date',
    text: rule('    vulnerabilities:\n      severity: LOW\n      ignore: [{id: CVE-2011-3374, owner: me, expires: "2027-02-30"}]\n'),
    line: 10,
    column: 56,
    field: 'spec.rules[0].vulnerabilities.ignore[0].expires',
  },
  { what: 'severity not upper case', text: rule('    vulnerabilities: {severity: high}\n'), line: 8, column: 33, field: 'spec.rules[0].vulnerabilities.severity' },
  { what: 'score out of range', text: rule('    reputation: {minScore: 101}\n'), line: 8, column: 28, field: 'spec.rules[0].reputation.minScore' },
  { what: 'count above the number of signers', text: rule(`    signature:\n      signers: [{keyless: {issuer: i, subject: s}}]\n      count: 2\n`), line: 10, column: 14, field: 'spec.rules[0].signature.count' },
  { what: 'issuer and issuerRegExp together', text: rule('    signature:\n      signers: [{keyless: {issuer: i, issuerRegExp: i, subject: s}}]\n'), line: 9, column: 39, field: 'spec.rules[0].signature.signers[0].keyless.issuerRegExp' },
  { what: 'keyless identity without a subject', text: rule('    signature:\n      signers: [{keyless: {issuer: i}}]\n'), line: 9, column: 27, field: 'spec.rules[0].signature.signers[0].keyless' },
  { what: 'bad regular expression', text: rule(`    signature:\n      signers: [{keyless: {issuer: i, subjectRegExp: "(acme"}}]\n`), line: 9, column: 54, field: 'spec.rules[0].signature.signers[0].keyless.subjectRegExp' },
  { what: 'key that is not PEM', text: `${HEAD}  attestors:\n  - key: not a key\n${OK_RULE}`, line: 7, column: 10, field: 'spec.attestors[0].key' },
  { what: 'key type src/crypto does not verify', text: `${HEAD}  attestors:\n  - key: |\n${indent(publicKeyPem('P-384'), 6)}\n${OK_RULE}`, line: 7, column: 10, field: 'spec.attestors[0].key', code: 'POLICY_UNSUPPORTED' },
  { what: 'In without values', text: `${HEAD}  match:\n    namespaceSelector:\n      matchExpressions: [{key: tier, operator: In}]\n${OK_RULE}`, line: 8, column: 26, field: 'spec.match.namespaceSelector.matchExpressions[0].values' },
  { what: 'namespace that is not a DNS label', text: `${HEAD}  match: {namespaces: [Prod]}\n${OK_RULE}`, line: 6, column: 24, field: 'spec.match.namespaces[0]' },
  { what: 'mode not known', text: `${HEAD}  mode: block\n${OK_RULE}`, line: 6, column: 9, field: 'spec.mode' },
  { what: 'unknown apiVersion', text: 'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n', line: 1, column: 13, field: 'apiVersion' },
  { what: 'kind not in provenant.dev/v1', text: `${HEAD.replace('ProvenancePolicy', 'Policy')}${OK_RULE}`, line: 2, column: 7, field: 'kind' },
  { what: 'a document that is not a mapping', text: '- apiVersion: provenant.dev/v1\n', line: 1, column: 1, field: '' },
  { what: 'policy name not DNS-1123', text: `${HEAD.replace('name: p', 'name: Prod_Images')}${OK_RULE}`, line: 4, column: 9, field: 'metadata.name' },
  { what: 'infinite number', text: rule('    reputation: {minScore: .inf}\n'), line: 8, column: 28, field: 'spec.rules[0].reputation.minScore' },
  { what: 'unpaired surrogate', text: rule('    message: "\\ud800"\n    reputation: {minScore: 1}\n'), line: 8, column: 14, field: 'spec.rules[0].message' },
  { what: 'YAML 1.1', text: `%YAML 1.1\n---\n${HEAD}${OK_RULE}`, line: 2, column: 1, field: '' },
  { what: 'error in the second document', text: `${HEAD}${OK_RULE}---\n${HEAD}  rules: 3\n`, line: 15, column: 10, field: 'spec.rules', document: 1 },
  { what: 'two documents with one name', text: `${HEAD}${OK_RULE}---\n${HEAD}${OK_RULE}`, line: 13, column: 9, field: 'metadata.name', document: 1 },
];

test(`refuses invalid documents with the line, column and field at fault (${CASES.length} cases)`, () => {
  assert.ok(CASES.length >= 25);
  for (const c of CASES) {
    const { code, details } = refusal(() => parsePolicyDocuments(c.text, 'policy.yaml'));
    assert.deepEqual(
      { code, line: details['line'], column: details['column'], field: details['field'], document: details['document'], origin: details['origin'] },
      { code: c.code ?? 'POLICY_INVALID', line: c.line, column: c.column, field: c.field, document: c.document ?? 0, origin: 'policy.yaml' },
      c.what,
    );
    assert.equal(typeof details['problem'], 'string', c.what);
  }
});
