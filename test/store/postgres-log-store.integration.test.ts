import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openLogStore } from '../../src/store/open-log-store.js';
import { openPostgresLogStore } from '../../src/store/postgres/postgres-log-store.js';
import { POSTGRES_SCHEMA_VERSION } from '../../src/store/postgres/postgres-schema.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { describeLogStoreContract } from './log-store-contract.js';
import { isCode, type SeedRows, type StoreUnderTest } from './store-under-test.js';
import { TreeBuilder, testEntry } from './tree-batches.js';

// Held for the whole file so the cluster outlives the per-test databases.
let keep: RunningPostgres;
before(async () => {
  keep = await startPostgres();
});
after(() => keep.stop());

async function withClient<T>(url: string, f: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await f(client);
  } finally {
    await client.end();
  }
}

async function seed(url: string, rows: SeedRows): Promise<void> {
  await withClient(url, async (client) => {
    const { leaf, checkpoint: cp } = rows;
    await client.query('BEGIN');
    await client.query('INSERT INTO leaves VALUES ($1, $2, $3, $4)', [leaf.index.toString(), leaf.leafHash, leaf.entry, leaf.integratedAt]);
    for (const n of rows.nodes) await client.query('INSERT INTO nodes VALUES ($1, $2, $3)', [n.level, n.index.toString(), n.hash]);
    await client.query('INSERT INTO checkpoints VALUES ($1, $2, $3, $4)', [cp.size.toString(), cp.rootHash, cp.note, cp.issuedAt]);
    await client.query('COMMIT');
  });
}

async function harness(): Promise<StoreUnderTest> {
  const db = await startPostgres();
  return {
    store: await openPostgresLogStore(db.url),
    reopen: () => openPostgresLogStore(db.url),
    cleanup: db.stop,
    seed: (rows) => seed(db.url, rows),
  };
}

describeLogStoreContract('postgres', harness);

describe('PostgreSQL log store', () => {
  it('is chosen by openLogStore for postgres:// and postgresql:// URLs', async () => {
    const db = await startPostgres();
    try {
      for (const url of [db.url, db.url.replace(/^postgres:/, 'postgresql:')]) {
        const store = await openLogStore({ databaseUrl: url });
        assert.equal(store.backend, 'postgres');
        assert.equal(await store.ping(), true);
        await store.close();
      }
    } finally {
      await db.stop();
    }
  });

  it('migrates once when several stores open the same database at the same time', async () => {
    const db = await startPostgres();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresLogStore(db.url, { maxConnections: 2 })));
      await stores[0]!.integrate(TreeBuilder.empty().batch([testEntry('m', 0)]).batch);
      for (const s of stores) assert.equal((await s.latestCheckpoint())?.size, 1n);
      await Promise.all(stores.map((s) => s.close()));
      const version = await withClient(db.url, async (c) => (await c.query("SELECT value FROM settings WHERE name = 'schema_version'")).rows);
      assert.deepEqual(version, [{ value: String(POSTGRES_SCHEMA_VERSION) }]);
    } finally {
      await db.stop();
    }
  });

  it('refuses a database whose schema is newer than this code knows (STORE_CORRUPT)', async () => {
    const db = await startPostgres();
    try {
      await (await openPostgresLogStore(db.url)).close();
      await withClient(db.url, (c) => c.query("UPDATE settings SET value = '99' WHERE name = 'schema_version'"));
      await assert.rejects(openPostgresLogStore(db.url), isCode('STORE_CORRUPT'));
    } finally {
      await db.stop();
    }
  });

  it('reports a database that went away as STORE_UNAVAILABLE and ping false', async () => {
    const db = await startPostgres();
    const store = await openPostgresLogStore(db.url, { connectTimeoutMs: 2_000 });
    try {
      const first = TreeBuilder.empty().batch([testEntry('u', 0)]);
      await store.integrate(first.batch);
      // Dropping the database (WITH FORCE) also ends every session the store's pool holds.
      await db.stop();
      await assert.rejects(store.latestCheckpoint(), isCode('STORE_UNAVAILABLE'));
      await assert.rejects(store.integrate(first.next.batch([testEntry('u', 1)]).batch), isCode('STORE_UNAVAILABLE'));
      await assert.rejects(store.claimSetting('origin', 'x'), isCode('STORE_UNAVAILABLE'));
      assert.equal(await store.ping(), false);
    } finally {
      await store.close();
    }
    await assert.rejects(openPostgresLogStore(db.url, { connectTimeoutMs: 2_000 }), isCode('STORE_UNAVAILABLE'));
  });
});
