// One order for "the newest" of several log entries, total so that the result never depends on the order facts
// were listed in: the entry's own time (unknown times are the oldest), then the log index, then the digest.
import type { Evidence } from '../facts.js';
import { instantMs } from './instant.js';

/** Negative when `a` is newer than `b`. */
export function newestFirst(a: { evidence: Evidence }, aTime: string | undefined, b: { evidence: Evidence }, bTime: string | undefined): number {
  const ta = instantMs(aTime) ?? -Infinity;
  const tb = instantMs(bTime) ?? -Infinity;
  if (ta !== tb) return ta > tb ? -1 : 1;
  const ia = logIndexOf(a.evidence);
  const ib = logIndexOf(b.evidence);
  if (ia !== ib) return ia > ib ? -1 : 1;
  return a.evidence.digest > b.evidence.digest ? -1 : a.evidence.digest < b.evidence.digest ? 1 : 0;
}

function logIndexOf(evidence: Evidence): bigint {
  return evidence.logIndex !== undefined && /^\d{1,30}$/.test(evidence.logIndex) ? BigInt(evidence.logIndex) : -1n;
}

/** Sorted copy of `list`, newest first. */
export function sortNewest<T extends { evidence: Evidence }>(list: readonly T[], time: (item: T) => string | undefined): T[] {
  return [...list].sort((a, b) => newestFirst(a, time(a), b, time(b)));
}
