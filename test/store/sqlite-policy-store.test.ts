import { after } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { batchRows } from '../../src/store/batch-rows.js';
import type { IntegrationBatch } from '../../src/store/ports.js';
import { SQLITE_FILE, openSqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';
import { migrateSqlite } from '../../src/store/sqlite/sqlite-schema.js';
import { SqliteStatements } from '../../src/store/sqlite/sqlite-statements.js';
import { describePolicyStoreContract } from './policy-store-contract.js';
import type { PolicyStoreUnderTest } from './policy-store-under-test.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-sqlite-policy-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

function raw(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, SQLITE_FILE), { timeout: 15_000 });
  db.defaultSafeIntegers(true);
  return db;
}

async function harness(dataDir: string): Promise<PolicyStoreUnderTest> {
  return {
    store: await openSqliteLogStore(dataDir),
    reopen: () => openSqliteLogStore(dataDir),
    schemaVersion: async () => {
      const db = raw(dataDir);
      try {
        return (db.prepare("SELECT value FROM settings WHERE name = 'schema_version'").get() as { value: string }).value;
      } finally {
        db.close();
      }
    },
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** A database as the version-1 code left it: migration 1 only, and a batch written with that schema's statements. */
function version1Database(dataDir: string, batch: IntegrationBatch): void {
  mkdirSync(dataDir, { recursive: true });
  const db = raw(dataDir);
  try {
    db.pragma('journal_mode = WAL');
    db.transaction(() => {
      migrateSqlite(db, 1);
      const s = new SqliteStatements(db);
      const rows = batchRows(batch);
      for (const leaf of rows.leaves) s.insertLeaf.run(leaf.index, leaf.leafHash, leaf.entry, BigInt(rows.integratedAt));
      for (const node of rows.nodes) s.insertNode.run(node.level, node.index, node.hash);
      const cp = rows.checkpoint;
      s.insertCheckpoint.run(cp.size, cp.rootHash, cp.note, BigInt(cp.issuedAt));
    }).immediate();
  } finally {
    db.close();
  }
}

describePolicyStoreContract('sqlite', {
  open: () => harness(join(root, `db-${counter++}`)),
  openFromVersion1: async (batch) => {
    const dataDir = join(root, `v1-${counter++}`);
    version1Database(dataDir, batch);
    return harness(dataDir);
  },
});
