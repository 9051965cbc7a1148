// The sequencer: appends are verified as they arrive, then integrated in batches, in arrival order. One batch is
// one store transaction and one signed checkpoint, and an append is acknowledged only after that transaction has
// committed. Several processes may sequence the same store; the store refuses a batch built on a stale size
// (LOG_SEQUENCE_CONFLICT), and the loser reloads the tree head and builds the batch again.
import { sha256Digest } from '../core/digest.js';
import { ProvenantError, isProvenantError } from '../core/errors.js';
import { formatCheckpoint } from '../formats/checkpoint.js';
import { signNote, type NoteSigner } from '../formats/signed-note.js';
import { CompactRange, leafHash } from '../merkle/index.js';
import type { LogStore, NewLeaf, StoredCheckpoint, StoredNode } from '../store/ports.js';
import type { EntryPreparer, PreparedEntry } from './entries/prepared.js';
import { PendingQueue, type PendingAppend } from './pending-queue.js';
import type { AppendResult } from './service.js';
import { requireTreeHead, type TreeHead } from './tree-head.js';

/** Conflicts in a row before a batch gives up; each one means another sequencer made progress. */
const MAX_CONFLICTS = 64;
/** Batch sizes kept for stats() between two calls. */
const MAX_REPORTED_BATCHES = 4096;

export interface SequencerOptions {
  readonly store: LogStore;
  readonly origin: string;
  readonly signer: NoteSigner;
  readonly prepare: EntryPreparer;
  readonly maxBatch: number;
  readonly maxDelayMs: number;
  readonly maxPending: number;
  readonly now: () => number;
}

/** Figures of the sequencer, totals since the log was opened. */
export interface LogStats {
  /** Size of the latest checkpoint this process knows. */
  readonly size: bigint;
  /** Appends waiting: being verified or queued for a batch. */
  readonly pending: number;
  readonly batches: number;
  /** New leaves appended. */
  readonly appends: number;
  readonly duplicates: number;
  readonly lastBatchSize: number;
  /** Leaves of each batch integrated since the previous call, oldest first. */
  readonly batchSizes: readonly number[];
}

interface Outcome {
  readonly index: bigint;
  readonly duplicate: boolean;
}

export class Sequencer {
  private readonly queue = new PendingQueue();
  private head: TreeHead;
  /** The head's tree, kept between batches; null when it must be reloaded from the store. */
  private tree: CompactRange | null;
  private running = false;
  /** Set when the first waiting append has waited maxDelayMs (or has waited behind a batch). */
  private due = false;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly drainWaiters: (() => void)[] = [];
  private counters = { batches: 0, appends: 0, duplicates: 0, lastBatchSize: 0 };
  private batchSizes: number[] = [];

  constructor(private readonly options: SequencerOptions, head: TreeHead) {
    this.head = { checkpoint: head.checkpoint, tree: head.tree };
    this.tree = head.tree;
  }

