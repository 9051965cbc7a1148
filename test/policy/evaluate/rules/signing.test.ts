// signature, attestation and audit rules, and which revocations count for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUDITOR,
  AUTHORITY,
  BUILDER,
  KEY_A,
  KEY_B,
  LAYERS,
  SLSA,
  audit,
  decide,
  evaluationData,
  imageFacts,
  keyMatcher,
  keyless,
  revocation,
  signature,
  slsaAttestation,
  rule,
  signer,
} from '../policy-fixtures.js';

const DAY = 86_400;
const GITHUB = 'https://token.actions.githubusercontent.com';
const WORKFLOW = 'https://github.com/acme/payments/.github/workflows/release.yml@refs/heads/main';

test('signature: two distinct signers of [A, B] are required; two signatures by A count once', () => {
  const r = rule({ kind: 'signature', signers: [keyMatcher(KEY_A), keyMatcher(KEY_B)], count: 2 });
  const both = decide(r, imageFacts({ signatures: [signature(KEY_A, 'a'), signature(KEY_B, 'b')] }));
  assert.equal(both.result.passed, true);
  assert.equal(both.result.evidence.length, 2);
  const twiceA = decide(r, imageFacts({ signatures: [signature(KEY_A, 'a1'), signature(KEY_A, 'a2'), signature(signer('other'), 'o')] }));
  assert.equal(twiceA.result.passed, false);
  assert.equal(twiceA.result.effect, 'deny');
  const other = signer('other');
  assert.equal(
    twiceA.result.reason,
    `requires signatures by 2 signers of key ${KEY_A.keyId}, key ${KEY_B.keyId}; found key ${KEY_A.keyId}; also signed by key ${other.keyId}, not required signers`,
  );
  assert.deepEqual(twiceA.result.facts, [
    { name: 'signature.other-signer', value: `key ${other.keyId}` },
    { name: 'signature.signer', value: `key ${KEY_A.keyId}` },
  ]);
  // Signed by someone else only: not "unsigned"; many others are counted after the first five.
  const strangers = Array.from({ length: 7 }, (_, i) => signature(signer(`stranger-${i}`), `s${i}`));
  const elsewhere = decide(r, imageFacts({ signatures: strangers }));
  assert.match(elsewhere.result.reason, /; found none; also signed by (key sha256:[0-9a-f]{64}, ){4}key sha256:[0-9a-f]{64} and 2 more, not required signers$/);
  assert.equal(decide(r, imageFacts({ signatures: [] })).result.reason.endsWith('found none'), true);
});

test('signature: keyless identities match exactly, or by a regular expression that must match the whole value', () => {
  const facts = imageFacts({ signatures: [signature(keyless(GITHUB, WORKFLOW), 'keyless')] });
  const identity = (change: object) => rule({ kind: 'signature', signers: [{ kind: 'identity', ...change }], count: 1 });
  assert.equal(decide(identity({ issuer: GITHUB, subject: WORKFLOW }), facts).result.passed, true);
  assert.equal(decide(identity({ issuer: GITHUB, subject: WORKFLOW.replace('main', 'dev') }), facts).result.passed, false);
  assert.equal(decide(identity({ issuer: 'https://accounts.google.com', subject: WORKFLOW }), facts).result.passed, false);
  assert.equal(decide(identity({ issuer: GITHUB, subjectRegExp: /^https:\/\/github\.com\/acme\/.*$/ }), facts).result.passed, true);
  // Not anchored as written: only a match of the whole subject counts.
  assert.equal(decide(identity({ issuer: GITHUB, subjectRegExp: /https:\/\/github\.com\/acme/ }), facts).result.passed, false);
  // An identity matcher never matches a plain key signer.
  assert.equal(decide(identity({ issuerRegExp: /^.*$/ }), imageFacts({ signatures: [signature(KEY_A, 'key')] })).result.passed, false);
});

