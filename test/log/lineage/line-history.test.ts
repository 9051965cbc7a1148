// lineHistory and nextLineageLink over the real TransparencyLog on a SQLite store in a temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sha256Digest } from '../../../src/core/digest.js';
import { canonicalJsonBytes, parseJsonObject, type JsonObject } from '../../../src/core/json.js';
import type { Signer } from '../../../src/crypto/index.js';
import { proposeAudit, proposeLineageRecord } from '../../../src/log/entries/index.js';
import { lineHistory, nextLineageLink } from '../../../src/log/lineage/index.js';
import { withTempLog } from '../../helpers/temp-log.js';
import type { TransparencyLog } from '../../../src/log/transparency-log.js';
import { SQLITE_FILE } from '../../../src/store/sqlite/sqlite-log-store.js';
import { CREATED, ecdsa, ed25519, rejectsCode, stranger } from '../entries/entry-fixtures.js';

const ORIGIN = 'provenant.test/log';

function withLog(fn: (log: TransparencyLog, dir: string) => Promise<void>): Promise<void> {
  return withTempLog(ORIGIN, fn);
}

/** Appends the next record of `line` as `--previous auto` would. */
async function extend(log: TransparencyLog, line: string, key: Signer, build: string): Promise<bigint> {
  const link = await nextLineageLink(log, line);
  const proposal = await proposeLineageRecord({ line, artifact: { kind: 'file', name: 'app.tar', digest: sha256Digest(build) }, ...link, createdAt: CREATED }, key);
  return (await log.append(proposal)).index;
}

test('a line built with nextLineageLink verifies through the log, with its audit, and continues at the next sequence', async () => {
  await withLog(async (log) => {
    for (const build of ['one', 'two', 'three']) await extend(log, 'acme/app', ecdsa, build);
    await extend(log, 'acme/tool', ed25519, 'tool one');
    const before = await lineHistory(log, 'acme/app');
    const second = before.records[1]!;
    await log.append(
      await proposeAudit(
        { record: second.entryDigest, line: 'acme/app', artifact: { name: 'app.tar', digest: second.digest }, auditor: 'Scanner Co', type: 'compliance', result: 'fail', createdAt: CREATED },
        stranger,
      ),
    );
    const history = await lineHistory(log, 'acme/app', { trustedSigners: [ecdsa.keyId] });
    assert.deepEqual(history.problems, []);
    assert.equal(history.verified, true);
    assert.deepEqual(history.records.map((r) => [r.index, r.sequence]), [[0n, 1], [1n, 2], [2n, 3]]);
    assert.deepEqual(history.records[1]!.audits.map((a) => [a.index, a.result, a.verified]), [[4n, 'fail', true]]);
    assert.deepEqual(await nextLineageLink(log, 'acme/app'), { previous: history.records[2]!.entryDigest, sequence: 4 });
    assert.deepEqual(await nextLineageLink(log, 'acme/new'), { previous: null, sequence: 1 });
    const untrusted = await lineHistory(log, 'acme/app', { trustedSigners: [ed25519.keyId] });
    assert.deepEqual(untrusted.problems.map((p) => p.code), ['LINEAGE_UNTRUSTED_SIGNER', 'LINEAGE_UNTRUSTED_SIGNER', 'LINEAGE_UNTRUSTED_SIGNER']);
  });
});

test('a fork in the log is reported, and nextLineageLink refuses to extend it', async () => {
  await withLog(async (log) => {
    await extend(log, 'acme/app', ecdsa, 'one');
    const first = (await lineHistory(log, 'acme/app')).records[0]!;
    await extend(log, 'acme/app', ecdsa, 'two');
    const rival = await proposeLineageRecord({ line: 'acme/app', artifact: { kind: 'file', name: 'app.tar', digest: sha256Digest('rival') }, previous: first.entryDigest, sequence: 2, createdAt: CREATED }, ecdsa);
    await log.append(rival);
    const history = await lineHistory(log, 'acme/app');
    assert.deepEqual(history.problems.map((p) => [p.code, p.index, p.sequence]), [['LINEAGE_FORK', 2n, 2]]);
    await rejectsCode(nextLineageLink(log, 'acme/app'), 'LINEAGE_FORK');
  });
});

test('a record edited in the database is LINEAGE_RECORD_INVALID, whether its bytes still parse or not', async () => {
  await withLog(async (log, dir) => {
    for (const build of ['one', 'two', 'three']) await extend(log, 'acme/app', ecdsa, build);
    const stored = parseJsonObject((await log.entry(1n)).entryBytes);
    const envelope = (stored.spec as JsonObject).envelope as JsonObject;
    const statement = parseJsonObject(Buffer.from(envelope.payload as string, 'base64'));
    (statement.subject as JsonObject[])[0]!.digest = { sha256: sha256Digest('a swapped artifact').slice(7) };
    envelope.payload = canonicalJsonBytes(statement).toString('base64');
    const db = new Database(join(dir, SQLITE_FILE));
    try {
      db.prepare('UPDATE leaves SET entry = ? WHERE idx = 1').run(canonicalJsonBytes(stored));
      db.prepare('UPDATE leaves SET entry = ? WHERE idx = 2').run(Buffer.from('not an entry'));
    } finally {
      db.close();
    }
    await rejectsCode(log.entry(2n), 'STORE_CORRUPT');
    const history = await lineHistory(log, 'acme/app');
    assert.deepEqual(history.problems.map((p) => [p.code, p.index]), [['LINEAGE_RECORD_INVALID', 1n], ['LINEAGE_RECORD_INVALID', 2n]]);
    assert.equal(history.verified, false);
    assert.deepEqual(history.records.map((r) => r.sequence), [1]);
    await rejectsCode(nextLineageLink(log, 'acme/app'), 'LINEAGE_RECORD_INVALID');
  });
});
