import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { SQLITE_FILE, openSqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';
import { SQLITE_SCHEMA_VERSION } from '../../src/store/sqlite/sqlite-schema.js';
import { describeLogStoreContract } from './log-store-contract.js';
import { isCode, type SeedRows, type StoreUnderTest } from './store-under-test.js';
import { TreeBuilder, testEntry } from './tree-batches.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-sqlite-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => join(root, `log-${counter++}`, 'data');

function raw(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, SQLITE_FILE), { timeout: 15_000 });
  db.defaultSafeIntegers(true);
  return db;
}

function seed(dataDir: string, rows: SeedRows): void {
  const db = raw(dataDir);
  try {
    db.transaction(() => {
      const { leaf, checkpoint: cp } = rows;
      db.prepare('INSERT INTO leaves VALUES (?, ?, ?, ?)').run(leaf.index, leaf.leafHash, leaf.entry, BigInt(leaf.integratedAt));
      const node = db.prepare('INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)');
      for (const n of rows.nodes) node.run(n.level, n.index, n.hash);
      db.prepare('INSERT INTO checkpoints VALUES (?, ?, ?, ?)').run(cp.size, cp.rootHash, cp.note, BigInt(cp.issuedAt));
    }).immediate();
  } finally {
    db.close();
  }
}

async function harness(): Promise<StoreUnderTest> {
  const dataDir = freshDir();
  return {
    store: await openSqliteLogStore(dataDir),
    reopen: () => openSqliteLogStore(dataDir),
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    seed: async (rows) => seed(dataDir, rows),
  };
}

describeLogStoreContract('sqlite', harness);

/** Runs a child Node process and resolves with its first line of output; `done` settles when it exits. */
function child(args: string[]): { firstLine: Promise<string>; done: Promise<number | null>; kill: () => void } {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  const firstLine = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`child exited with ${code} before writing a line`)));
  });
  const done = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { firstLine, done, kill: () => proc.kill('SIGKILL') };
}

