// The LogStore on one SQLite file (better-sqlite3). The database write lock is the sequencer lock: integrate()
// runs in BEGIN IMMEDIATE, so a second writer (another handle or another process) waits for it, up to
// LOCK_WAIT_MS, and then finds the size moved. WAL lets readers in other processes go on while a batch is
// written, and they see only committed batches; synchronous=FULL syncs the WAL on every commit, so an
// acknowledged batch survives SIGKILL and power loss. All integers are read as bigint (safe integers), never
// through a double. The same file holds the decision log and the advisory set (sqlite-policy-tables.ts).
import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProvenantError } from '../../core/errors.js';
import { batchRows, checkSequence, type BatchRows } from '../batch-rows.js';
import type {
  AdmissionKey, AdmittedImage, AdvisoryPutResult, NewDecision, ProvenantStore, StoredAdvisory, StoredDecision,
} from '../policy-ports.js';
import type { Blob, IntegrationBatch, SearchQuery, StoredCheckpoint, StoredLeaf } from '../ports.js';
import {
  checkLimit, checkSetting, isStorableIndex, normaliseSearch, storedBytes, storedClosedRange,
  storedHash, storedIndex, storedRange, storedText, storedTime,
} from '../stored-values.js';
import { fromSqliteError, isDuplicateLeafHash } from './sqlite-errors.js';
import { INSERT_DECISION_SQL, SqlitePolicyTables } from './sqlite-policy-tables.js';
import { LOCK_WAIT_MS, SYNC_BUSY_TIMEOUT_MS, retryWhileBusy } from './sqlite-retry.js';
import { SqliteWriteThread } from './sqlite-write-thread.js';
import { migrateSqlite } from './sqlite-schema.js';
import { SqliteStatements, type CheckpointRow } from './sqlite-statements.js';

export const SQLITE_FILE = 'provenant.db';

/** Opens (creating if needed) the log database `provenant.db` in `dataDir`. */
export async function openSqliteLogStore(dataDir: string): Promise<ProvenantStore> {
  if (!existsSync(dataDir)) {
    try {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      chmodSync(dataDir, 0o700);
    } catch (e) {
      throw new ProvenantError('IO_ERROR', `cannot create the data directory ${dataDir}`, { cause: e });
    }
  }
  let db: Database.Database | undefined;
  try {
    const handle = new Database(join(dataDir, SQLITE_FILE), { timeout: SYNC_BUSY_TIMEOUT_MS });
    db = handle;
    handle.defaultSafeIntegers(true);
    const mode = await retryWhileBusy(() => handle.pragma('journal_mode = WAL', { simple: true }), () => undefined);
    if (mode !== 'wal') throw new ProvenantError('IO_ERROR', `SQLite refused WAL mode for ${dataDir} (got ${String(mode)})`);
    handle.pragma('synchronous = FULL');
    await retryWhileBusy(() => handle.transaction(() => migrateSqlite(handle)).immediate(), () => undefined);
    return new SqliteLogStore(handle, new SqliteWriteThread(join(dataDir, SQLITE_FILE), INSERT_DECISION_SQL, LOCK_WAIT_MS));
  } catch (e) {
    db?.close();
    throw fromSqliteError(e, `opening the log database in ${dataDir}`);
  }
}

class SqliteLogStore implements ProvenantStore {
  readonly backend = 'sqlite' as const;
  private readonly sql: SqliteStatements;
  private readonly policy: SqlitePolicyTables;
  private open = true;
  private readonly integrateTx: Database.Transaction<(rows: BatchRows) => void>;

  constructor(private readonly db: Database.Database, private readonly writer: SqliteWriteThread) {
    this.sql = new SqliteStatements(db);
    this.policy = new SqlitePolicyTables(db, (what, f) => this.read(what, f), writer);
    this.integrateTx = db.transaction((rows: BatchRows) => this.insertBatch(rows));
  }

  async integrate(batch: IntegrationBatch): Promise<void> {
    this.ensureOpen();
    const rows = batchRows(batch);
    try {
      await retryWhileBusy(() => this.integrateTx.immediate(rows), () => this.ensureOpen());
    } catch (e) {
      if (isDuplicateLeafHash(e)) throw this.duplicateLeaf(rows, e);
      throw fromSqliteError(e, 'integrating a batch');
    }
  }

  private insertBatch(rows: BatchRows): void {
    checkSequence(this.sql.sizes.get() as { checkpoint: unknown; leaf: unknown }, rows);
    const s = this.sql;
    const integratedAt = BigInt(rows.integratedAt);
    for (const leaf of rows.leaves) s.insertLeaf.run(leaf.index, leaf.leafHash, leaf.entry, integratedAt);
    for (const node of rows.nodes) s.insertNode.run(node.level, node.index, node.hash);
    for (const term of rows.terms) s.insertTerm.run(term.name, term.value, term.index);
    for (const blob of rows.blobs) s.insertBlob.run(blob.digest, blob.mediaType, blob.data);
    const cp = rows.checkpoint;
    s.insertCheckpoint.run(cp.size, cp.rootHash, cp.note, BigInt(cp.issuedAt));
  }

  private duplicateLeaf(rows: BatchRows, cause: unknown): ProvenantError {
    const known = this.findLeavesSync(rows.leaves.map((l) => l.leafHash));
    const [leafHash, index] = [...known][0] ?? ['unknown', -1n];
    return new ProvenantError('LOG_DUPLICATE_LEAF', 'a leaf of the batch is already in the log', {
      cause,
      details: { leafHash, index: index.toString() },
    });
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.read('reading the latest checkpoint', () => checkpoint(this.sql.latestCheckpoint.get()));
  }

