// Policies versioned as attestation entries of a real log: a first version, an unchanged re-apply that appends
// nothing, a changed document chained to its predecessor, deletions, and entries that must not count (a stranger's
// signature, a document that no longer validates).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64 } from '../../../src/core/bytes.js';
import { sha256Digest } from '../../../src/core/digest.js';
import { isProvenantError } from '../../../src/core/errors.js';
import { parseJsonObject } from '../../../src/core/json.js';
import { SigningKey } from '../../../src/crypto/index.js';
import { parseEnvelope } from '../../../src/formats/dsse.js';
import { parseStatement } from '../../../src/formats/intoto.js';
import { describeEntry } from '../../../src/log/entries/index.js';
import type { LogService } from '../../../src/log/service.js';
import { applyPolicies, currentPolicies, deletePolicies, readPolicyVersions } from '../../../src/policy/runtime/policy-entries.js';
import { POLICY_PREDICATE_TYPE, proposePolicyVersion, readPolicyPredicate } from '../../../src/policy/runtime/policy-statement.js';
import { withTempLog } from '../../helpers/temp-log.js';

const service = SigningKey.generate('ed25519');
const stranger = SigningKey.generate('ed25519');
const trust = { trustedSigners: [service.keyId] };

function policyYaml(name: string, severity: string, comment = ''): string {
  return `${comment}apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: ${name}
spec:
  rules:
    - name: no-known-vulnerabilities
      vulnerabilities:
        severity: ${severity}
`;
}

const SIGNED = `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: require-slsa
spec:
  mode: warn
  rules:
    - name: slsa
      attestation:
        predicateTypes: [https://slsa.dev/provenance/v1]
`;

/** The statement of the attestation entry at `index`, read back from its envelope blob. */
async function statementAt(log: LogService, index: bigint) {
  const view = await log.entry(index);
  const d = describeEntry(view.entryBytes);
  assert.equal(d.kind, 'attestation');
  const blob = await log.blob(d.envelopeDigest);
  assert.ok(blob);
  return { signer: d.signer, statement: parseStatement(decodeBase64(parseEnvelope(blob.data).payload)) };
}

test('apply: version 1 per document, the same text again is unchanged and appends nothing, a change is version 2 chained to version 1', async () => {
  await withTempLog('policies.example/log', async (log) => {
    const text = `${policyYaml('no-critical', 'CRITICAL', '# the baseline\n')}---\n${SIGNED}`;
    const first = await applyPolicies(log, service, text, trust, 'policies.yaml');
    assert.deepEqual(first.applied.map((a) => [a.name, a.version, a.previous, a.deleted]), [['no-critical', 1, null, false], ['require-slsa', 1, null, false]]);
    assert.equal(first.policyVersion, first.applied[1]!.logIndex.toString());

    const { signer, statement } = await statementAt(log, first.applied[0]!.logIndex);
    assert.equal(signer, service.keyId);
    assert.equal(statement.predicateType, POLICY_PREDICATE_TYPE);
    const predicate = readPolicyPredicate(statement.predicate);
    assert.equal(predicate.document, policyYaml('no-critical', 'CRITICAL', '# the baseline\n'));
    assert.deepEqual([predicate.name, predicate.format, predicate.version, predicate.previous], ['no-critical', 'ProvenancePolicy', 1, null]);
    const current = await currentPolicies(log, trust);
    const origin = current.policies.find((p) => p.name === 'no-critical')!.content.policy.origin.digest;
    assert.deepEqual(statement.subject, [{ name: 'policy:no-critical', digest: { sha256: origin.slice('sha256:'.length) } }]);

    const size = (await log.info()).size;
    // Reformatted and recommented: the same document, so the same origin digest.
    const again = await applyPolicies(log, service, `${policyYaml('no-critical', 'CRITICAL', '# reworded\n\n')}---\n${SIGNED}`, trust);
    assert.deepEqual(again.applied, []);
    assert.deepEqual(again.unchanged.map((u) => [u.name, u.version]), [['no-critical', 1], ['require-slsa', 1]]);
    assert.equal(again.policyVersion, first.policyVersion);
    assert.equal((await log.info()).size, size);

    const second = await applyPolicies(log, service, policyYaml('no-critical', 'HIGH'), trust);
    assert.deepEqual(second.applied.map((a) => [a.name, a.version, a.previous]), [['no-critical', 2, first.applied[0]!.entryDigest]]);
    const after = await currentPolicies(log, trust);
    assert.equal(after.version, second.applied[0]!.logIndex.toString());
    const inForce = after.policies.find((p) => p.name === 'no-critical')!;
    assert.equal(inForce.version, 2);
    assert.deepEqual(inForce.content.policy.rules.map((r) => r.kind === 'vulnerabilities' && r.severity), ['HIGH']);
    assert.deepEqual(after.policies.map((p) => p.name), ['no-critical', 'require-slsa']);
  });
});

