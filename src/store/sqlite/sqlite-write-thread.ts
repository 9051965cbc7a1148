// Decision-log commits off the event loop. better-sqlite3 is synchronous, and with synchronous=FULL a commit waits
// for the disk (about a millisecond, several for a batch), during which a server answers nothing. So decisions
// are written by a second connection to the same database file in a worker thread: the event loop only hands the
// rows over and hears back the ids. WAL mode lets the main connection read on meanwhile; the worker waits for
// another writer's lock itself (blocking only its own thread). Rows arrive checked; the worker only inserts them,
// one transaction per batch. The worker runs while writes are pending and does not keep the process alive
// otherwise.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ProvenantError } from '../../core/errors.js';
import { fromSqliteError } from './sqlite-errors.js';

/** A batch of rows for one INSERT statement, inserted in one transaction; resolves with each row's `id`. */
export type WriteRows = readonly (readonly unknown[])[];

// CommonJS, evaluated as the worker's entry: no loader or build step, and the driver is the one this module loads.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: workerData.lockWaitMs });
db.defaultSafeIntegers(true);
db.pragma('synchronous = FULL');
const insert = db.prepare(workerData.sql);
const write = db.transaction((rows) => rows.map((row) => insert.get(...row.map((v) => (v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v))).id));
parentPort.on('message', ({ id, rows }) => {
  try {
    parentPort.postMessage({ id, ids: write.immediate(rows) });
  } catch (e) {
    parentPort.postMessage({ id, error: { code: e && e.code, message: String(e && e.message) } });
  }
});
`;

interface Pending {
  readonly resolve: (ids: bigint[]) => void;
  readonly reject: (e: unknown) => void;
  readonly what: string;
  readonly written: Promise<bigint[]>;
}

interface Answer {
  readonly id: number;
  readonly ids?: unknown[];
  readonly error?: { readonly code: unknown; readonly message: string };
}

export class SqliteWriteThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly sql: string,
    private readonly lockWaitMs: number,
  ) {}

  /** Inserts the rows in one transaction. Errors: STORE_UNAVAILABLE (closed, locked too long, thread lost), the driver's mapped. */
  insert(what: string, rows: WriteRows): Promise<bigint[]> {
    if (this.closed) return Promise.reject(new ProvenantError('STORE_UNAVAILABLE', `${what}: the log store is closed`));
    const worker = this.started();
    const id = this.nextId++;
    let settle: Pick<Pending, 'resolve' | 'reject'> | undefined;
    const written = new Promise<bigint[]>((resolve, reject) => (settle = { resolve, reject }));
    this.pending.set(id, { ...settle!, what, written });
    worker.ref();
    worker.postMessage({ id, rows });
    return written;
  }

  /** Waits for the writes under way, then stops the thread. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.pending.values()].map((p) => p.written));
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: this.file, sql: this.sql, lockWaitMs: this.lockWaitMs } });
    worker.unref();
    worker.on('message', (answer: Answer) => this.answered(answer));
    worker.on('error', (e) => this.lost(worker, e));
    worker.on('exit', (code) => this.lost(worker, new Error(`the write thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private answered(answer: Answer): void {
    const p = this.pending.get(answer.id);
    if (p === undefined) return;
    this.settle(answer.id);
    if (answer.error !== undefined) {
      const e = Object.assign(new Error(answer.error.message), { code: answer.error.code });
      p.reject(fromSqliteError(e, p.what));
    } else if (!Array.isArray(answer.ids) || !answer.ids.every((v) => typeof v === 'bigint')) {
      p.reject(new ProvenantError('INTERNAL', `${p.what}: the write thread answered without ids`));
    } else {
      p.resolve(answer.ids as bigint[]);
    }
  }

  /**
   * The thread failed or exited: every write it held fails, and the next one starts a new thread. (A write the
   * thread committed just before it was lost is in the database although its caller heard of a failure.)
   */
  private lost(worker: Worker, cause: unknown): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const [id, p] of [...this.pending]) {
      this.settle(id);
      p.reject(new ProvenantError('STORE_UNAVAILABLE', `${p.what}: the database write thread stopped`, { cause }));
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
  }
}
