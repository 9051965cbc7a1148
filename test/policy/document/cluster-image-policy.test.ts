import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { CelInput } from '@bufbuild/cel';
import { loadVerifier, SigningKey } from '../../../src/crypto/index.js';
import type { CelBindings } from '../../../src/policy/cel-program.js';
import { parsePolicyDocuments } from '../../../src/policy/document/index.js';
import { signerMatches } from '../../../src/policy/evaluate/signer-match.js';
import type { SignerFact } from '../../../src/policy/facts.js';
import type { Policy, SignerMatcher } from '../../../src/policy/policy.js';
import { indent, plainPolicy, publicKeyPem, refusal } from './document-fixtures.js';

function only(text: string): Policy {
  const policies = parsePolicyDocuments(text);
  assert.equal(policies.length, 1);
  return policies[0]!;
}

function cip(spec: string, apiVersion = 'policy.sigstore.dev/v1beta1'): string {
  return `apiVersion: ${apiVersion}\nkind: ClusterImagePolicy\nmetadata:\n  name: image-policy\nspec:\n${spec}`;
}

const ISSUER = 'https://token.actions.githubusercontent.com';

test('the ClusterImagePolicy of a typical security programme works verbatim, with the key id src/crypto gives the key', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const text = `apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: image-policy
spec:
  images:
  - glob: "registry.example.com/**"
  authorities:
  - key:
      data: |
${indent(pem, 8)}
`;
  const policy = only(text);
  const keyId = SigningKey.fromKeyObject(privateKey).keyId;
  assert.equal(loadVerifier(pem).keyId, keyId);
  assert.deepEqual(plainPolicy(policy), {
    name: 'image-policy',
    mode: 'enforce',
    match: { images: ['registry.example.com/**'], registries: [], namespaces: [], kinds: [] },
    attestors: [],
    rules: [
      {
        kind: 'signature',
        name: 'authorities',
        action: 'deny',
        signers: [{ kind: 'key', keyId, publicKey: loadVerifier(pem).publicKeyPem(), name: 'authority-0' }],
        count: 1,
      },
    ],
    origin: { format: 'ClusterImagePolicy', digest: policy.origin.digest },
  });
  assert.equal(policy.match.images[0]!.matchesImage('registry.example.com/team/app:1.0'), true);
  assert.equal(policy.match.images[0]!.matchesImage('ghcr.io/team/app:1.0'), false);
});

const signer = (issuer: string, subject: string): SignerFact => ({ keyId: 'sha256:00', publicKey: '', issuer, subject });