test('delete: a deletion is the next version, the name leaves the set, and applying it again chains to the deletion', async () => {
  await withTempLog('policies.example/log', async (log) => {
    const v1 = (await applyPolicies(log, service, SIGNED, trust)).applied[0]!;
    const deleted = await deletePolicies(log, service, ['require-slsa'], trust);
    assert.deepEqual(deleted.applied.map((a) => [a.name, a.version, a.previous, a.deleted]), [['require-slsa', 2, v1.entryDigest, true]]);
    const { statement } = await statementAt(log, deleted.applied[0]!.logIndex);
    assert.equal(readPolicyPredicate(statement.predicate).deleted, true);

    const current = await currentPolicies(log, trust);
    assert.deepEqual(current.policies, []);
    // The deletion changed the set, so the set has a new version.
    assert.equal(current.version, deleted.applied[0]!.logIndex.toString());
    await assert.rejects(deletePolicies(log, service, ['require-slsa'], trust), (e) => isProvenantError(e, 'POLICY_NOT_FOUND'));

    const back = await applyPolicies(log, service, SIGNED, trust);
    assert.deepEqual(back.applied.map((a) => [a.version, a.previous, a.deleted]), [[3, deleted.applied[0]!.entryDigest, false]]);
    assert.deepEqual((await currentPolicies(log, trust)).policies.map((p) => [p.name, p.version]), [['require-slsa', 3]]);
    assert.deepEqual((await readPolicyVersions(log, trust)).versions.map((v) => [v.version, v.content.kind]), [[1, 'policy'], [2, 'deleted'], [3, 'policy']]);
  });
});

test('an invalid text is refused with its line and field, and appends nothing', async () => {
  await withTempLog('policies.example/log', async (log) => {
    const bad = `${SIGNED}---\n${policyYaml('no-critical', 'SEVERE')}`;
    await assert.rejects(applyPolicies(log, service, bad, trust, 'bad.yaml'), (e) => {
      assert.ok(isProvenantError(e, 'POLICY_INVALID'));
      // SIGNED is 10 lines, then "---"; severity is the 9th line of the second document.
      assert.equal(e.details?.line, 20);
      assert.equal(e.details?.field, 'spec.rules[0].vulnerabilities.severity');
      return true;
    });
    assert.equal((await log.info()).size, 0n);
  });
});

test("a stranger's policy entry and a version whose document no longer validates are reported, never in force", async () => {
  await withTempLog('policies.example/log', async (log) => {
    const v1 = (await applyPolicies(log, service, policyYaml('no-critical', 'CRITICAL'), trust)).applied[0]!;
    const foreign = await log.append(await proposePolicyVersion({ name: 'no-critical', format: 'ProvenancePolicy', version: 2, previous: v1.entryDigest, document: policyYaml('no-critical', 'LOW') }, sha256Digest('any'), stranger));
    const broken = policyYaml('no-critical', 'CRITICAL').replace('severity: CRITICAL', 'severity: CRITICAL\n        unknownField: 1');
    const invalid = await log.append(await proposePolicyVersion({ name: 'no-critical', format: 'ProvenancePolicy', version: 2, previous: v1.entryDigest, document: broken }, sha256Digest(broken), service));

    const current = await currentPolicies(log, trust);
    assert.deepEqual(current.policies.map((p) => [p.name, p.version, p.entryDigest]), [['no-critical', 1, v1.entryDigest]]);
    assert.equal(current.version, v1.logIndex.toString());
    assert.deepEqual(current.problems.map((p) => [p.logIndex, p.entryDigest]), [[foreign.index, foreign.entryDigest], [invalid.index, invalid.entryDigest]]);
    const history = await readPolicyVersions(log, trust);
    assert.deepEqual(history.ignored.map((i) => i.logIndex), [foreign.index]);
    assert.deepEqual(history.versions.map((v) => [v.logIndex, v.content.kind]), [[v1.logIndex, 'policy'], [invalid.index, 'invalid']]);
    // Trusting the stranger makes its version count (its document validates; its origin digest does not match).
    const widened = await readPolicyVersions(log, { trustedSigners: [service.keyId, stranger.keyId] });
    assert.deepEqual(widened.versions.map((v) => v.logIndex), [v1.logIndex, foreign.index, invalid.index]);
    // The next version chains to the newest trusted one, even the invalid one, so the chain has no fork.
    const next = await applyPolicies(log, service, policyYaml('no-critical', 'HIGH'), trust);
    assert.deepEqual(next.applied.map((a) => [a.version, a.previous]), [[3, invalid.entryDigest]]);
  });
});

test('the predicate is read strictly', () => {
  const good = { name: 'p', format: 'ProvenancePolicy', version: 1, previous: null, document: 'x: 1\n' };
  assert.equal(readPolicyPredicate(good).name, 'p');
  const refused = [
    { ...good, extra: true },
    { ...good, version: 0 },
    { ...good, version: 2 },
    { ...good, previous: sha256Digest('v0') },
    { ...good, format: 'Kyverno' },
    { ...good, name: 'Not_A_Name' },
    { ...good, document: '' },
    { ...good, deleted: false },
  ];
  for (const value of refused) assert.throws(() => readPolicyPredicate(parseJsonObject(JSON.stringify(value))), (e) => isProvenantError(e, 'PREDICATE_MALFORMED'), JSON.stringify(value));
});