  async checkpointAt(size: bigint): Promise<StoredCheckpoint | null> {
    return this.read('reading a checkpoint', () => (isStorableIndex(size) ? checkpoint(this.sql.checkpointAt.get(size)) : null));
  }

  async checkpoints(from: bigint, to: bigint, limit: number): Promise<StoredCheckpoint[]> {
    checkLimit(limit, 'checkpoints');
    return this.read('reading checkpoints', () => {
      const range = storedClosedRange(from, to);
      if (range === null || limit === 0) return [];
      return this.sql.checkpoints.all(range.from, range.to, limit).map((r) => checkpoint(r) as StoredCheckpoint);
    });
  }

  async nodeHashes(ids: readonly { level: number; index: bigint }[]): Promise<(Buffer | undefined)[]> {
    return this.read('reading nodes', () =>
      ids.map(({ level, index }) => {
        if (!Number.isInteger(level) || level < 0 || !isStorableIndex(index)) return undefined;
        const row = this.sql.node.get(level, index) as { hash: unknown } | undefined;
        return row === undefined ? undefined : storedHash(row.hash, `node ${level}/${index}`);
      }),
    );
  }

  async nodeRange(level: number, begin: bigint, end: bigint): Promise<Buffer[]> {
    return this.read('reading nodes', () => {
      const range = storedRange(begin, end);
      if (range === null || !Number.isInteger(level) || level < 0) return [];
      const out: Buffer[] = [];
      for (const row of this.sql.nodeRange.iterate(level, range.begin, range.end) as Iterable<{ idx: unknown; hash: unknown }>) {
        if (storedIndex(row.idx, 'node index') !== range.begin + BigInt(out.length)) break;
        out.push(storedHash(row.hash, `node ${level}/${String(row.idx)}`));
      }
      return out;
    });
  }

  async leaves(begin: bigint, end: bigint): Promise<StoredLeaf[]> {
    return this.read('reading leaves', () => {
      const range = storedRange(begin, end);
      if (range === null) return [];
      return (this.sql.leaves.all(range.begin, range.end) as { idx: unknown; leaf_hash: unknown; entry: unknown; integrated_at: unknown }[]).map(
        (r) => ({
          index: storedIndex(r.idx, 'leaf index'),
          leafHash: storedHash(r.leaf_hash, 'leaf hash'),
          entry: storedBytes(r.entry, 'leaf entry'),
          integratedAt: storedTime(r.integrated_at, 'leaf integration time'),
        }),
      );
    });
  }

  async findLeaves(leafHashes: readonly Buffer[]): Promise<Map<string, bigint>> {
    return this.read('looking up leaf hashes', () => this.findLeavesSync(leafHashes));
  }

  private findLeavesSync(leafHashes: readonly Buffer[]): Map<string, bigint> {
    const found = new Map<string, bigint>();
    for (const hash of leafHashes) {
      const row = this.sql.leafByHash.get(hash) as { idx: unknown } | undefined;
      if (row !== undefined) found.set(hash.toString('hex'), storedIndex(row.idx, 'leaf index'));
    }
    return found;
  }

  async search(query: SearchQuery): Promise<bigint[]> {
    const q = normaliseSearch(query);
    if (q.kind === 'empty') return [];
    return this.read('searching the index', () => {
      const params: unknown[] = [];
      for (const t of q.terms) params.push(t.name, t.value);
      const rows = this.sql.search(q.terms.length).all(...params, q.after, q.limit) as { idx: unknown }[];
      return rows.map((r) => storedIndex(r.idx, 'indexed leaf'));
    });
  }

  async blob(digest: string): Promise<Blob | null> {
    return this.read('reading a blob', () => {
      const row = this.sql.blob.get(digest) as { media_type: unknown; data: unknown } | undefined;
      if (row === undefined) return null;
      return { digest, mediaType: storedText(row.media_type, 'blob media type'), data: storedBytes(row.data, 'blob data') };
    });
  }

  async claimSetting(name: string, value: string): Promise<string> {
    checkSetting(name, value);
    this.ensureOpen();
    try {
      // Settings are never updated, so an insert that may do nothing followed by a read is first-wins.
      await retryWhileBusy(() => this.sql.claimSetting.run(name, value), () => this.ensureOpen());
      return storedText((this.sql.setting.get(name) as { value: unknown }).value, `setting ${name}`);
    } catch (e) {
      throw fromSqliteError(e, `claiming setting ${name}`);
    }
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
      return this.sql.ping.get() !== undefined;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.writer.close();
    this.db.close();
  }

  private ensureOpen(): void {
    if (!this.open) throw new ProvenantError('STORE_UNAVAILABLE', 'the log store is closed');
  }

  /** Runs a read, or a write statement or transaction, on this connection (also for the policy tables). */
  private async read<T>(what: string, f: () => T): Promise<T> {
    this.ensureOpen();
    try {
      return await retryWhileBusy(f, () => this.ensureOpen());
    } catch (e) {
      throw fromSqliteError(e, what);
    }
  }
}

function checkpoint(row: unknown): StoredCheckpoint | null {
  if (row === undefined) return null;
  const r = row as CheckpointRow;
  return {
    size: storedIndex(r.size, 'checkpoint size'),
    rootHash: storedHash(r.root_hash, 'checkpoint root hash'),
    note: storedText(r.note, 'checkpoint note'),
    issuedAt: storedTime(r.issued_at, 'checkpoint issue time'),
  };
}