test('keyless identities match exactly, or by regular expressions anchored at both ends', () => {
  const policy = only(
    cip(`  mode: warn
  images: [{glob: "ghcr.io/acme/**"}]
  authorities:
  - name: release
    keyless:
      url: https://fulcio.sigstore.dev
      identities:
      - issuer: ${ISSUER}
        subject: https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main
  - keyless:
      identities:
      - issuerRegExp: 'https://token\\.actions\\.githubusercontent\\.com'
        subjectRegExp: acme
    ctlog: {url: https://rekor.sigstore.dev}
`),
  );
  assert.equal(policy.mode, 'warn');
  const rule = policy.rules[0]!;
  assert.ok(rule.kind === 'signature');
  assert.equal(rule.count, 1);
  const [exact, pattern] = rule.signers as [SignerMatcher, SignerMatcher];
  assert.deepEqual(exact, { kind: 'identity', issuer: ISSUER, subject: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main', name: 'release' });
  assert.equal(signerMatches(exact, signer(ISSUER, 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main')), true);
  assert.equal(signerMatches(exact, signer(ISSUER, 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/dev')), false);
  assert.equal(pattern.kind === 'identity' && pattern.name, 'authority-1');
  assert.equal(signerMatches(pattern, signer(ISSUER, 'acme')), true);
  assert.equal(signerMatches(pattern, signer(ISSUER, 'evil-acme')), false);
  assert.equal(signerMatches(pattern, signer(ISSUER, 'acme-evil')), false);
  assert.equal(signerMatches(pattern, signer(`${ISSUER}.evil.example`, 'acme')), false);
});

function bindings(signatures: CelInput[], attestations: CelInput[]): CelBindings {
  return { image: {}, build: null, packages: [], signatures, attestations, audits: [], vulnerabilities: [], reputation: {}, request: {}, now: '2024-06-01T00:00:00Z' };
}

test('authorities with attestations become one CEL rule: any authority, each of its attestations by it, none revoked', () => {
  const pem = publicKeyPem();
  const keyId = loadVerifier(pem).keyId;
  const policy = only(
    cip(`  images: [{glob: "**"}]
  authorities:
  - name: builder
    key:
      hashAlgorithm: sha256
      data: |
${indent(pem, 8)}
    attestations:
    - {name: provenance, predicateType: slsaprovenance1}
    - {name: scan, predicateType: "https://cosign.sigstore.dev/attestation/vuln/v1"}
  - keyless:
      identities: [{issuer: ${ISSUER}, subjectRegExp: 'https://github\\.com/acme/.*'}]
`),
  );
  const rule = policy.rules[0]!;
  assert.ok(rule.kind === 'expression');
  assert.equal(rule.name, 'authorities');
  assert.deepEqual(rule.program.variables, ['attestations', 'signatures']);
  const key = { keyId, issuer: '', subject: '', revoked: false };
  const slsa = { ...key, predicateType: 'https://slsa.dev/provenance/v1' };
  const vuln = { ...key, predicateType: 'https://cosign.sigstore.dev/attestation/vuln/v1' };
  const run = (s: CelInput[], a: CelInput[]): unknown => rule.program.evaluate(bindings(s, a));
  assert.deepEqual(run([], [slsa, vuln]), { ok: true, value: true });
  assert.deepEqual(run([key], [slsa]), { ok: true, value: false }, 'a signature alone does not satisfy an authority with attestations');
  assert.deepEqual(run([], [slsa, { ...vuln, revoked: true }]), { ok: true, value: false });
  assert.deepEqual(run([], [slsa, { ...vuln, keyId: 'sha256:other' }]), { ok: true, value: false });
  const ci = { keyId: 'sha256:ephemeral', issuer: ISSUER, subject: 'https://github.com/acme/app/.github/workflows/ci.yml@refs/heads/main', revoked: false };
  assert.deepEqual(run([ci], []), { ok: true, value: true });
  assert.deepEqual(run([{ ...ci, subject: 'https://github.com/acme-evil/x' }], []), { ok: true, value: false });
  assert.deepEqual(run([{ ...ci, revoked: true }], []), { ok: true, value: false });
  // A key signer has no identity: "" never matches an identity part, whatever the regexp.
  const open = only(cip(`  images: [{glob: "**"}]\n  authorities:\n  - keyless: {identities: [{subjectRegExp: '.*'}]}\n  - static: {action: fail}\n`));
  const openRule = open.rules[0]!;
  assert.ok(openRule.kind === 'expression');
  assert.deepEqual(openRule.program.evaluate(bindings([key], [])), { ok: true, value: false });
  assert.deepEqual(openRule.program.evaluate(bindings([{ ...key, issuer: 'https://issuer.example', subject: 'x' }], [])), { ok: true, value: true });
});

test('static authorities always pass or always fail, as alternatives like the others', () => {
  const fail = only(cip(`  images: [{glob: "**"}]\n  authorities:\n  - static: {action: fail, message: frozen}\n`)).rules[0]!;
  assert.ok(fail.kind === 'expression');
  assert.equal(fail.message, 'frozen');
  assert.deepEqual(fail.program.evaluate(bindings([], [])), { ok: true, value: false });
  const pem = publicKeyPem();
  const pass = only(cip(`  images: [{glob: "**"}]\n  authorities:\n  - key:\n      data: |\n${indent(pem, 8)}\n  - static: {action: pass}\n`, 'policy.sigstore.dev/v1alpha1'));
  const rule = pass.rules[0]!;
  assert.ok(rule.kind === 'expression');
  assert.equal(rule.message, undefined);
  assert.deepEqual(rule.program.evaluate(bindings([], [])), { ok: true, value: true });
  // Empty lists are no attestations or sources; policy-controller refuses only non-empty ones beside static.
  assert.doesNotThrow(() => parsePolicyDocuments(cip(`  images: [{glob: "**"}]\n  authorities: [{static: {action: pass}, attestations: [], source: []}]\n`)));
  assert.equal(
    refusal(() => parsePolicyDocuments(cip(`  images: [{glob: "**"}]\n  authorities: [{static: {action: pass}, attestations: [{name: a, predicateType: vuln}]}]\n`))).details['field'],
    'spec.authorities[0].attestations',
  );
});

test('what cannot be honoured exactly is refused as POLICY_UNSUPPORTED at the field', () => {
  const pem = publicKeyPem();
  const keyAuthority = (extra: string): string => `  images: [{glob: "**"}]\n  authorities:\n  - key:\n${extra}`;
  const data = `      data: |\n${indent(pem, 8)}\n`;
  const cases: [string, number, number, string][] = [
    [keyAuthority('      kms: awskms:///arn:aws:kms:us-east-1:1:key/x\n'), 9, 7, 'spec.authorities[0].key.kms'],
    [keyAuthority('      secretRef: {name: cosign-pub}\n'), 9, 7, 'spec.authorities[0].key.secretRef'],
    [keyAuthority(`${data}      hashAlgorithm: sha512\n`), 14, 22, 'spec.authorities[0].key.hashAlgorithm'],
    [`  images: [{glob: "**"}]\n  authorities: [{static: {action: pass}}]\n  policy: {type: cue, data: "x"}\n`, 8, 3, 'spec.policy'],
    [`  images: [{glob: "**"}]\n  authorities: [{static: {action: pass}}]\n  match: [{resource: pods}]\n`, 8, 3, 'spec.match'],
    [`  images: [{glob: "**"}]\n  authorities: [{static: {action: deny}}]\n`, 7, 35, 'spec.authorities[0].static.action'],
    [`  images: [{glob: "**"}]\n  authorities:\n  - keyless: {url: https://fulcio.example}\n`, 8, 14, 'spec.authorities[0].keyless.identities'],
    [`  images: [{glob: "**"}]\n  authorities:\n  - keyless:\n      ca-cert: {data: x}\n`, 9, 7, 'spec.authorities[0].keyless.ca-cert'],
    [`  images: [{glob: "**"}]\n  authorities:\n  - keyless:\n      insecureIgnoreSCT: true\n`, 9, 7, 'spec.authorities[0].keyless.insecureIgnoreSCT'],
    [`  images: [{glob: "**"}]\n  authorities:\n  - keyless:\n      trustRootRef: mine\n`, 9, 7, 'spec.authorities[0].keyless.trustRootRef'],
    [`${keyAuthority(data)}    source: [{oci: registry.example.com/signatures}]\n`, 14, 15, 'spec.authorities[0].source[0].oci'],
    [`${keyAuthority(data)}    source: [{tagPrefix: sig-}]\n`, 14, 15, 'spec.authorities[0].source[0].tagPrefix'],
    [`${keyAuthority(data)}    ctlog: {trustRootRef: mine}\n`, 14, 13, 'spec.authorities[0].ctlog.trustRootRef'],
    [`${keyAuthority(data)}    rfc3161timestamp: {trustRootRef: mine}\n`, 14, 5, 'spec.authorities[0].rfc3161timestamp'],
    [`${keyAuthority(data)}    attestations: [{name: a, predicateType: vuln, policy: {type: cue, data: x}}]\n`, 14, 51, 'spec.authorities[0].attestations[0].policy'],
    [keyAuthority(`      data: |\n${indent(publicKeyPem('P-384'), 8)}\n`), 9, 13, 'spec.authorities[0].key.data'],
  ];
  for (const [spec, line, column, field] of cases) {
    const { code, details } = refusal(() => parsePolicyDocuments(cip(spec)));
    assert.deepEqual({ code, line: details['line'], column: details['column'], field: details['field'] }, { code: 'POLICY_UNSUPPORTED', line, column, field }, field);
  }
  // insecureIgnoreSCT: false asks for what is done anyway.
  assert.doesNotThrow(() => parsePolicyDocuments(cip(`  images: [{glob: "**"}]\n  authorities:\n  - keyless:\n      insecureIgnoreSCT: false\n      identities: [{issuer: ${ISSUER}, subject: x}]\n`)));
});
