// Instants as milliseconds since the epoch. The request time must be an instant (the decision is made for it);
// a time inside the facts that cannot be read is treated as unknown, which never satisfies an age limit.
import { ProvenantError } from '../../core/errors.js';
import { utcInstant } from '../../vuln/scan-filters.js';

/** Milliseconds of an RFC 3339 instant (or a date, meaning its midnight UTC); undefined when `text` is neither. */
export function instantMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const utc = utcInstant(text);
  if (utc === undefined) return undefined;
  const ms = Date.parse(utc);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The instant a request or lookup is made for. Errors: EVALUATION_INPUT_INVALID. */
export function requestInstantMs(text: string, what: string): number {
  const ms = typeof text === 'string' ? instantMs(text) : undefined;
  if (ms === undefined) {
    throw new ProvenantError('EVALUATION_INPUT_INVALID', `${what} ${JSON.stringify(String(text).slice(0, 64))} is not an RFC 3339 instant`, {
      details: { field: what },
    });
  }
  return ms;
}

export function isoInstant(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The first instant something valid "until `lastValidMs` inclusive" no longer is. Times are compared to the
 * millisecond, so an age limit holding at its last millisecond flips one millisecond later.
 */
export function flipAfter(lastValidMs: number): number {
  return lastValidMs + 1;
}

/** Seconds, rounded down, for reasons ("3600 s old"). */
export function ageSeconds(atMs: number, thenMs: number): number {
  return Math.floor((atMs - thenMs) / 1000);
}
