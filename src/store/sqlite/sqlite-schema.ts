// The SQLite schema as an ordered list of migrations. A database records the last one applied in the
// `schema_version` setting; opening applies the rest in one write transaction, so two processes opening the same
// file at once migrate it once. Later features append migrations here; released ones never change.
import type Database from 'better-sqlite3';
import { corrupt, SCHEMA_VERSION_SETTING } from '../stored-values.js';

export interface SqliteMigration {
  readonly version: number;
  readonly statements: readonly string[];
}

// STRICT tables refuse values of the wrong type instead of converting them; the CHECKs keep hand-edited rows from
// breaking what readers assume. idx INTEGER PRIMARY KEY makes the leaf index the rowid.
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE leaves (
        idx INTEGER PRIMARY KEY CHECK (idx >= 0),
        leaf_hash BLOB NOT NULL UNIQUE CHECK (length(leaf_hash) = 32),
        entry BLOB NOT NULL,
        integrated_at INTEGER NOT NULL
      ) STRICT`,
      `CREATE TABLE nodes (
        level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 63),
        idx INTEGER NOT NULL CHECK (idx >= 0),
        hash BLOB NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      ) STRICT, WITHOUT ROWID`,
      `CREATE TABLE checkpoints (
        size INTEGER PRIMARY KEY CHECK (size >= 0),
        root_hash BLOB NOT NULL CHECK (length(root_hash) = 32),
        note TEXT NOT NULL,
        issued_at INTEGER NOT NULL
      ) STRICT`,
      // The primary key is the (name, value, idx) index a search walks.
      `CREATE TABLE index_terms (
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        idx INTEGER NOT NULL,
        PRIMARY KEY (name, value, idx)
      ) STRICT, WITHOUT ROWID`,
      `CREATE TABLE blobs (
        digest TEXT PRIMARY KEY,
        media_type TEXT NOT NULL,
        data BLOB NOT NULL
      ) STRICT`,
    ],
  },
  // The decision log and the advisory set (policy-ports.ts). Text compares as BINARY, i.e. by UTF-8 bytes, the
  // order the PostgreSQL schema gets with COLLATE "C". namespace is '' when a decision had none.
  {
    version: 2,
    statements: [
      `CREATE TABLE decisions (
        id INTEGER PRIMARY KEY,
        image_digest TEXT NOT NULL CHECK (length(image_digest) = 71),
        reference TEXT NOT NULL CHECK (reference <> ''),
        namespace TEXT NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('admission', 'docker', 'gate', 'api', 'reevaluation')),
        policy_version TEXT NOT NULL,
        data_version TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('allow', 'warn', 'deny', 'sandbox')),
        decided_at INTEGER NOT NULL CHECK (decided_at >= 0),
        decision BLOB NOT NULL
      ) STRICT`,
      // decisionsFor walks this backwards from the newest id of a digest.
      'CREATE INDEX decisions_by_digest ON decisions (image_digest, id)',
      // admittedImages walks this once in key order: max(id) per key picks the latest decision. outcome and source
      // are in it so the walk never visits the table (SQLite covers a partial index's own WHERE only with the column).
      `CREATE INDEX decisions_latest_admission ON decisions (image_digest, reference, namespace, id, outcome, source)
        WHERE source <> 'reevaluation'`,
      // modified_key is the instant of modified (instantKey), compared when a newer record arrives.
      `CREATE TABLE advisories (
        id TEXT PRIMARY KEY CHECK (id <> ''),
        modified TEXT NOT NULL,
        modified_key TEXT NOT NULL,
        record BLOB NOT NULL
      ) STRICT`,
      `CREATE TABLE advisory_revision (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        revision INTEGER NOT NULL CHECK (revision >= 0)
      ) STRICT`,
      'INSERT INTO advisory_revision (singleton, revision) VALUES (1, 0)',
    ],
  },
];

export const SQLITE_SCHEMA_VERSION = Math.max(...SQLITE_MIGRATIONS.map((m) => m.version));

/**
 * Brings the schema up to date (or up to `target`, which only tests of upgrades ask for); runs inside the caller's
 * write transaction.
 */
export function migrateSqlite(db: Database.Database, target = SQLITE_SCHEMA_VERSION): void {
  db.exec('CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT');
  const row = db.prepare('SELECT value FROM settings WHERE name = ?').get(SCHEMA_VERSION_SETTING) as { value: string } | undefined;
  const current = row === undefined ? 0 : Number(row.value);
  if (!Number.isSafeInteger(current) || current < 0) {
    throw corrupt(`the stored schema version ${JSON.stringify(row?.value)} is not a number`);
  }
  if (current > SQLITE_SCHEMA_VERSION) {
    throw corrupt(`the database has schema version ${current}; this version of Provenant knows up to ${SQLITE_SCHEMA_VERSION}`, {
      stored: current,
      known: SQLITE_SCHEMA_VERSION,
    });
  }
  for (const migration of SQLITE_MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    for (const statement of migration.statements) db.exec(statement);
  }
  if (current < target) {
    db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(
      SCHEMA_VERSION_SETTING,
      String(target),
    );
  }
}
