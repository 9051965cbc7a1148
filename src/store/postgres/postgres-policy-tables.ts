// The decision log and the advisory set on the log's PostgreSQL database (schema migration 2), through the
// store's pool, closed-state check and error mapping. putAdvisories is one transaction that first locks the
// revision row, so calls from every replica take turns and each sees what the one before committed; advisories
// travel in bulk (unnest) in chunks, so a full OSV export is a few hundred round trips.
import type pg from 'pg';
import { isDigest } from '../../core/digest.js';
import {
  DECISION_COLUMNS, admissionCursor, admittedFromRow, advisoryCursor, advisoryFromRow, checkAdvisories,
  checkNewDecision, checkNewDecisions, checkPageLimit, decisionFromRow, namespaceColumn, planAdvisoryWrites, storedModifiedKey,
  storedRevision,
  type AdmissionKey, type AdmittedImage, type AdvisoryPutResult, type AdvisoryStore, type CheckedAdvisory,
  type DecisionStore, type NewDecision, type StoredAdvisory, type StoredDecision,
} from '../policy-ports.js';
import { corrupt, isStorableIndex, storedIndex, storedText } from '../stored-values.js';
import { ascending } from '../../core/order.js';

type Row = Record<string, unknown>;

/** What the store lends the tables: queries and transactions with its closed-state check and error mapping. */
export interface PostgresRunner {
  query(what: string, sql: string, params: unknown[]): Promise<Row[]>;
  transaction<T>(what: string, f: (client: pg.PoolClient) => Promise<T>): Promise<T>;
}

/** Advisories per bulk statement, and the bytes of records one statement carries at most (one record may exceed). */
const CHUNK_ROWS = 1_000;
const CHUNK_BYTES = 16 * 1024 * 1024;

const DECISION_SELECT = `SELECT ${DECISION_COLUMNS} FROM decisions`;

// One walk of decisions_latest_admission from the cursor: DISTINCT ON keeps the first, i.e. newest, row of each
// key; denied keys are dropped after that, so an older allow never shows through a newer deny. Only the page's
// rows are then read from the table, one primary-key lookup each (the LIMIT 1 keeps the lateral subquery from
// being turned into a join that could read the whole table), in the page's order.
export const ADMITTED_SQL = `SELECT d.* FROM (
    SELECT id, image_digest, reference, namespace FROM (
      SELECT DISTINCT ON (image_digest, reference, namespace) id, image_digest, reference, namespace, outcome
      FROM decisions
      WHERE source <> 'reevaluation' AND (image_digest, reference, namespace) > ($1, $2, $3)
      ORDER BY image_digest, reference, namespace, id DESC
    ) latest
    WHERE outcome <> 'deny'
    ORDER BY image_digest, reference, namespace
    LIMIT $4
  ) page CROSS JOIN LATERAL (SELECT ${DECISION_COLUMNS} FROM decisions WHERE id = page.id LIMIT 1) d
  ORDER BY page.image_digest, page.reference, page.namespace`;

export const DECISIONS_FOR_SQL = `${DECISION_SELECT} WHERE image_digest = $1 ORDER BY id DESC LIMIT $2`;

// A batch of decisions as one statement (one commit). nextval runs in the order the ordered SELECT yields rows, so
// the ids ascend in the batch's order; they are matched back by sorting.
const INSERT_DECISIONS_SQL = `INSERT INTO decisions (image_digest, reference, namespace, source, policy_version, data_version, outcome, decided_at, decision)
    SELECT d, r, n, s, p, v, o, t, b
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bytea[])
      WITH ORDINALITY AS batch(d, r, n, s, p, v, o, t, b, ord)
    ORDER BY ord
  RETURNING id`;

const UPSERT_ADVISORIES_SQL = `INSERT INTO advisories (id, modified, modified_key, record)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[])
  ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, modified_key = excluded.modified_key, record = excluded.record`;

export class PostgresPolicyTables implements DecisionStore, AdvisoryStore {
  constructor(private readonly db: PostgresRunner) {}

  async recordDecision(d: NewDecision): Promise<bigint> {
    checkNewDecision(d);
    const rows = await this.db.query(
      'recording a decision',
      `INSERT INTO decisions (image_digest, reference, namespace, source, policy_version, data_version, outcome, decided_at, decision)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint, $9) RETURNING id`,
      [d.imageDigest, d.reference, namespaceColumn(d.namespace), d.source, d.policyVersion, d.dataVersion, d.outcome, String(d.decidedAt), d.decision],
    );
    return storedIndex(rows[0]?.id, 'decision id');
  }

