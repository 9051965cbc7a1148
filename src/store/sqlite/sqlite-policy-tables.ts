// The decision log and the advisory set on the SQLite file of the log (schema migration 2). Statements run
// through the store's runner, so they share its connection, its asynchronous wait for another writer's lock and
// its error mapping; putAdvisories is one BEGIN IMMEDIATE transaction.
import type Database from 'better-sqlite3';
import { isDigest } from '../../core/digest.js';
import {
  DECISION_COLUMNS, admissionCursor, admittedFromRow, advisoryCursor, advisoryFromRow, checkAdvisories, checkNewDecision,
  checkNewDecisions,
  checkPageLimit, decisionFromRow, namespaceColumn, planAdvisoryWrites, storedModifiedKey, storedRevision,
  type AdmissionKey, type AdmittedImage, type AdvisoryPutResult, type AdvisoryStore, type CheckedAdvisory,
  type DecisionStore, type NewDecision, type StoredAdvisory, type StoredDecision,
} from '../policy-ports.js';
import { corrupt, isStorableIndex, storedIndex } from '../stored-values.js';
import type { SqliteWriteThread } from './sqlite-write-thread.js';

/** Runs `f` on the store's connection: waits out another writer's lock, maps errors, refuses when closed. */
export type SqliteRunner = <T>(what: string, f: () => T) => Promise<T>;

type Row = Record<string, unknown>;

const DECISION_SELECT = `SELECT ${DECISION_COLUMNS} FROM decisions`;

export const INSERT_DECISION_SQL = `INSERT INTO decisions (image_digest, reference, namespace, source, policy_version, data_version, outcome, decided_at, decision)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`;

// One walk of decisions_latest_admission from the cursor: max(id) per key is the latest non-reevaluation
// decision, and SQLite takes the bare column `outcome` (in the result and in HAVING) from that same row
// (https://www.sqlite.org/lang_select.html#bare_columns_in_an_aggregate_query). Only the page's rows are then
// read from the table.
const ADMITTED_SQL = `SELECT ${DECISION_COLUMNS.split(', ').map((c) => `d.${c}`).join(', ')} FROM (
    SELECT max(id) AS id, outcome, image_digest, reference, namespace FROM decisions
    WHERE source <> 'reevaluation' AND (image_digest, reference, namespace) > (?, ?, ?)
    GROUP BY image_digest, reference, namespace
    HAVING outcome <> 'deny'
    ORDER BY image_digest, reference, namespace
    LIMIT ?
  ) latest JOIN decisions d ON d.id = latest.id
  ORDER BY latest.image_digest, latest.reference, latest.namespace`;

export class SqlitePolicyTables implements DecisionStore, AdvisoryStore {
  private readonly insertDecision: Database.Statement;
  private readonly decisionById: Database.Statement;
  private readonly decisionsByDigest: Database.Statement;
  private readonly admitted: Database.Statement;
  private readonly modifiedKey: Database.Statement;
  private readonly upsertAdvisory: Database.Statement;
  private readonly bumpRevision: Database.Statement;
  private readonly advisoryPage: Database.Statement;
  private readonly countAdvisories: Database.Statement;
  private readonly revision: Database.Statement;
  private readonly putTx: Database.Transaction<(advisories: readonly CheckedAdvisory[]) => AdvisoryPutResult>;
  private readonly recordTx: Database.Transaction<(decisions: readonly NewDecision[]) => bigint[]>;

  /**
   * `writer`, when given, commits decision batches on its own connection off the event loop (sqlite-write-thread.ts);
   * without one they are written on `db`.
   */
  constructor(db: Database.Database, private readonly run: SqliteRunner, private readonly writer?: SqliteWriteThread) {
    this.insertDecision = db.prepare(INSERT_DECISION_SQL);
    this.decisionById = db.prepare(`${DECISION_SELECT} WHERE id = ?`);
    this.decisionsByDigest = db.prepare(`${DECISION_SELECT} WHERE image_digest = ? ORDER BY id DESC LIMIT ?`);
    this.admitted = db.prepare(ADMITTED_SQL);
    this.modifiedKey = db.prepare('SELECT modified_key FROM advisories WHERE id = ?');
    this.upsertAdvisory = db.prepare(
      `INSERT INTO advisories (id, modified, modified_key, record) VALUES (?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, modified_key = excluded.modified_key, record = excluded.record`,
    );
    this.bumpRevision = db.prepare('UPDATE advisory_revision SET revision = revision + 1 WHERE singleton = 1');
    this.advisoryPage = db.prepare('SELECT id, modified, record FROM advisories WHERE id > ? ORDER BY id LIMIT ?');
    this.countAdvisories = db.prepare('SELECT count(*) AS n FROM advisories');
    this.revision = db.prepare('SELECT revision FROM advisory_revision WHERE singleton = 1');
    this.putTx = db.transaction((advisories: readonly CheckedAdvisory[]) => this.writeAdvisories(advisories));
    this.recordTx = db.transaction((decisions: readonly NewDecision[]) => decisions.map((d) => this.insertOne(d)));
  }