test('signature: a revocation by the signer itself or by an authority counts; a stranger’s is listed and ignored', () => {
  const r = rule({ kind: 'signature', signers: [keyMatcher(KEY_A)], count: 1 });
  const own = revocation(KEY_A, 'own');
  const byOwner = decide(r, imageFacts({ signatures: [signature(KEY_A, 'a', [own])] }));
  assert.equal(byOwner.result.passed, false);
  assert.match(byOwner.result.reason, /revoked by key sha256:[0-9a-f]+ at 2024-05-20T00:00:00Z: key compromised$/);
  assert.ok(byOwner.result.evidence.some((e) => e.digest === own.evidence.digest));

  const stranger = revocation(KEY_B, 'stranger');
  const byStranger = decide(r, imageFacts({ signatures: [signature(KEY_A, 'a', [stranger])] }));
  assert.equal(byStranger.result.passed, true);
  const ignored = byStranger.result.facts.find((f) => f.name === 'revocation.ignored');
  assert.ok(typeof ignored?.value === 'string' && ignored.value.startsWith(stranger.evidence.digest));
  assert.ok(!byStranger.result.evidence.some((e) => e.digest === stranger.evidence.digest));

  const authority = revocation(AUTHORITY, 'authority');
  const facts = imageFacts({ signatures: [signature(KEY_A, 'a', [authority])] });
  assert.equal(decide(r, facts).result.passed, true, 'not an authority unless the data says so');
  assert.equal(decide(r, facts, evaluationData({ revocationAuthorities: [AUTHORITY.keyId] })).result.passed, false);
});

test('signature: a keyless signer revokes its own signature with another ephemeral key', () => {
  const r = rule({ kind: 'signature', signers: [{ kind: 'identity', issuer: GITHUB, subject: WORKFLOW }], count: 1 });
  const later = keyless(GITHUB, WORKFLOW, 'a later ephemeral key');
  const facts = imageFacts({ signatures: [signature(keyless(GITHUB, WORKFLOW), 'k', [revocation(later, 'keyless')])] });
  assert.equal(decide(r, facts).result.passed, false);
});

test('attestation: every predicate type by the counted signers, the rule’s, else the policy’s attestors, else any', () => {
  const both = rule({ kind: 'attestation', predicateTypes: [SLSA, LAYERS], signers: [] });
  const facts = imageFacts();
  const pass = decide(both, facts);
  assert.equal(pass.result.passed, true);
  assert.deepEqual(pass.result.evidence.map((e) => e.digest).sort(), facts.attestations.map((a) => a.evidence.digest).sort());
  assert.equal(decide(both, imageFacts({ attestations: [slsaAttestation('only slsa')] })).result.passed, false);
  const missing = decide(both, imageFacts({ attestations: [slsaAttestation('only slsa')] }));
  assert.match(missing.result.reason, /https:\/\/provenant\.dev\/attestation\/layers\/v1: none by any verified signer$/);

  assert.equal(decide(both, facts, undefined, { attestors: [keyMatcher(BUILDER)] }).result.passed, true);
  assert.equal(decide(both, facts, undefined, { attestors: [keyMatcher(KEY_A)] }).result.passed, false);
  const ruleSigners = rule({ kind: 'attestation', predicateTypes: [SLSA], signers: [keyMatcher(KEY_A)] });
  assert.equal(decide(ruleSigners, facts, undefined, { attestors: [keyMatcher(BUILDER)] }).result.passed, false, 'the rule’s signers win over the attestors');
});

test('attestation: maxAge counts from issuedAt to the request time, and validUntil is when it ages out', () => {
  // Issued 2024-05-01T10:05:00Z; the request is at 2024-06-01T12:00:00Z, 31 days and 115 minutes later.
  const young = decide(rule({ kind: 'attestation', predicateTypes: [SLSA], signers: [], maxAge: 40 * DAY }));
  assert.equal(young.result.passed, true);
  assert.equal(young.decision.validUntil, '2024-06-10T10:05:00.001Z');
  const old = decide(rule({ kind: 'attestation', predicateTypes: [SLSA], signers: [], maxAge: 30 * DAY }));
  assert.equal(old.result.passed, false);
  assert.match(old.result.reason, /is 2685300 s old, more than 2592000 s/);
  assert.equal(old.decision.validUntil, undefined, 'an aged-out attestation never becomes young again');
  const undated = decide(rule({ kind: 'attestation', predicateTypes: [SLSA], signers: [], maxAge: 40 * DAY }), imageFacts({ attestations: [slsaAttestation('undated', undefined, BUILDER, { issuedAt: undefined })] }));
  assert.equal(undated.result.passed, false);
});