describe('SQLite log store', () => {
  it('creates the data directory private (0700) with one WAL-mode database file', async () => {
    const dataDir = freshDir();
    const store = await openSqliteLogStore(dataDir);
    await store.close();
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    const db = raw(dataDir);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal((db.prepare("SELECT value FROM settings WHERE name = 'schema_version'").get() as { value: string }).value, String(SQLITE_SCHEMA_VERSION));
    } finally {
      db.close();
    }
  });

  it('makes a writer in another process wait for the lock, and its uncommitted rows stay invisible', async () => {
    const dataDir = freshDir();
    const store = await openSqliteLogStore(dataDir);
    try {
      const first = TreeBuilder.empty().batch([testEntry('w', 0)]);
      await store.integrate(first.batch);
      const script = [
        'const Database = require(process.argv[1]);',
        'const db = new Database(process.argv[2]);',
        "db.exec('BEGIN IMMEDIATE');",
        "db.prepare(\"INSERT INTO checkpoints VALUES (999, zeroblob(32), 'uncommitted', 0)\").run();",
        "process.stdout.write('locked\\n');",
        "setTimeout(() => { db.exec('ROLLBACK'); db.close(); }, 300);",
      ].join('\n');
      const holder = child(['-e', script, createRequire(import.meta.url).resolve('better-sqlite3'), join(dataDir, SQLITE_FILE)]);
      assert.equal(await holder.firstLine, 'locked');
      assert.deepEqual(await store.latestCheckpoint(), first.batch.checkpoint);
      const second = first.next.batch([testEntry('w', 1)]);
      await store.integrate(second.batch);
      assert.equal(await holder.done, 0);
      assert.deepEqual(await store.latestCheckpoint(), second.batch.checkpoint);
      assert.equal(await store.checkpointAt(999n), null);
    } finally {
      await store.close();
    }
  });

  it('keeps an acknowledged batch when the writing process is killed with SIGKILL', async () => {
    const dataDir = freshDir();
    const module = (path: string) => JSON.stringify(pathToFileURL(join(import.meta.dirname, path)).href);
    const script = [
      `import { openSqliteLogStore } from ${module('../../src/store/sqlite/sqlite-log-store.ts')};`,
      `import { TreeBuilder, testEntry } from ${module('./tree-batches.ts')};`,
      `const store = await openSqliteLogStore(${JSON.stringify(dataDir)});`,
      "const { batch } = TreeBuilder.empty().batch([testEntry('k', 0), testEntry('k', 1), testEntry('k', 2)]);",
      'await store.integrate(batch);',
      "process.stdout.write(batch.checkpoint.rootHash.toString('hex') + '\\n');",
      'setInterval(() => undefined, 60_000);',
    ].join('\n');
    const writer = child(['--import', 'tsx', '--input-type=module', '-e', script]);
    const rootHex = await writer.firstLine;
    writer.kill();
    await writer.done;
    const store = await openSqliteLogStore(dataDir);
    try {
      assert.equal((await store.latestCheckpoint())?.rootHash.toString('hex'), rootHex);
      assert.equal((await store.leaves(0n, 10n)).length, 3);
    } finally {
      await store.close();
    }
  });

  it('refuses a database whose schema is newer than this code knows (STORE_CORRUPT)', async () => {
    const dataDir = freshDir();
    await (await openSqliteLogStore(dataDir)).close();
    const db = raw(dataDir);
    db.prepare("UPDATE settings SET value = '99' WHERE name = 'schema_version'").run();
    db.close();
    await assert.rejects(openSqliteLogStore(dataDir), isCode('STORE_CORRUPT'));
  });

  it('reports rows that break an invariant as STORE_CORRUPT', async () => {
    const dataDir = freshDir();
    const store = await openSqliteLogStore(dataDir);
    try {
      const first = TreeBuilder.empty().batch([testEntry('c', 0), testEntry('c', 1)]);
      await store.integrate(first.batch);
      const db = raw(dataDir);
      db.pragma('ignore_check_constraints = ON');
      db.prepare('UPDATE nodes SET hash = x\'00\' WHERE level = 1 AND idx = 0').run();
      db.prepare("INSERT INTO checkpoints VALUES (7, zeroblob(32), 'stray', 0)").run();
      db.close();
      await assert.rejects(store.nodeHashes([{ level: 1, index: 0n }]), isCode('STORE_CORRUPT'));
      await assert.rejects(store.nodeRange(1, 0n, 1n), isCode('STORE_CORRUPT'));
      await assert.rejects(store.integrate(first.next.batch([testEntry('c', 2)]).batch), isCode('STORE_CORRUPT'));
    } finally {
      await store.close();
    }
  });

  it('refuses a file that is not a database (STORE_CORRUPT) and a data directory that is a file (IO_ERROR)', async () => {
    const dataDir = freshDir();
    await (await openSqliteLogStore(dataDir)).close();
    rmSync(join(dataDir, SQLITE_FILE));
    writeFileSync(join(dataDir, SQLITE_FILE), Buffer.alloc(8192, 0x41));
    await assert.rejects(openSqliteLogStore(dataDir), isCode('STORE_CORRUPT'));
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    await assert.rejects(openSqliteLogStore(file), isCode('IO_ERROR'));
  });

  it('integrates a 1,024-leaf batch in one transaction', async () => {
    const store = await openSqliteLogStore(freshDir());
    try {
      const terms = (i: number) => [
        { name: 'kind' as const, value: 'attestation' },
        { name: 'subject' as const, value: `sha256:${String(i % 97).padStart(64, '0')}` },
        { name: 'signer' as const, value: `signer-${i % 3}` },
        { name: 'predicateType' as const, value: 'https://slsa.dev/provenance/v1' },
      ];
      const { batch } = TreeBuilder.empty().batch(Array.from({ length: 1024 }, (_, i) => testEntry('big', i, terms(i))));
      assert.equal(batch.nodes.length, 2047);
      await store.integrate(batch);
      assert.equal((await store.latestCheckpoint())?.size, 1024n);
      assert.equal((await store.search({ terms: [{ name: 'signer', value: 'signer-1' }], limit: 2000 })).length, 341);
    } finally {
      await store.close();
    }
  });
});
