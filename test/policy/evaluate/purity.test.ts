// Evaluation is a pure function of its input: the same input gives deep-equal decisions, frozen inputs are never
// written, the order of fact lists does not matter, and the data version follows the evidence about the digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvaluationInput } from '../../../src/policy/decision.js';
import { dataVersionOf } from '../../../src/policy/evaluate/data-version.js';
import { evaluate } from '../../../src/policy/evaluate/evaluate.js';
import type { AttestationFact, ImageFacts } from '../../../src/policy/facts.js';
import {
  AUDITOR,
  AUTHORITY,
  BUILDER,
  KEY_A,
  KEY_B,
  SLSA,
  LAYERS,
  audit,
  bookwormPackages,
  buildFact,
  cel,
  deepFreeze,
  evaluationData,
  globs,
  imageFacts,
  input,
  keyMatcher,
  layersAttestation,
  osvFixture,
  pkg,
  policy,
  policySet,
  range,
  revocation,
  rule,
  signature,
  slsaAttestation,
} from './policy-fixtures.js';

const DAY = 86_400;

/** Facts with ties and revocations everywhere, and policies using every rule kind. */
function richInput(): EvaluationInput {
  const sameTime = '2024-05-01T10:05:00Z';
  const attestations: AttestationFact[] = [
    slsaAttestation('first', buildFact({ toolchains: [{ name: 'gcc', version: '12.1.0' }] }), BUILDER, { issuedAt: sameTime }),
    slsaAttestation('second', buildFact(), BUILDER, { issuedAt: sameTime }),
    slsaAttestation('revoked', buildFact({ builderId: 'https://evil.example' }), BUILDER, { issuedAt: '2024-05-02T00:00:00Z', revocations: [revocation(BUILDER, 'own'), revocation(KEY_B, 'stranger')] }),
    layersAttestation('inventory', [...bookwormPackages(), pkg('npm', 'lodash', '4.17.11'), pkg('npm', 'gpl-thing', '1.0.0', { licenses: ['GPL-3.0-only'] })]),
    layersAttestation('older inventory', [pkg('npm', 'left-pad', '1.3.0')], BUILDER, { issuedAt: '2024-04-01T00:00:00Z' }),
    slsaAttestation('by A', buildFact(), KEY_A, { issuedAt: '2024-05-03T00:00:00Z' }),
  ];
  const facts = imageFacts({
    signatures: [signature(KEY_A, 'a'), signature(KEY_B, 'b', [revocation(AUTHORITY, 'authority')]), signature(KEY_A, 'a again', [revocation(KEY_B, 'stranger on a')])],
    attestations,
    audits: [audit('auditor.example', 'pass', '2024-05-25T00:00:00Z'), audit('auditor.example', 'fail', '2024-05-26T00:00:00Z', { revocations: [revocation(AUDITOR, 'audit mistake')] }), audit('second.example', 'fail', '2024-05-30T00:00:00Z')],
  });
  const policies = policySet([
    policy(
      'supply-chain',
      [
        rule({ kind: 'signature', signers: [keyMatcher(KEY_A), keyMatcher(KEY_B)], count: 1 }),
        rule({ kind: 'attestation', predicateTypes: [SLSA, LAYERS], signers: [], maxAge: 60 * DAY }),
        rule({ kind: 'audit', auditors: ['auditor.example', 'second.example'], maxAge: 30 * DAY }),
        rule({ kind: 'buildEnvironment', compilers: [{ name: 'gcc', version: '12.2.0' }], builderIds: [], sourceRepositories: globs('git+https://github.com/acme/**'), ciSystems: ['github-actions'] }),
        rule(
          { kind: 'dependencies', blocked: [{ ecosystem: 'deb', name: 'openssl', versions: range('<3.0.7', 'deb') }], trustedSources: globs('oci://registry.example.com/base/**'), allowedLicenses: ['MIT', 'Apache-2.0'] },
          { action: 'sandbox', sandbox: { runtimeClassName: 'gvisor', limits: { memory: '1Gi' } } },
        ),
        rule({ kind: 'vulnerabilities', severity: 'HIGH', fixedOnly: true, ignore: [{ id: 'CVE-2019-10744', owner: 'team', expires: '2024-06-15T00:00:00Z' }] }),
        rule({ kind: 'reputation', minScore: 60, provider: 'signer' }, { action: 'warn' }),
        rule({ kind: 'expression', program: cel('signatures.exists(s, s.revoked) && packages.exists(p, p.name == "lodash") && attestations[0].digest != ""') }),
      ],
      { attestors: [keyMatcher(BUILDER)] },
    ),
    policy('warn-only', [rule({ kind: 'reputation', minScore: 90, provider: 'namespace' })], { mode: 'warn' }),
  ]);
  const data = evaluationData({ advisories: [osvFixture('GHSA-jf85-cpcp-j695.json'), osvFixture('GHSA-j8r2-6x86-q33q.json')], revocationAuthorities: [AUTHORITY.keyId, KEY_B.keyId] });
  return input(policies, facts, data);
}

