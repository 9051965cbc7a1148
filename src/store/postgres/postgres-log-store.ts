// The LogStore on PostgreSQL, for several `provenant serve` replicas sharing one log. integrate() takes a
// transaction-scoped advisory lock, so one batch at a time is sequenced across every replica, checks the size
// under that lock, and writes each table with one bulk INSERT ... SELECT FROM unnest(...). With the default
// synchronous_commit (on), COMMIT returns only once the WAL is flushed. BIGINT arrives from pg as a decimal
// string and is read as bigint, never through a double. The same database holds the decision log and the
// advisory set (postgres-policy-tables.ts).
import pg from 'pg';
import { ProvenantError } from '../../core/errors.js';
import { batchRows, checkSequence, type BatchRows } from '../batch-rows.js';
import type {
  AdmissionKey, AdmittedImage, AdvisoryPutResult, NewDecision, ProvenantStore, StoredAdvisory, StoredDecision,
} from '../policy-ports.js';
import type { Blob, IntegrationBatch, SearchQuery, StoredCheckpoint, StoredLeaf } from '../ports.js';
import {
  checkLimit, checkSetting, corrupt, isStorableIndex, normaliseSearch, storedBytes, storedClosedRange,
  storedHash, storedIndex, storedRange, storedText, storedTime,
} from '../stored-values.js';
import { fromPostgresError, isDuplicateLeafHash } from './postgres-errors.js';
import { PostgresPolicyTables } from './postgres-policy-tables.js';
import { SEQUENCER_LOCK_KEY, migratePostgres } from './postgres-schema.js';
import { insertBatch, searchSql } from './postgres-statements.js';
import { inTransaction } from './postgres-transaction.js';

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). */
  readonly maxConnections?: number;
  /** How long to wait for a connection before STORE_UNAVAILABLE (default 10 s). */
  readonly connectTimeoutMs?: number;
}

/** Connects to the database at a postgres:// URL and brings its schema up to date. */
export async function openPostgresLogStore(url: string, options: PostgresStoreOptions = {}): Promise<ProvenantStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    application_name: 'provenant',
  });
  // An idle connection that drops emits 'error' on the pool; unheard, it would end the process. The next query
  // on the pool reconnects or reports STORE_UNAVAILABLE.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client);
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw fromPostgresError(e, 'opening the log database');
  }
  return new PostgresLogStore(pool);
}

type Row = Record<string, unknown>;

class PostgresLogStore implements ProvenantStore {
  readonly backend = 'postgres' as const;
  private open = true;
  private readonly policy: PostgresPolicyTables;

  constructor(private readonly pool: pg.Pool) {
    this.policy = new PostgresPolicyTables({
      query: (what, sql, params) => this.query(what, sql, params),
      transaction: (what, f) => this.transaction(what, f),
    });
  }

