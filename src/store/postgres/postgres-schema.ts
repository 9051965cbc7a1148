// The PostgreSQL schema as an ordered list of migrations, the same tables as the SQLite store with native types.
// Opening migrates under the sequencer's advisory lock, so replicas starting together migrate once and never
// while a batch is being written. Later features append migrations here; released ones never change.
import type { PoolClient } from 'pg';
import { corrupt, SCHEMA_VERSION_SETTING } from '../stored-values.js';

export interface PostgresMigration {
  readonly version: number;
  readonly statements: readonly string[];
}

/**
 * The key of the transaction-scoped advisory lock that makes one sequencer at a time across all replicas:
 * the ASCII bytes "provnant" as a signed 64-bit integer. Fixed forever; changing it would let an old and a new
 * replica sequence at the same time.
 */
export const SEQUENCER_LOCK_KEY = '8102661234041646708';

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE leaves (
        idx BIGINT PRIMARY KEY CHECK (idx >= 0),
        leaf_hash BYTEA NOT NULL CHECK (octet_length(leaf_hash) = 32),
        entry BYTEA NOT NULL,
        integrated_at BIGINT NOT NULL,
        CONSTRAINT leaves_leaf_hash_key UNIQUE (leaf_hash)
      )`,
      `CREATE TABLE nodes (
        level SMALLINT NOT NULL CHECK (level BETWEEN 0 AND 63),
        idx BIGINT NOT NULL CHECK (idx >= 0),
        hash BYTEA NOT NULL CHECK (octet_length(hash) = 32),
        PRIMARY KEY (level, idx)
      )`,
      `CREATE TABLE checkpoints (
        size BIGINT PRIMARY KEY CHECK (size >= 0),
        root_hash BYTEA NOT NULL CHECK (octet_length(root_hash) = 32),
        note TEXT NOT NULL,
        issued_at BIGINT NOT NULL
      )`,
      // The primary key is the (name, value, idx) index a search walks.
      `CREATE TABLE index_terms (
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        idx BIGINT NOT NULL,
        PRIMARY KEY (name, value, idx)
      )`,
      `CREATE TABLE blobs (
        digest TEXT PRIMARY KEY,
        media_type TEXT NOT NULL,
        data BYTEA NOT NULL
      )`,
    ],
  },
];

export const POSTGRES_SCHEMA_VERSION = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));

/** Brings the schema up to date in one transaction on `client`. */
export async function migratePostgres(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SEQUENCER_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const row = (await client.query<{ value: string }>('SELECT value FROM settings WHERE name = $1', [SCHEMA_VERSION_SETTING])).rows[0];
    const current = row === undefined ? 0 : Number(row.value);
    if (!Number.isSafeInteger(current) || current < 0) {
      throw corrupt(`the stored schema version ${JSON.stringify(row?.value)} is not a number`);
    }
    if (current > POSTGRES_SCHEMA_VERSION) {
      throw corrupt(`the database has schema version ${current}; this version of Provenant knows up to ${POSTGRES_SCHEMA_VERSION}`, {
        stored: current,
        known: POSTGRES_SCHEMA_VERSION,
      });
    }
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements) await client.query(statement);
    }
    if (current < POSTGRES_SCHEMA_VERSION) {
      await client.query(
        'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
        [SCHEMA_VERSION_SETTING, String(POSTGRES_SCHEMA_VERSION)],
      );
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