  append(proposed: unknown): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new ProvenantError('LOG_CLOSED', 'the log is closing and takes no more appends'));
    if (this.queue.length >= this.options.maxPending) {
      return Promise.reject(
        new ProvenantError('LOG_BUSY', `${this.queue.length} appends are already waiting; retry later`, { details: { pending: this.queue.length } }),
      );
    }
    return new Promise<AppendResult>((resolve, reject) => {
      const slot: PendingAppend = { state: 'preparing', resolve, reject };
      this.queue.push(slot);
      Promise.resolve()
        .then(() => this.options.prepare(proposed))
        .then((prepared) => this.ready(slot, prepared))
        .catch((e: unknown) => {
          this.queue.settle(slot, 'failed');
          reject(e);
        })
        .finally(() => this.schedule());
    });
  }

  stats(): LogStats {
    const batchSizes = this.batchSizes;
    this.batchSizes = [];
    return { size: this.head.checkpoint.size, pending: this.queue.length, ...this.counters, batchSizes };
  }

  /** Stops taking appends and resolves once every queued one is integrated or failed. */
  async drain(): Promise<void> {
    this.closing = true;
    this.due = true;
    if (this.isDrained()) return;
    const drained = new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.schedule();
    await drained;
  }

  private ready(slot: PendingAppend, prepared: PreparedEntry): void {
    if (!Buffer.isBuffer(prepared.entry)) throw new ProvenantError('INTERNAL', 'the entry preparer returned no entry bytes');
    const hash = leafHash(prepared.entry);
    slot.prepared = prepared;
    slot.leafHash = hash;
    slot.hex = hash.toString('hex');
    this.queue.settle(slot, 'ready');
  }

  private schedule(): void {
    if (this.running) return;
    const headReady = this.queue.headSettled();
    if (this.queue.length === 0) {
      this.notifyDrained();
      return;
    }
    if (!headReady) return;
    if (this.due || this.queue.readyCount >= this.options.maxBatch) {
      this.startBatch();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.due = true;
      this.schedule();
    }, this.options.maxDelayMs);
  }

  private startBatch(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.due = false;
    const items = this.queue.takeReady(this.options.maxBatch);
    if (items.length === 0) {
      this.schedule();
      return;
    }
    this.running = true;
    this.integrate(items)
      .catch((e: unknown) => {
        for (const item of items) item.reject(e);
      })
      .finally(() => {
        this.running = false;
        // Whatever queued meanwhile has already waited for a whole batch: it goes next, without a timer.
        if (this.queue.length > 0) this.due = true;
        this.schedule();
      });
  }

  private async integrate(items: readonly PendingAppend[]): Promise<void> {
    const { store, origin, signer, now } = this.options;
    const hashes = uniqueHashes(items);
    let conflict: unknown;
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const base = await this.currentTree();
      const found = await store.findLeaves(hashes);
      // A stored twin beyond our head means another process sequenced since: rebuild on its head.
      if ([...found.values()].some((index) => index >= base.size)) {
        this.tree = null;
        continue;
      }
      const range = CompactRange.fromFrontier(base.size, base.frontier().map((n) => n.hash));
      const leaves: NewLeaf[] = [];
      const nodes: StoredNode[] = [];
      const outcomes: Outcome[] = [];
      const inBatch = new Map<string, bigint>();
      for (const item of items) {
        const hex = item.hex as string;
        const existing = found.get(hex) ?? inBatch.get(hex);
        if (existing !== undefined) {
          outcomes.push({ index: existing, duplicate: true });
          continue;
        }
        const index = range.size;
        for (const done of range.append(item.leafHash as Buffer)) nodes.push({ level: done.id.level, index: done.id.index, hash: done.hash });
        const prepared = item.prepared as PreparedEntry;
        leaves.push({ leafHash: item.leafHash as Buffer, entry: prepared.entry, terms: prepared.terms, blobs: prepared.blobs });
        inBatch.set(hex, index);
        outcomes.push({ index, duplicate: false });
      }
      if (leaves.length === 0) {
        this.settle(items, outcomes, this.head.checkpoint.note, 0);
        return;
      }
      const rootHash = range.root();
      const note = await signNote(formatCheckpoint({ origin, size: range.size, rootHash }), [signer]);
      const integratedAt = now();
      const checkpoint: StoredCheckpoint = { size: range.size, rootHash, note, issuedAt: integratedAt };
      try {
        await store.integrate({ fromSize: base.size, leaves, nodes, checkpoint, integratedAt });
      } catch (e) {
        // Whether a failed commit stored anything is the store's to say: read the head again before the next batch.
        this.tree = null;
        if (isProvenantError(e, 'LOG_SEQUENCE_CONFLICT')) {
          conflict = e;
          continue;
        }
        throw e;
      }
      this.tree = range;
      this.head = { checkpoint, tree: range };
      this.settle(items, outcomes, note, leaves.length);
      return;
    }
    throw conflict ?? new ProvenantError('LOG_SEQUENCE_CONFLICT', `other sequencers kept appending first; gave up after ${MAX_CONFLICTS} attempts`);
  }

  private async currentTree(): Promise<CompactRange> {
    if (this.tree !== null) return this.tree;
    const head = await requireTreeHead(this.options.store);
    this.head = head;
    this.tree = head.tree;
    return head.tree;
  }

  private settle(items: readonly PendingAppend[], outcomes: readonly Outcome[], note: string, appended: number): void {
    const duplicates = items.length - appended;
    this.counters = {
      batches: this.counters.batches + (appended > 0 ? 1 : 0),
      appends: this.counters.appends + appended,
      duplicates: this.counters.duplicates + duplicates,
      lastBatchSize: appended > 0 ? appended : this.counters.lastBatchSize,
    };
    if (appended > 0) {
      this.batchSizes.push(appended);
      if (this.batchSizes.length > MAX_REPORTED_BATCHES) this.batchSizes.splice(0, this.batchSizes.length - MAX_REPORTED_BATCHES);
    }
    items.forEach((item, i) => {
      const outcome = outcomes[i] as Outcome;
      const entry = (item.prepared as PreparedEntry).entry;
      item.resolve({
        index: outcome.index,
        leafHash: item.hex as string,
        entryDigest: sha256Digest(entry),
        duplicate: outcome.duplicate,
        checkpoint: note,
      });
    });
  }

  private isDrained(): boolean {
    return this.queue.length === 0 && !this.running;
  }

  private notifyDrained(): void {
    if (!this.closing || !this.isDrained()) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}

function uniqueHashes(items: readonly PendingAppend[]): Buffer[] {
  const seen = new Map<string, Buffer>();
  for (const item of items) seen.set(item.hex as string, item.leafHash as Buffer);
  return [...seen.values()];
}
