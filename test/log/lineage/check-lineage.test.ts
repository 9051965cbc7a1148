import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJsonBytes, parseJsonObject, type JsonObject } from '../../../src/core/json.js';
import { checkLineage, type LineHistory } from '../../../src/log/lineage/index.js';
import type { LogEntryView } from '../../../src/log/service.js';
import { ecdsa, ed25519, stranger } from '../entries/entry-fixtures.js';
import { audit, chain, record, view } from './lineage-fixtures.js';

function codes(history: LineHistory): string[] {
  return history.problems.map((p) => `${p.code}@${p.index}#${p.sequence}`);
}

test('an intact chain with an audit verifies, records in sequence order', async () => {
  const entries = await chain(ecdsa, 3);
  const audited = await audit(stranger, 3, entries[1]!);
  const history = checkLineage('acme/app', [audited, ...entries].reverse());
  assert.deepEqual(codes(history), []);
  assert.equal(history.verified, true);
  assert.deepEqual(history.records.map((r) => [r.index, r.sequence, r.previous]), [
    [0n, 1, null],
    [1n, 2, entries[0]!.entryDigest],
    [2n, 3, entries[1]!.entryDigest],
  ]);
  const second = history.records[1]!;
  assert.equal(second.signer, ecdsa.keyId);
  assert.equal(second.artifact.kind, 'oci-image');
  assert.equal(second.audits.length, 1);
  assert.deepEqual({ ...second.audits[0]!, entryDigest: undefined }, {
    index: 3n,
    entryDigest: undefined,
    auditor: 'Scanner Co',
    type: 'vuln-scan',
    result: 'pass',
    score: 91,
    createdAt: '2025-01-31T12:00:00Z',
    signer: stranger.keyId,
    verified: true,
  });
});

test('a missing sequence is LINEAGE_GAP at the record after it, not also a broken link', async () => {
  const [one, two] = await chain(ed25519, 2);
  const four = await record(ed25519, 2, 4, 'a record of sequence 3 never appended');
  const history = checkLineage('acme/app', [one!, two!, four]);
  assert.deepEqual(codes(history), ['LINEAGE_GAP@2#3']);
  assert.equal(history.verified, false);
  const noStart = checkLineage('acme/app', [two!]);
  assert.deepEqual(codes(noStart), ['LINEAGE_GAP@1#1']);
});

test('two records of one sequence or one predecessor are LINEAGE_FORK at the later one', async () => {
  const [one, two] = await chain(ecdsa, 2);
  const rival = await record(ecdsa, 2, 2, one!, { note: 'another build' });
  assert.deepEqual(codes(checkLineage('acme/app', [one!, two!, rival])), ['LINEAGE_FORK@2#2']);
  const rivalStart = await record(ecdsa, 3, 1, null, { note: 'a second start' });
  assert.deepEqual(codes(checkLineage('acme/app', [one!, two!, rivalStart])), ['LINEAGE_FORK@3#1']);
});

test('a previous that is not the record of sequence - 1 is LINEAGE_BROKEN_LINK', async () => {
  const [one, two] = await chain(ecdsa, 2);
  const skipsBack = await record(ecdsa, 2, 3, one!);
  // It also continues the predecessor record 2 continues: a fork as well.
  assert.deepEqual(codes(checkLineage('acme/app', [one!, two!, skipsBack])), ['LINEAGE_BROKEN_LINK@2#3', 'LINEAGE_FORK@2#3']);
  const namesNothing = await record(ecdsa, 2, 3, 'an entry of no line');
  assert.deepEqual(codes(checkLineage('acme/app', [one!, two!, namesNothing])), ['LINEAGE_BROKEN_LINK@2#3']);
  // A predecessor the log holds at a later index than its successor.
  const early = await record(ecdsa, 0, 1, null);
  const late = view(5, early.entryBytes);
  const successor = await record(ecdsa, 1, 2, early);
  assert.deepEqual(codes(checkLineage('acme/app', [late, successor])), ['LINEAGE_BROKEN_LINK@1#2']);
});

test('an edited record is LINEAGE_RECORD_INVALID, whether or not its leaf hash was edited too', async () => {
  const entries = await chain(ecdsa, 3);
  const original = entries[1]!;
  const edited = parseJsonObject(original.entryBytes);
  const envelope = (edited.spec as JsonObject).envelope as JsonObject;
  const statement = parseJsonObject(Buffer.from(envelope.payload as string, 'base64'));
  (statement.predicate as JsonObject).note = 'edited in the database';
  envelope.payload = canonicalJsonBytes(statement).toString('base64');
  const bytes = canonicalJsonBytes(edited);
  const keptLeafHash: LogEntryView = { ...original, entryBytes: bytes, entry: edited };
  const history = checkLineage('acme/app', [entries[0]!, keptLeafHash, entries[2]!]);
  assert.deepEqual(codes(history), ['LINEAGE_RECORD_INVALID@1#null', 'LINEAGE_GAP@2#2']);
  assert.deepEqual(history.records.map((r) => r.sequence), [1, 3]);
  const rehashed = view(1, bytes);
  assert.deepEqual(codes(checkLineage('acme/app', [entries[0]!, rehashed, entries[2]!])), ['LINEAGE_RECORD_INVALID@1#null', 'LINEAGE_GAP@2#2']);
});

test('with trusted signers, a record by another key is LINEAGE_UNTRUSTED_SIGNER and does not join the chain', async () => {
  const [one, two] = await chain(ecdsa, 2);
  const intruder = await record(stranger, 2, 3, two!);
  const history = checkLineage('acme/app', [one!, two!, intruder], { trustedSigners: [ecdsa.keyId] });
  assert.deepEqual(codes(history), ['LINEAGE_UNTRUSTED_SIGNER@2#3']);
  assert.equal(history.records.length, 3);
  assert.deepEqual(codes(checkLineage('acme/app', [one!, two!, intruder])), []);
  assert.deepEqual(codes(checkLineage('acme/app', [one!, two!], { trustedSigners: [ecdsa.keyId, ed25519.keyId] })), []);
});

test('a record of another line indexed under this one is LINEAGE_RECORD_INVALID', async () => {
  const [one] = await chain(ecdsa, 1);
  const foreign = await record(ecdsa, 1, 2, one!, { line: 'acme/other' });
  const history = checkLineage('acme/app', [one!, foreign]);
  assert.deepEqual(codes(history), ['LINEAGE_RECORD_INVALID@1#2']);
});

test('an audit naming another line or artifact is attached unverified; an edited audit is a problem', async () => {
  const [one] = await chain(ecdsa, 1);
  const otherLine = await audit(stranger, 1, one!, { line: 'acme/other' });
  const history = checkLineage('acme/app', [one!, otherLine]);
  assert.deepEqual(codes(history), []);
  assert.equal(history.records[0]!.audits[0]!.verified, false);
  const tampered: LogEntryView = { ...otherLine, entryBytes: Buffer.concat([otherLine.entryBytes, Buffer.from(' ')]) };
  assert.deepEqual(codes(checkLineage('acme/app', [one!, tampered])), ['LINEAGE_RECORD_INVALID@1#null']);
});

test('an empty line is not verified', () => {
  const history = checkLineage('acme/app', []);
  assert.deepEqual(history, { line: 'acme/app', records: [], problems: [], verified: false });
});
