// The log opened for reading only (TransparencyLog.openReader over a SQLite store): the same answers as the log
// opened with its key, no appends, and nothing bound or written in a store that has no log yet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sha256Digest } from '../../src/core/digest.js';
import { TransparencyLog, VERIFIER_KEY_SETTING } from '../../src/log/transparency-log.js';
import { openLogStore } from '../../src/store/open-log-store.js';
import { SQLITE_FILE } from '../../src/store/sqlite/sqlite-log-store.js';
import { newNoteSigner, openLog, ORIGIN, proposal, rejectsCode } from './transparency-log-contract.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-stored-log-'));
test.after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => join(root, `log-${counter++}`);

test('a reader opened without the key answers every read as the log does, sees later appends and refuses appends', async () => {
  const dataDir = freshDir();
  const signer = newNoteSigner();
  const log = await openLog(await openLogStore({ dataDir }), signer);
  const reader = await TransparencyLog.openReader({ store: await openLogStore({ dataDir }) }).catch(async (e: unknown) => {
    await log.close();
    throw e;
  });
  try {
    await Promise.all(Array.from({ length: 5 }, (_, i) => log.append(proposal('read', i, { blob: `blob ${i}` }))));
    assert.equal(reader.origin, ORIGIN);
    assert.equal(reader.verifierKey, signer.verifierKey);
    assert.deepEqual(await reader.info(), await log.info());
    assert.equal((await reader.info()).size, 5n);
    assert.deepEqual(await reader.entry(2n), await log.entry(2n));
    const leaf = (await log.entry(3n)).leafHash;
    assert.deepEqual(await reader.entryByLeafHash(leaf), await log.entryByLeafHash(leaf));
    assert.deepEqual(await reader.inclusionProof(2n), await log.inclusionProof(2n));
    assert.deepEqual(await reader.consistencyProof(2n, 5n), await log.consistencyProof(2n, 5n));
    assert.deepEqual(await reader.search({ line: 'read' }, { limit: 2 }), await log.search({ line: 'read' }, { limit: 2 }));
    assert.deepEqual(await reader.blob(sha256Digest('blob 1')), await log.blob(sha256Digest('blob 1')));
    assert.equal(await reader.checkpointNote(), await log.checkpointNote());
    assert.deepEqual(await reader.tile(0, 0n, 5), await log.tile(0, 0n, 5));
    assert.deepEqual(await reader.entryBundle(0n, 5), await log.entryBundle(0n, 5));
    await rejectsCode(reader.append(proposal('read', 9)), 'LOG_READ_ONLY');
    await rejectsCode(reader.entry(5n), 'LOG_ENTRY_NOT_FOUND');
    await log.append(proposal('read', 5));
    assert.equal((await reader.info()).size, 6n);
    assert.equal(await reader.ping(), true);
  } finally {
    await reader.close();
    await log.close();
  }
});

test('a store with no log is STORE_EMPTY for a reader, which binds no origin or key', async () => {
  const store = await openLogStore({ dataDir: freshDir() });
  await rejectsCode(TransparencyLog.openReader({ store }), 'STORE_EMPTY');
  await rejectsCode(TransparencyLog.openReader({ store, origin: 'reader.example/log' }), 'STORE_EMPTY');
  // Had the reader bound its origin, the log could not now be opened under another one.
  const log = await openLog(store, newNoteSigner());
  try {
    assert.equal(log.origin, ORIGIN);
    assert.equal((await log.info()).size, 0n);
  } finally {
    await log.close();
  }
});

test('a reader expecting another origin is LOG_KEY_MISMATCH; a bound key that does not sign the checkpoint is STORE_CORRUPT', async () => {
  const dataDir = freshDir();
  const log = await openLog(await openLogStore({ dataDir }), newNoteSigner());
  await log.append(proposal('x', 0));
  await log.close();
  const store = await openLogStore({ dataDir });
  try {
    await rejectsCode(TransparencyLog.openReader({ store, origin: 'another.example/log' }), 'LOG_KEY_MISMATCH');
    assert.equal((await TransparencyLog.openReader({ store, origin: ORIGIN })).origin, ORIGIN);
  } finally {
    await store.close();
  }
  const db = new Database(join(dataDir, SQLITE_FILE));
  try {
    db.prepare('UPDATE settings SET value = ? WHERE name = ?').run(newNoteSigner().verifierKey, VERIFIER_KEY_SETTING);
  } finally {
    db.close();
  }
  const edited = await openLogStore({ dataDir });
  try {
    await rejectsCode(TransparencyLog.openReader({ store: edited }), 'STORE_CORRUPT');
  } finally {
    await edited.close();
  }
});
