// The appends waiting for the sequencer, in arrival order. Each is verified (prepared) on its own schedule, but a
// batch only ever takes a prefix of settled appends, so leaves are numbered in the order append() was called.
import type { PreparedEntry } from './entries/prepared.js';
import type { AppendResult } from './service.js';

export interface PendingAppend {
  state: 'preparing' | 'ready' | 'failed';
  prepared?: PreparedEntry;
  leafHash?: Buffer;
  /** The leaf hash in lowercase hex, as LogStore.findLeaves keys it. */
  hex?: string;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

/** Slots already taken off the front are dropped from the array once they are this many and half of it. */
const COMPACT_AFTER = 1024;

export class PendingQueue {
  private items: PendingAppend[] = [];
  private start = 0;
  /** Slots in the queue whose entry is verified and waits for a batch. */
  private ready = 0;

  /** Appends waiting, whatever their state. */
  get length(): number {
    return this.items.length - this.start;
  }

  get readyCount(): number {
    return this.ready;
  }

  push(slot: PendingAppend): void {
    this.items.push(slot);
  }

  settle(slot: PendingAppend, state: 'ready' | 'failed'): void {
    if (slot.state !== 'preparing') return;
    slot.state = state;
    if (state === 'ready') this.ready++;
    this.dropFailedHead();
  }

  /** True when the oldest waiting append is verified, so a batch can start with it. */
  headSettled(): boolean {
    this.dropFailedHead();
    const head = this.items[this.start];
    return head !== undefined && head.state === 'ready';
  }

  /** Removes and returns up to `max` verified appends from the front, stopping at the first still being verified. */
  takeReady(max: number): PendingAppend[] {
    const taken: PendingAppend[] = [];
    while (this.start < this.items.length && taken.length < max) {
      const slot = this.items[this.start] as PendingAppend;
      if (slot.state === 'preparing') break;
      this.start++;
      if (slot.state === 'ready') {
        this.ready--;
        taken.push(slot);
      }
    }
    this.dropFailedHead();
    return taken;
  }

  private dropFailedHead(): void {
    while (this.start < this.items.length && (this.items[this.start] as PendingAppend).state === 'failed') this.start++;
    if (this.start >= COMPACT_AFTER && this.start * 2 >= this.items.length) {
      this.items = this.items.slice(this.start);
      this.start = 0;
    }
  }
}
