// Entry verification on worker threads. Checking a proposal is almost all signature verification (one ECDSA or
// Ed25519 check, CPU-bound and independent of every other proposal), and it is the hot path of appends; the
// sequencer and the store need the main thread. A pool of workers runs prepareEntry in parallel and hands back
// exactly what it would have returned in-process, errors included (same code, message and details).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, ProvenantError, type ErrorCode } from '../core/errors.js';
import type { EntryPreparer, PreparedEntry } from './entries/prepared.js';
import type { PrepareReply, PrepareRequest } from './prepare-worker.js';

interface Pending {
  resolve: (entry: PreparedEntry) => void;
  reject: (error: unknown) => void;
}

interface PoolWorker {
  readonly worker: Worker;
  inFlight: number;
}

/**
 * The default size: every core but the one the sequencer and the HTTP server run on; on a single core, 0 (verify
 * in-process). On 2 cores one worker lifts verified appends by about a quarter (bench/RESULTS.md).
 */
export function defaultPrepareThreads(cores: number = availableParallelism()): number {
  return cores >= 2 ? cores - 1 : 0;
}

export class PreparePool {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  private constructor(private readonly workers: PoolWorker[]) {
    for (const w of workers) {
      w.worker.on('message', (reply: PrepareReply) => this.settle(w, reply));
      w.worker.on('error', (e) => this.failAll(e));
    }
  }

  /** Starts `threads` workers (USAGE unless 1..64). */
  static create(threads: number = defaultPrepareThreads()): PreparePool {
    if (!Number.isSafeInteger(threads) || threads < 1 || threads > 64) {
      throw new ProvenantError('USAGE', `verification threads must be 1..64, not ${threads}`);
    }
    return new PreparePool(Array.from({ length: threads }, () => ({ worker: startWorker(), inFlight: 0 })));
  }

  readonly prepare: EntryPreparer = (proposal) => {
    if (this.closed) return Promise.reject(new ProvenantError('LOG_CLOSED', 'the verification pool is closed'));
    const target = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = this.nextId++;
    // A worker holds the process open only while it owes an answer.
    if (target.inFlight++ === 0) target.worker.ref();
    return new Promise<PreparedEntry>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      target.worker.postMessage({ id, proposal } satisfies PrepareRequest);
    });
  };

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.failAll(new ProvenantError('LOG_CLOSED', 'the verification pool closed before answering'));
  }

  private settle(w: PoolWorker, reply: PrepareReply): void {
    if (--w.inFlight === 0) w.worker.unref();
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    if (reply.ok) {
      waiting.resolve({
        entry: Buffer.from(reply.entry.buffer, reply.entry.byteOffset, reply.entry.byteLength),
        terms: reply.terms,
        blobs: reply.blobs.map((b) => ({ ...b, data: Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength) })),
      });
      return;
    }
    const code: ErrorCode = Object.hasOwn(ERROR_CODES, reply.code) ? (reply.code as ErrorCode) : 'INTERNAL';
    waiting.reject(new ProvenantError(code, reply.message, reply.details === undefined ? {} : { details: reply.details }));
  }

  private failAll(error: unknown): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const w of this.workers) {
      w.inFlight = 0;
      w.worker.unref();
    }
    for (const p of waiting) p.reject(error);
  }
}

// Compiled, the worker is prepare-worker.js beside this file; run from TypeScript sources (tests, benchmarks)
// the worker registers the same TypeScript loader before importing prepare-worker.ts.
function startWorker(): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './prepare-worker.ts' : './prepare-worker.js', import.meta.url).href;
  const boot = fromSource
    ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); });`
    : `import(${JSON.stringify(url)});`;
  const worker = new Worker(boot, { eval: true });
  worker.unref();
  return worker;
}
