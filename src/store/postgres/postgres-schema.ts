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
  // The decision log and the advisory set (policy-ports.ts). Keys are COLLATE "C" so they order by UTF-8 bytes,
  // as SQLite does, whatever the database's locale. namespace is '' when a decision had none.
  {
    version: 2,
    statements: [
      `CREATE TABLE decisions (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        image_digest TEXT COLLATE "C" NOT NULL CHECK (octet_length(image_digest) = 71),
        reference TEXT COLLATE "C" NOT NULL CHECK (reference <> ''),
        namespace TEXT COLLATE "C" NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('admission', 'docker', 'gate', 'api', 'reevaluation')),
        policy_version TEXT NOT NULL,
        data_version TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('allow', 'warn', 'deny', 'sandbox')),
        decided_at BIGINT NOT NULL CHECK (decided_at >= 0),
        decision BYTEA NOT NULL
      )`,
      // decisionsFor walks this backwards from the newest id of a digest.
      'CREATE INDEX decisions_by_digest ON decisions (image_digest, id)',
      // admittedImages walks this once in key order, newest first within a key (DISTINCT ON keeps that one);
      // outcome is included so the walk can skip denied keys without visiting the table.
      `CREATE INDEX decisions_latest_admission ON decisions (image_digest, reference, namespace, id DESC) INCLUDE (outcome)
        WHERE source <> 'reevaluation'`,
      // modified_key is the instant of modified (instantKey), compared when a newer record arrives.
      `CREATE TABLE advisories (
        id TEXT COLLATE "C" PRIMARY KEY CHECK (id <> ''),
        modified TEXT NOT NULL,
        modified_key TEXT COLLATE "C" NOT NULL,
        record BYTEA NOT NULL
      )`,
      // One row; putAdvisories locks it first, so concurrent calls (from any replica) take turns.
      `CREATE TABLE advisory_revision (
        singleton BOOLEAN PRIMARY KEY CHECK (singleton),
        revision BIGINT NOT NULL CHECK (revision >= 0)
      )`,
      'INSERT INTO advisory_revision (singleton, revision) VALUES (TRUE, 0)',
    ],
  },
];

export const POSTGRES_SCHEMA_VERSION = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));

/**
 * Brings the schema up to date (or up to `target`, which only tests of upgrades ask for) in one transaction on
 * `client`.
 */
export async function migratePostgres(client: PoolClient, target = POSTGRES_SCHEMA_VERSION): Promise<void> {
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
      if (migration.version <= current || migration.version > target) continue;
      for (const statement of migration.statements) await client.query(statement);
    }
    if (current < target) {
      await client.query(
        'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
        [SCHEMA_VERSION_SETTING, String(target)],
      );
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