  async recordDecision(d: NewDecision): Promise<bigint> {
    checkNewDecision(d);
    // A single INSERT in autocommit: SQLITE_BUSY comes before anything is written, so a retry cannot duplicate it.
    return this.run('recording a decision', () => this.insertOne(d));
  }

  async recordDecisions(decisions: readonly NewDecision[]): Promise<bigint[]> {
    checkNewDecisions(decisions);
    if (this.writer !== undefined) {
      const ids = await this.writer.insert('recording decisions', decisions.map(decisionRow));
      return ids.map((id) => storedIndex(id, 'decision id'));
    }
    // BEGIN IMMEDIATE takes the write lock first, so SQLITE_BUSY comes before anything is written.
    return this.run('recording decisions', () => this.recordTx.immediate(decisions));
  }

  async decisionsFor(imageDigest: string, limit: number): Promise<StoredDecision[]> {
    checkPageLimit(limit, 'decisionsFor');
    return this.run('reading decisions', () =>
      isDigest(imageDigest) ? (this.decisionsByDigest.all(imageDigest, limit) as Row[]).map(decisionFromRow) : [],
    );
  }

  async decision(id: bigint): Promise<StoredDecision | null> {
    return this.run('reading a decision', () => {
      if (typeof id !== 'bigint' || !isStorableIndex(id)) return null;
      const row = this.decisionById.get(id) as Row | undefined;
      return row === undefined ? null : decisionFromRow(row);
    });
  }

  async admittedImages(page: { after?: AdmissionKey; limit: number }): Promise<AdmittedImage[]> {
    checkPageLimit(page.limit, 'admittedImages');
    const cursor = admissionCursor(page.after);
    return this.run('reading admitted images', () => (this.admitted.all(...cursor, page.limit) as Row[]).map(admittedFromRow));
  }

  async putAdvisories(advisories: readonly StoredAdvisory[]): Promise<AdvisoryPutResult> {
    const checked = checkAdvisories(advisories);
    if (checked.length === 0) return this.run('storing advisories', () => ({ inserted: 0, replaced: 0, unchanged: 0 }));
    return this.run('storing advisories', () => this.putTx.immediate(checked));
  }

  private insertOne(d: NewDecision): bigint {
    return storedIndex((this.insertDecision.get(...decisionRow(d)) as Row).id, 'decision id');
  }

  private writeAdvisories(advisories: readonly CheckedAdvisory[]): AdvisoryPutResult {
    const { writes, result } = planAdvisoryWrites(advisories, (id) => {
      const row = this.modifiedKey.get(id) as Row | undefined;
      return row === undefined ? undefined : storedModifiedKey(row.modified_key, id);
    });
    for (const { advisory: a, modifiedKey } of writes) this.upsertAdvisory.run(a.id, a.modified, modifiedKey, a.record);
    if (writes.length > 0 && this.bumpRevision.run().changes !== 1) throw corrupt('the advisory revision row is missing');
    return result;
  }

  async advisories(page: { afterId?: string; limit: number }): Promise<StoredAdvisory[]> {
    checkPageLimit(page.limit, 'advisories');
    const after = advisoryCursor(page.afterId);
    return this.run('reading advisories', () => (this.advisoryPage.all(after, page.limit) as Row[]).map(advisoryFromRow));
  }

  async advisoryCount(): Promise<number> {
    return this.run('counting advisories', () => Number(storedIndex((this.countAdvisories.get() as Row).n, 'advisory count')));
  }

  async advisoriesRevision(): Promise<bigint> {
    return this.run('reading the advisory revision', () => {
      const row = this.revision.get() as Row | undefined;
      if (row === undefined) throw corrupt('the advisory revision row is missing');
      return storedRevision(row.revision);
    });
  }
}

/** A decision as the parameters of INSERT_DECISION_SQL. */
function decisionRow(d: NewDecision): unknown[] {
  return [d.imageDigest, d.reference, namespaceColumn(d.namespace), d.source, d.policyVersion, d.dataVersion, d.outcome, BigInt(d.decidedAt), d.decision];
}
