// The write thread that commits decision batches off the event loop, on a real SQLite file: rows committed in one
// transaction with their ids, a failing batch writes nothing, a held lock becomes STORE_UNAVAILABLE after the wait,
// a thread that cannot start fails its writes without hanging, and close waits for the writes under way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteWriteThread } from '../../src/store/sqlite/sqlite-write-thread.js';
import { isCode } from './store-under-test.js';

const INSERT = 'INSERT INTO t (v, b) VALUES (?, ?) RETURNING id';

async function withDatabase(fn: (file: string, db: Database.Database) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-write-thread-'));
  const file = join(dir, 'test.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE, b BLOB NOT NULL)');
  try {
    await fn(file, db);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('a batch is committed in one transaction and answers each row\'s id; a failing batch writes nothing', async () => {
  await withDatabase(async (file, db) => {
    const thread = new SqliteWriteThread(file, INSERT, 2_000);
    try {
      const ids = await thread.insert('writing', [['a', Buffer.from([1, 2, 3])], ['b', Buffer.alloc(70_000, 7)]]);
      assert.deepEqual(ids, [1n, 2n]);
      const rows = db.prepare('SELECT id, v, b FROM t ORDER BY id').all() as { id: number; v: string; b: Buffer }[];
      assert.deepEqual(rows.map((r) => [r.id, r.v, r.b.length]), [[1, 'a', 3], [2, 'b', 70_000]]);
      assert.deepEqual(rows[0]!.b, Buffer.from([1, 2, 3]));

      await assert.rejects(thread.insert('writing', [['c', Buffer.from('x')], ['a', Buffer.from('dup')]]), isCode('STORE_CORRUPT'));
      assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 2, 'nothing of the failed batch');
      assert.deepEqual(await thread.insert('writing', [['c', Buffer.from('x')]]), [3n]);
    } finally {
      await thread.close();
    }
  });
});

test('a write lock held past the wait is STORE_UNAVAILABLE; the thread then writes again', async () => {
  await withDatabase(async (file, db) => {
    const thread = new SqliteWriteThread(file, INSERT, 100);
    try {
      db.exec('BEGIN IMMEDIATE');
      await assert.rejects(thread.insert('writing', [['locked', Buffer.from('x')]]), isCode('STORE_UNAVAILABLE'));
      db.exec('COMMIT');
      assert.deepEqual(await thread.insert('writing', [['free', Buffer.from('x')]]), [1n]);
    } finally {
      await thread.close();
    }
  });
});

test('a thread that cannot open the database fails its writes with STORE_UNAVAILABLE, never hangs', async () => {
  const thread = new SqliteWriteThread(join(tmpdir(), 'provenant-no-such-dir', 'missing.db'), INSERT, 100);
  try {
    await assert.rejects(thread.insert('writing', [['x', Buffer.from('x')]]), isCode('STORE_UNAVAILABLE'));
    await assert.rejects(thread.insert('writing', [['y', Buffer.from('y')]]), isCode('STORE_UNAVAILABLE'));
  } finally {
    await thread.close();
  }
});

test('close waits for the writes under way, then refuses new ones', async () => {
  await withDatabase(async (file, db) => {
    const thread = new SqliteWriteThread(file, INSERT, 2_000);
    const writes = Array.from({ length: 20 }, (_, i) => thread.insert('writing', [[`row-${i}`, Buffer.alloc(1_000, i)]]));
    await thread.close();
    const ids = await Promise.all(writes);
    assert.equal(new Set(ids.flat()).size, 20);
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 20);
    await assert.rejects(thread.insert('writing', [['late', Buffer.from('x')]]), isCode('STORE_UNAVAILABLE'));
  });
});