/** mulberry32: a seeded generator, so every run shuffles the same ways. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(list: readonly T[], next: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function shuffleFacts(facts: ImageFacts, next: () => number): ImageFacts {
  const revocable = <T extends { revocations: readonly unknown[] }>(e: T): T => ({ ...e, revocations: shuffled(e.revocations, next) });
  return {
    ...facts,
    signatures: shuffled(facts.signatures.map(revocable), next),
    audits: shuffled(facts.audits.map(revocable), next),
    attestations: shuffled(
      facts.attestations.map((a) => ({
        ...revocable(a),
        ...(a.packages === undefined ? {} : { packages: shuffled(a.packages, next) }),
        ...(a.build === undefined ? {} : { build: { ...a.build, toolchains: shuffled(a.build.toolchains, next), resolvedDependencies: shuffled(a.build.resolvedDependencies, next) } }),
      })),
      next,
    ),
  };
}

test('purity: the same frozen input twice gives deep-equal decisions, and the input is left as it was', () => {
  const original = richInput();
  const snapshot = structuredClone({ facts: original.facts, context: original.context, authorities: original.data.revocationAuthorities });
  const frozen = deepFreeze(original);
  const first = evaluate(frozen);
  const second = evaluate(frozen);
  assert.deepEqual(first, second);
  assert.deepEqual({ facts: frozen.facts, context: frozen.context, authorities: frozen.data.revocationAuthorities }, snapshot);
  // The scenario exercises every effect, so the checks above cover real work.
  assert.equal(first.outcome, 'deny');
  assert.deepEqual([...new Set(first.rules.map((r) => r.effect ?? 'pass'))].sort(), ['deny', 'pass', 'sandbox', 'warn']);
  assert.equal(first.validUntil, '2024-06-15T00:00:00.001Z', 'the ignore entry expires before the attestations age out');
});

test('property: shuffling every fact list (and revocation authorities) does not change the decision', () => {
  const base = richInput();
  const expected = evaluate(base);
  const next = random(0x5eed);
  for (let round = 0; round < 40; round++) {
    const data = { ...base.data, revocationAuthorities: shuffled(base.data.revocationAuthorities, next) };
    const decision = evaluate({ ...base, facts: shuffleFacts(base.facts, next), data });
    assert.deepEqual(decision, expected, `round ${round}`);
  }
});

test('dataVersion: follows the evidence about this digest, not the log around it', () => {
  const { facts, data } = richInput();
  const version = dataVersionOf(facts, data);
  assert.equal(dataVersionOf({ ...facts, gatheredFrom: { kind: 'log', treeSize: '999999' } }, data), version, 'unrelated appends');
  const withSignature = { ...facts, signatures: [...facts.signatures, signature(KEY_B, 'new')] };
  assert.notEqual(dataVersionOf(withSignature, data), version);
  const revoked = { ...facts, signatures: facts.signatures.map((s, i) => (i === 0 ? { ...s, revocations: [revocation(KEY_A, 'late')] } : s)) };
  assert.notEqual(dataVersionOf(revoked, data), version);
  assert.notEqual(dataVersionOf(facts, { ...data, advisoriesVersion: 'sha256:other' }), version);
  assert.notEqual(dataVersionOf(facts, { ...data, reputationVersion: 'reputation@78' }), version);
  assert.notEqual(dataVersionOf(facts, { ...data, revocationAuthorities: [] }), version);
  assert.equal(evaluate(richInput()).dataVersion.split('|').length, 3);
});

test('a remembered vulnerability scan gives the decision a fresh scan gives', () => {
  const lodash = osvFixture('GHSA-jf85-cpcp-j695.json');
  const facts = imageFacts({ attestations: [slsaAttestation('m', buildFact()), layersAttestation('m', [pkg('npm', 'lodash', '4.17.11'), ...bookwormPackages()])] });
  const set = policySet([policy('vulns', [rule({ kind: 'vulnerabilities', severity: 'LOW', fixedOnly: false, ignore: [] })])]);
  const shared = evaluationData({ advisories: [lodash] });
  const first = evaluate(input(set, facts, shared));
  const remembered = evaluate(input(set, facts, shared, { namespace: 'other' }));
  const fresh = evaluate(input(set, facts, evaluationData({ advisories: [lodash] }), { namespace: 'other' }));
  assert.equal(first.outcome, 'deny');
  assert.deepEqual(remembered, fresh);
  // A different package list under the same index is scanned on its own.
  const fixed = imageFacts({ attestations: [slsaAttestation('m', buildFact()), layersAttestation('m', [pkg('npm', 'lodash', '4.17.21')])] });
  assert.equal(evaluate(input(set, fixed, shared)).outcome, 'allow');
});