  async recordDecisions(decisions: readonly NewDecision[]): Promise<bigint[]> {
    checkNewDecisions(decisions);
    const column = <T>(f: (d: NewDecision) => T): T[] => decisions.map(f);
    const rows = await this.db.query('recording decisions', INSERT_DECISIONS_SQL, [
      column((d) => d.imageDigest), column((d) => d.reference), column((d) => namespaceColumn(d.namespace)), column((d) => d.source),
      column((d) => d.policyVersion), column((d) => d.dataVersion), column((d) => d.outcome), column((d) => String(d.decidedAt)),
      column((d) => d.decision),
    ]);
    const ids = rows.map((row) => storedIndex(row.id, 'decision id')).sort(ascending);
    if (ids.length !== decisions.length) throw corrupt(`recording ${decisions.length} decisions returned ${ids.length} ids`);
    return ids;
  }

  async decisionsFor(imageDigest: string, limit: number): Promise<StoredDecision[]> {
    checkPageLimit(limit, 'decisionsFor');
    // A value that is not a digest was never stored; it is still sent, so a closed store refuses it the same way.
    const digest = isDigest(imageDigest) ? imageDigest : '';
    return (await this.db.query('reading decisions', DECISIONS_FOR_SQL, [digest, limit])).map(decisionFromRow);
  }

  async decision(id: bigint): Promise<StoredDecision | null> {
    // -1 matches nothing, as an id beyond what either database stores does.
    const key = typeof id === 'bigint' && isStorableIndex(id) ? id.toString() : '-1';
    const rows = await this.db.query('reading a decision', `${DECISION_SELECT} WHERE id = $1::bigint`, [key]);
    return rows[0] === undefined ? null : decisionFromRow(rows[0]);
  }

  async admittedImages(page: { after?: AdmissionKey; limit: number }): Promise<AdmittedImage[]> {
    checkPageLimit(page.limit, 'admittedImages');
    const cursor = admissionCursor(page.after);
    return (await this.db.query('reading admitted images', ADMITTED_SQL, [...cursor, page.limit])).map(admittedFromRow);
  }

  async putAdvisories(advisories: readonly StoredAdvisory[]): Promise<AdvisoryPutResult> {
    const checked = checkAdvisories(advisories);
    return this.db.transaction('storing advisories', async (client) => {
      const locked = await client.query('SELECT revision FROM advisory_revision WHERE singleton FOR UPDATE');
      if (locked.rows.length !== 1) throw corrupt('the advisory revision row is missing');
      const total = { inserted: 0, replaced: 0, unchanged: 0 };
      for (const chunk of chunks(checked)) {
        const { writes, result } = await planChunk(client, chunk);
        if (writes.length > 0) {
          await client.query(UPSERT_ADVISORIES_SQL, [
            writes.map((w) => w.advisory.id),
            writes.map((w) => w.advisory.modified),
            writes.map((w) => w.modifiedKey),
            writes.map((w) => w.advisory.record),
          ]);
        }
        total.inserted += result.inserted;
        total.replaced += result.replaced;
        total.unchanged += result.unchanged;
      }
      if (total.inserted + total.replaced > 0) await client.query('UPDATE advisory_revision SET revision = revision + 1 WHERE singleton');
      return total;
    });
  }

  async advisories(page: { afterId?: string; limit: number }): Promise<StoredAdvisory[]> {
    checkPageLimit(page.limit, 'advisories');
    const sql = 'SELECT id, modified, record FROM advisories WHERE id > $1 ORDER BY id LIMIT $2';
    return (await this.db.query('reading advisories', sql, [advisoryCursor(page.afterId), page.limit])).map(advisoryFromRow);
  }

  async advisoryCount(): Promise<number> {
    const rows = await this.db.query('counting advisories', 'SELECT count(*) AS n FROM advisories', []);
    return Number(storedIndex(rows[0]?.n, 'advisory count'));
  }

  async advisoriesRevision(): Promise<bigint> {
    const rows = await this.db.query('reading the advisory revision', 'SELECT revision FROM advisory_revision WHERE singleton', []);
    if (rows[0] === undefined) throw corrupt('the advisory revision row is missing');
    return storedRevision(rows[0].revision);
  }
}

/** The writes of one chunk, against what is stored now (earlier chunks of the call included). */
async function planChunk(client: pg.PoolClient, chunk: readonly CheckedAdvisory[]): Promise<ReturnType<typeof planAdvisoryWrites>> {
  const ids = [...new Set(chunk.map((a) => a.advisory.id))];
  const rows = (await client.query<Row>('SELECT id, modified_key FROM advisories WHERE id = ANY($1::text[])', [ids])).rows;
  const stored = new Map<string, string>();
  for (const row of rows) {
    const id = storedText(row.id, 'advisory id');
    stored.set(id, storedModifiedKey(row.modified_key, id));
  }
  return planAdvisoryWrites(chunk, (id) => stored.get(id));
}

function* chunks(advisories: readonly CheckedAdvisory[]): Generator<CheckedAdvisory[]> {
  let chunk: CheckedAdvisory[] = [];
  let bytes = 0;
  for (const a of advisories) {
    if (chunk.length > 0 && (chunk.length >= CHUNK_ROWS || bytes + a.advisory.record.length > CHUNK_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(a);
    bytes += a.advisory.record.length;
  }
  if (chunk.length > 0) yield chunk;
}