  async integrate(batch: IntegrationBatch): Promise<void> {
    this.ensureOpen();
    const rows = batchRows(batch);
    try {
      await inTransaction(this.pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SEQUENCER_LOCK_KEY]);
        checkSequence((await client.query(SIZES_SQL)).rows[0] as { checkpoint: unknown; leaf: unknown }, rows);
        await insertBatch(client, rows);
      });
    } catch (e) {
      if (isDuplicateLeafHash(e)) throw await this.duplicateLeaf(rows, e);
      throw fromPostgresError(e, 'integrating a batch');
    }
  }

  private async duplicateLeaf(rows: BatchRows, cause: unknown): Promise<ProvenantError> {
    const known = await this.findLeaves(rows.leaves.map((l) => l.leafHash)).catch(() => new Map<string, bigint>());
    const [leafHash, index] = [...known][0] ?? ['unknown', -1n];
    return new ProvenantError('LOG_DUPLICATE_LEAF', 'a leaf of the batch is already in the log', {
      cause,
      details: { leafHash, index: index.toString() },
    });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const rows = await this.query('reading the latest checkpoint', `${CHECKPOINT_SQL} ORDER BY size DESC LIMIT 1`, []);
    return rows.length === 0 ? null : checkpoint(rows[0] as Row);
  }

  async checkpointAt(size: bigint): Promise<StoredCheckpoint | null> {
    if (!isStorableIndex(size)) return this.nothing(null);
    const rows = await this.query('reading a checkpoint', `${CHECKPOINT_SQL} WHERE size = $1`, [size.toString()]);
    return rows.length === 0 ? null : checkpoint(rows[0] as Row);
  }

  async checkpoints(from: bigint, to: bigint, limit: number): Promise<StoredCheckpoint[]> {
    checkLimit(limit, 'checkpoints');
    const range = storedClosedRange(from, to);
    if (range === null || limit === 0) return this.nothing([]);
    const sql = `${CHECKPOINT_SQL} WHERE size BETWEEN $1 AND $2 ORDER BY size LIMIT $3`;
    return (await this.query('reading checkpoints', sql, [range.from.toString(), range.to.toString(), limit])).map(checkpoint);
  }

  async nodeHashes(ids: readonly { level: number; index: bigint }[]): Promise<(Buffer | undefined)[]> {
    const out: (Buffer | undefined)[] = ids.map(() => undefined);
    const wanted = ids.flatMap((id, position) =>
      Number.isInteger(id.level) && id.level >= 0 && id.level < 64 && isStorableIndex(id.index) ? [{ ...id, position }] : [],
    );
    if (wanted.length === 0) return this.nothing(out);
    const sql = `SELECT t.ord, n.hash FROM unnest($1::smallint[], $2::bigint[]) WITH ORDINALITY AS t(level, idx, ord)
      JOIN nodes n ON n.level = t.level AND n.idx = t.idx`;
    const rows = await this.query('reading nodes', sql, [wanted.map((w) => w.level), wanted.map((w) => w.index.toString())]);
    for (const row of rows) {
      const w = wanted[Number(row.ord) - 1];
      if (w === undefined) throw corrupt('the database answered a node that was not asked for');
      out[w.position] = storedHash(row.hash, `node ${w.level}/${w.index}`);
    }
    return out;
  }

  async nodeRange(level: number, begin: bigint, end: bigint): Promise<Buffer[]> {
    const range = storedRange(begin, end);
    if (range === null || !Number.isInteger(level) || level < 0 || level >= 64) return this.nothing([]);
    const sql = 'SELECT idx, hash FROM nodes WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx';
    const rows = await this.query('reading nodes', sql, [level, range.begin.toString(), range.end.toString()]);
    const out: Buffer[] = [];
    for (const row of rows) {
      if (storedIndex(row.idx, 'node index') !== range.begin + BigInt(out.length)) break;
      out.push(storedHash(row.hash, `node ${level}/${String(row.idx)}`));
    }
    return out;
  }

  async leaves(begin: bigint, end: bigint): Promise<StoredLeaf[]> {
    const range = storedRange(begin, end);
    if (range === null) return this.nothing([]);
    const sql = 'SELECT idx, leaf_hash, entry, integrated_at FROM leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx';
    const rows = await this.query('reading leaves', sql, [range.begin.toString(), range.end.toString()]);
    return rows.map((r) => ({
      index: storedIndex(r.idx, 'leaf index'),
      leafHash: storedHash(r.leaf_hash, 'leaf hash'),
      entry: storedBytes(r.entry, 'leaf entry'),
      integratedAt: storedTime(r.integrated_at, 'leaf integration time'),
    }));
  }

  async findLeaves(leafHashes: readonly Buffer[]): Promise<Map<string, bigint>> {
    const found = new Map<string, bigint>();
    if (leafHashes.length === 0) return this.nothing(found);
    const rows = await this.query('looking up leaf hashes', 'SELECT leaf_hash, idx FROM leaves WHERE leaf_hash = ANY($1::bytea[])', [
      leafHashes,
    ]);
    for (const row of rows) found.set(storedHash(row.leaf_hash, 'leaf hash').toString('hex'), storedIndex(row.idx, 'leaf index'));
    return found;
  }

  async search(query: SearchQuery): Promise<bigint[]> {
    const q = normaliseSearch(query);
    if (q.kind === 'empty') return this.nothing([]);
    const params: unknown[] = [];
    for (const t of q.terms) params.push(t.name, t.value);
    params.push(q.after.toString(), q.limit);
    const rows = await this.query('searching the index', searchSql(q.terms.length), params);
    return rows.map((r) => storedIndex(r.idx, 'indexed leaf'));
  }

  async blob(digest: string): Promise<Blob | null> {
    const rows = await this.query('reading a blob', 'SELECT media_type, data FROM blobs WHERE digest = $1', [digest]);
    const row = rows[0];
    if (row === undefined) return null;
    return { digest, mediaType: storedText(row.media_type, 'blob media type'), data: storedBytes(row.data, 'blob data') };
  }

  async claimSetting(name: string, value: string): Promise<string> {
    checkSetting(name, value);
    const what = `claiming setting ${name}`;
    // Settings are never updated. The read is a separate statement so it sees a value a concurrent claim committed.
    await this.query(what, 'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
    const rows = await this.query(what, 'SELECT value FROM settings WHERE name = $1', [name]);
    return storedText(rows[0]?.value, `setting ${name}`);
  }

  recordDecision(decision: NewDecision): Promise<bigint> { return this.policy.recordDecision(decision); }
  recordDecisions(decisions: readonly NewDecision[]): Promise<bigint[]> { return this.policy.recordDecisions(decisions); }
  decisionsFor(imageDigest: string, limit: number): Promise<StoredDecision[]> { return this.policy.decisionsFor(imageDigest, limit); }
  decision(id: bigint): Promise<StoredDecision | null> { return this.policy.decision(id); }
  admittedImages(page: { after?: AdmissionKey; limit: number }): Promise<AdmittedImage[]> { return this.policy.admittedImages(page); }
  putAdvisories(advisories: readonly StoredAdvisory[]): Promise<AdvisoryPutResult> { return this.policy.putAdvisories(advisories); }
  advisories(page: { afterId?: string; limit: number }): Promise<StoredAdvisory[]> { return this.policy.advisories(page); }
  advisoryCount(): Promise<number> { return this.policy.advisoryCount(); }
  advisoriesRevision(): Promise<bigint> { return this.policy.advisoriesRevision(); }

  async ping(): Promise<boolean> {
    if (!this.open) return false;
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.pool.end();
  }

  private ensureOpen(): void {
    if (!this.open) throw new ProvenantError('STORE_UNAVAILABLE', 'the log store is closed');
  }

  /** A closed store refuses even questions that need no query, as every backend does. */
  private nothing<T>(value: T): T {
    this.ensureOpen();
    return value;
  }

  private async query(what: string, sql: string, params: unknown[]): Promise<Row[]> {
    this.ensureOpen();
    try {
      return (await this.pool.query<Row>(sql, params)).rows;
    } catch (e) {
      throw fromPostgresError(e, what);
    }
  }

  private async transaction<T>(what: string, f: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.ensureOpen();
    try {
      return await inTransaction(this.pool, f);
    } catch (e) {
      throw fromPostgresError(e, what);
    }
  }
}

const CHECKPOINT_SQL = 'SELECT size, root_hash, note, issued_at FROM checkpoints';
const SIZES_SQL = 'SELECT (SELECT max(size) FROM checkpoints) AS checkpoint, (SELECT max(idx) FROM leaves) AS leaf';

function checkpoint(row: Row): StoredCheckpoint {
  return {
    size: storedIndex(row.size, 'checkpoint size'),
    rootHash: storedHash(row.root_hash, 'checkpoint root hash'),
    note: storedText(row.note, 'checkpoint note'),
    issuedAt: storedTime(row.issued_at, 'checkpoint issue time'),
  };
}