test('attestation: a revoked attestation fails the rule with the revocation’s reason and evidence, even beside a fresh one', () => {
  const rev = revocation(BUILDER, 'builder', 'built from a compromised runner');
  const revoked = slsaAttestation('revoked', undefined, BUILDER, { revocations: [rev] });
  const fresh = slsaAttestation('fresh', undefined, BUILDER, { issuedAt: '2024-05-02T00:00:00Z' });
  const r = rule({ kind: 'attestation', predicateTypes: [SLSA], signers: [] });
  for (const attestations of [[revoked], [revoked, fresh]]) {
    const { result } = decide(r, imageFacts({ attestations }));
    assert.equal(result.passed, false);
    assert.match(result.reason, /revoked by key sha256:[0-9a-f]+ at 2024-05-20T00:00:00Z: built from a compromised runner$/);
    assert.ok(result.evidence.some((e) => e.digest === rev.evidence.digest));
    assert.ok(result.evidence.some((e) => e.digest === revoked.evidence.digest));
  }
  const strangers = slsaAttestation('stranger revoked', undefined, BUILDER, { revocations: [revocation(KEY_B, 'stranger')] });
  const { result } = decide(r, imageFacts({ attestations: [strangers] }));
  assert.equal(result.passed, true);
  assert.equal(result.facts.filter((f) => f.name === 'revocation.ignored').length, 1);
});

test('audit: the latest unrevoked audit per auditor counts; one passing auditor within maxAge suffices', () => {
  const r = (maxAge?: number, type?: 'vuln-scan' | 'compliance') =>
    rule({ kind: 'audit', auditors: ['auditor.example', 'second.example'], ...(maxAge === undefined ? {} : { maxAge }), ...(type === undefined ? {} : { type }) });
  const pass = audit('auditor.example', 'pass', '2024-05-25T00:00:00Z');
  const passing = decide(r(10 * DAY), imageFacts({ audits: [pass] }));
  assert.equal(passing.result.passed, true);
  assert.deepEqual(passing.result.evidence, [pass.evidence]);
  assert.equal(passing.decision.validUntil, '2024-06-04T00:00:00.001Z');

  const newerFail = audit('auditor.example', 'fail', '2024-05-30T00:00:00Z');
  const superseded = decide(r(10 * DAY), imageFacts({ audits: [pass, newerFail] }));
  assert.equal(superseded.result.passed, false);
  assert.match(superseded.result.reason, /auditor\.example: latest vuln-scan audit \(sha256:[0-9a-f]+, 2024-05-30T00:00:00Z\) failed; second\.example: no audit$/);

  const revokedFail = audit('auditor.example', 'fail', '2024-05-30T00:00:00Z', { revocations: [revocation(AUDITOR, 'mistake', 'wrong image')] });
  assert.equal(decide(r(10 * DAY), imageFacts({ audits: [pass, revokedFail] })).result.passed, true, 'a revoked newer audit leaves the older one');

  const second = audit('second.example', 'pass', '2024-05-31T00:00:00Z');
  const either = decide(r(10 * DAY), imageFacts({ audits: [pass, newerFail, second] }));
  assert.equal(either.result.passed, true);
  assert.equal(either.decision.validUntil, '2024-06-10T00:00:00.001Z');

  assert.equal(decide(r(5 * DAY), imageFacts({ audits: [pass] })).result.passed, false, 'older than maxAge');
  assert.equal(decide(r(undefined, 'compliance'), imageFacts({ audits: [pass] })).result.passed, false, 'another audit type');
  assert.equal(decide(r(), imageFacts({ audits: [audit('unknown.example', 'pass', '2024-05-31T00:00:00Z')] })).result.passed, false, 'another auditor');
});
