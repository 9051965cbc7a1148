// Bounded reading of the log for fact gathering: every search is paged to its end, every index found counts
// against one budget (so an image with a flood of entries fails fast instead of exhausting memory), and entries
// are read a few at a time.
import type { Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import type { EntryQuery, LogEntryView, LogService } from '../../log/service.js';

const PAGE_SIZE = 500;
const READ_CONCURRENCY = 16;

export class EntryBudget {
  private used = 0;

  constructor(
    readonly limit: number,
    private readonly image: Digest,
  ) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new ProvenantError('USAGE', `maxEntries must be a positive integer, got ${String(limit)}`);
  }

  take(count: number): void {
    this.used += count;
    if (this.used > this.limit) {
      throw new ProvenantError('FACTS_TOO_MANY', `more than ${this.limit} log entries concern ${this.image}`, {
        details: { image: this.image, limit: this.limit },
      });
    }
  }
}

/** Every index matching `query`, ascending, minus those in `seen` (which are added to it). */
export async function searchAll(log: LogService, query: EntryQuery, budget: EntryBudget, seen: Set<bigint>): Promise<bigint[]> {
  const found: bigint[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await log.search(query, after === undefined ? { limit: PAGE_SIZE } : { after, limit: PAGE_SIZE });
    const fresh = page.indices.filter((i) => !seen.has(i));
    budget.take(fresh.length);
    for (const i of fresh) seen.add(i);
    found.push(...fresh);
    if (page.next === undefined) return found;
    if (after !== undefined && page.next <= after) throw new ProvenantError('SERVICE_PROTOCOL', 'the log answered a search with a next page that does not advance');
    after = page.next;
  }
}

/** The entries at `indices`, in that order. */
export async function readEntries(log: LogService, indices: readonly bigint[]): Promise<LogEntryView[]> {
  return mapLimited(indices, (index) => log.entry(index));
}

/** `fn` over `items` with at most READ_CONCURRENCY calls in flight; results in input order. */
export async function mapLimited<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++;
      out[at] = await fn(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
  return out;
}
