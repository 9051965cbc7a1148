// The decision log written by group commit. Every decision is durable before its caller hears of it, but the
// decisions that arrive together (the admissions one turn of the event loop reads from the network) are written
// in one transaction, so one sync to disk serves them all instead of one each. While a batch is being written the
// next ones gather; a batch is bounded by count and by bytes. A decision the store would refuse is refused on its
// own, before it joins a batch, so one bad decision never fails the others.
import { checkNewDecision, MAX_DECISIONS_PER_BATCH, type DecisionStore, type NewDecision } from '../../store/policy-ports.js';

export interface DecisionWriterLimits {
  /** Decisions per transaction (at most the store's MAX_DECISIONS_PER_BATCH). Default 256. */
  readonly maxBatch: number;
  /** Bytes of decision bodies per transaction; a single larger decision goes alone. Default 8 MiB. */
  readonly maxBytes: number;
}

const DEFAULT_LIMITS: DecisionWriterLimits = { maxBatch: 256, maxBytes: 8 * 1024 * 1024 };

interface Pending {
  readonly decision: NewDecision;
  readonly resolve: (id: bigint) => void;
  readonly reject: (e: unknown) => void;
}

export interface DecisionWriterStats {
  readonly decisions: number;
  readonly batches: number;
}

export class DecisionWriter {
  private readonly limits: DecisionWriterLimits;
  private queue: Pending[] = [];
  private writing: Promise<void> | undefined;
  private scheduled = false;
  private decisions = 0;
  private batches = 0;

  constructor(
    private readonly store: Pick<DecisionStore, 'recordDecisions'>,
    limits: Partial<DecisionWriterLimits> = {},
    private readonly onCommit?: (decisions: number) => void,
  ) {
    const given = { ...DEFAULT_LIMITS, ...limits };
    this.limits = { ...given, maxBatch: Math.max(1, Math.min(given.maxBatch, MAX_DECISIONS_PER_BATCH)) };
  }

  /** Resolves with the decision's id once it is committed. Errors: STORE_VALUE_INVALID (this decision), the store's. */
  record(decision: NewDecision): Promise<bigint> {
    try {
      checkNewDecision(decision);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<bigint>((resolve, reject) => {
      this.queue.push({ decision, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when every decision recorded so far is committed (or refused). */
  async drain(): Promise<void> {
    while (this.writing !== undefined || this.scheduled || this.queue.length > 0) {
      if (this.writing === undefined && !this.scheduled) this.schedule();
      await (this.writing ?? new Promise<void>((resolve) => setImmediate(resolve)));
    }
  }

  stats(): DecisionWriterStats {
    return { decisions: this.decisions, batches: this.batches };
  }

  private schedule(): void {
    if (this.writing !== undefined || this.scheduled) return;
    this.scheduled = true;
    // After the current turn's I/O: every decision made from what that turn read joins the same batch.
    setImmediate(() => {
      this.scheduled = false;
      this.writing = this.writeAll().finally(() => {
        this.writing = undefined;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async writeAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.nextBatch();
      try {
        const ids = await this.store.recordDecisions(batch.map((p) => p.decision));
        batch.forEach((p, i) => p.resolve(ids[i]!));
        this.decisions += batch.length;
        this.batches += 1;
        this.onCommit?.(batch.length);
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
  }

  private nextBatch(): Pending[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < this.limits.maxBatch) {
      const size = this.queue[n]!.decision.decision.length;
      if (n > 0 && bytes + size > this.limits.maxBytes) break;
      bytes += size;
      n += 1;
    }
    return this.queue.splice(0, n);
  }
}
