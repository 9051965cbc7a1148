import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { batchRows } from '../../src/store/batch-rows.js';
import type { IntegrationBatch } from '../../src/store/ports.js';
import { openPostgresLogStore } from '../../src/store/postgres/postgres-log-store.js';
import { migratePostgres } from '../../src/store/postgres/postgres-schema.js';
import { insertBatch } from '../../src/store/postgres/postgres-statements.js';
import { inTransaction } from '../../src/store/postgres/postgres-transaction.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { describePolicyStoreContract } from './policy-store-contract.js';
import { digestOf, testDecision, type PolicyStoreUnderTest } from './policy-store-under-test.js';

// Held for the whole file so the cluster outlives the per-test databases.
let keep: RunningPostgres;
before(async () => {
  keep = await startPostgres();
});
after(() => keep.stop());

async function withPool<T>(url: string, f: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return await f(pool);
  } finally {
    await pool.end();
  }
}

async function harness(db: RunningPostgres): Promise<PolicyStoreUnderTest> {
  return {
    store: await openPostgresLogStore(db.url),
    reopen: () => openPostgresLogStore(db.url),
    schemaVersion: () =>
      withPool(db.url, async (pool) => (await pool.query("SELECT value FROM settings WHERE name = 'schema_version'")).rows[0].value as string),
    cleanup: db.stop,
  };
}

/** A database as the version-1 code left it: migration 1 only, and a batch written with that schema's statements. */
async function version1Database(url: string, batch: IntegrationBatch): Promise<void> {
  await withPool(url, async (pool) => {
    const client = await pool.connect();
    try {
      await migratePostgres(client, 1);
    } finally {
      client.release();
    }
    await inTransaction(pool, (c) => insertBatch(c, batchRows(batch)));
  });
}

describePolicyStoreContract('postgres', {
  open: async () => harness(await startPostgres()),
  openFromVersion1: async (batch) => {
    const db = await startPostgres();
    await version1Database(db.url, batch);
    return harness(db);
  },
});

describe('PostgreSQL policy tables', () => {
  it('plan admittedImages and decisionsFor as one walk of their index each, with no sort', async () => {
    const db = await startPostgres();
    const store = await openPostgresLogStore(db.url);
    try {
      for (let i = 0; i < 200; i++) {
        await store.recordDecision(testDecision({ tag: `img-${i % 40}`, namespace: i % 3 === 0 ? null : `ns-${i % 5}`, outcome: i % 4 === 0 ? 'deny' : 'allow' }));
      }
      const plans = await withPool(db.url, async (pool) => {
        await pool.query('ANALYZE decisions');
        const explain = async (sql: string, params: unknown[]) => {
          const client = await pool.connect();
          try {
            // A table this small would be read whole and sorted; the question is whether a sort-free index path
            // exists, and the planner shows a Sort despite enable_sort = off only when none does.
            for (const setting of ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']) await client.query(`SET ${setting} = off`);
            return (await client.query(`EXPLAIN ${sql}`, params)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
          } finally {
            await client.query('RESET ALL');
            client.release();
          }
        };
        const { ADMITTED_SQL, DECISIONS_FOR_SQL } = await import('../../src/store/postgres/postgres-policy-tables.js');
        return {
          admitted: await explain(ADMITTED_SQL, ['', '', '', 10]),
          decisionsFor: await explain(DECISIONS_FOR_SQL, [digestOf('img-1'), 10]),
        };
      });
      assert.match(plans.admitted, /Index Only Scan using decisions_latest_admission/, plans.admitted);
      assert.doesNotMatch(plans.admitted, /Sort/, plans.admitted);
      assert.match(plans.decisionsFor, /Index Scan Backward using decisions_by_digest/, plans.decisionsFor);
      assert.doesNotMatch(plans.decisionsFor, /Sort/, plans.decisionsFor);
    } finally {
      await store.close();
      await db.stop();
    }
  });
});
