// Reputation read from a real transparency log (SQLite in a temp dir): only events signed by a trusted key count,
// everything else found under the provider's subject digest is listed as ignored, revoked events stop counting,
// and the score is the one the pure model gives for the trusted events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isProvenantError } from '../../src/core/errors.js';
import { SigningKey } from '../../src/crypto/index.js';
import { signEnvelope } from '../../src/formats/dsse.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, statementToBytes } from '../../src/formats/intoto.js';
import { proposeAttestation, proposeRevocation } from '../../src/log/entries/index.js';
import type { TransparencyLog } from '../../src/log/transparency-log.js';
import type { ReputationEvent } from '../../src/reputation/events.js';
import { proposeReputationEvent, providerSubjectDigest, REPUTATION_EVENT_PREDICATE_TYPE, ReputationBook, scoreProvider } from '../../src/reputation/index.js';
import { withTempLog } from '../helpers/temp-log.js';

const P = 'registry.example.com/acme';
const AT = '2025-07-01T00:00:00Z';
const trustedKey = SigningKey.generate('ed25519');
const otherKey = SigningKey.generate('ecdsa-p256');

const audit: ReputationEvent = { provider: P, type: 'audit', occurredAt: '2025-07-01T00:00:00Z', reporter: 'auditor', auditor: 'audits.example', result: 'pass' };
const incident: ReputationEvent = { provider: P, type: 'incident', occurredAt: '2025-01-02T00:00:00Z', reporter: 'secteam', severity: 'HIGH', title: 'key exposed' };
const feedback: ReputationEvent = { provider: P, type: 'feedback', occurredAt: '2025-07-01T00:00:00Z', reporter: 'someone', rating: 1 };

async function append(log: TransparencyLog, event: ReputationEvent, key: SigningKey): Promise<{ index: bigint; entryDigest: `sha256:${string}` }> {
  const result = await log.append(await proposeReputationEvent(event, key));
  return { index: result.index, entryDigest: result.entryDigest };
}

test('only trusted events count; untrusted, revoked and malformed ones are listed as ignored', async () => {
  await withTempLog('reputation.test/log', async (log) => {
    const a = await append(log, audit, trustedKey);
    const f = await append(log, feedback, otherKey);
    const i = await append(log, incident, trustedKey);
    const revokedEvent = await append(log, { ...incident, title: 'reported by mistake' }, trustedKey);
    await log.append(await proposeRevocation({ target: revokedEvent.entryDigest, reason: 'wrong provider' }, trustedKey));
    // A revocation by a key that is neither the event's signer nor trusted changes nothing.
    await log.append(await proposeRevocation({ target: i.entryDigest, reason: 'I dislike it' }, otherKey));
    await append(log, { ...audit, provider: 'registry.example.com/other' }, trustedKey);
    // Signed by a trusted key and found under the provider's subject, but its predicate is not an event.
    const statement = buildStatement({ subjects: [{ name: P, digest: providerSubjectDigest(P) }], predicateType: REPUTATION_EVENT_PREDICATE_TYPE, predicate: { provider: P, type: 'praise' } });
    const junk = await log.append(proposeAttestation(await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementToBytes(statement), [trustedKey]), trustedKey.publicKeyPem()));

    const book = new ReputationBook(log, { trustedSigners: [trustedKey.keyId] });
    const found = await book.events(P);
    assert.deepEqual(found.events.map((e) => e.logIndex), [a.index, i.index]);
    assert.deepEqual(found.events.map((e) => e.event), [audit, incident]);
    assert.deepEqual(found.ignored.map((e) => e.logIndex), [f.index, revokedEvent.index, junk.index]);

    const rep = await book.score(P, { at: AT });
    const expected = scoreProvider(P, found.events, { at: AT });
    assert.equal(rep.score, expected.score);
    // R = 2 (audit today); S = 4 * 0.5^(180/180) (the incident is one half-life old).
    assert.deepEqual([rep.positive, rep.negative], [2, 2]);
    assert.equal(rep.score, 50);
    assert.deepEqual(rep.events.map((e) => e.entryDigest), [a.entryDigest, i.entryDigest]);
    assert.deepEqual(rep.ignored.map((e) => e.logIndex), [f.index, revokedEvent.index, junk.index]);

    // Trusting the other key too counts its feedback, and its revocation of the incident now withdraws it.
    const both = await new ReputationBook(log, { trustedSigners: [trustedKey.keyId, otherKey.keyId] }).score(P, { at: AT });
    assert.deepEqual(both.events.map((e) => e.logIndex), [a.index, f.index]);
    assert.deepEqual(both.ignored.map((e) => e.logIndex), [i.index, revokedEvent.index, junk.index]);
    assert.equal(both.negative, 1);

    const none = await new ReputationBook(log, { trustedSigners: [] }).score(P, { at: AT });
    assert.equal(none.score, 50);
    assert.equal(none.events.length, 0);
    assert.equal(none.ignored.length, 5);

    const other = await book.score('registry.example.com/other', { at: AT });
    assert.equal(other.score, 75);
  });
});

test('a provider with more events than the limit is INPUT_TOO_LARGE; a malformed provider is refused', async () => {
  await withTempLog('reputation.test/limit', async (log) => {
    for (const rating of [1, 2, 3]) await append(log, { ...feedback, rating }, trustedKey);
    const book = new ReputationBook(log, { trustedSigners: [trustedKey.keyId], maxEvents: 2 });
    await assert.rejects(book.score(P, { at: AT }), (e) => isProvenantError(e, 'INPUT_TOO_LARGE'));
    const wide = new ReputationBook(log, { trustedSigners: [trustedKey.keyId], maxEvents: 3 });
    assert.equal((await wide.score(P, { at: AT })).events.length, 3);
    await assert.rejects(wide.score('acme', { at: AT }), (e) => isProvenantError(e, 'REPUTATION_EVENT_INVALID'));
  });
});
