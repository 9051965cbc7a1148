// Value rules shared by the SQLite and PostgreSQL adapters. Both databases hold sizes and indices in a signed
// 64-bit integer, so the log's uint64 sizes are stored as-is up to 2^63 - 1: a log cannot grow that far (at a
// million entries a second it would take some 290,000 years), and storing them unshifted keeps the tables
// readable and ordered. Reads past that bound find nothing; writes past it are refused.
import { ProvenantError } from '../core/errors.js';
import { HASH_SIZE } from '../merkle/index.js';
import type { IndexTerm, IndexTermName, SearchQuery } from './ports.js';

export const INT64_MAX = (1n << 63n) - 1n;

/** The setting that records which migrations a database has had; claimSetting may not touch it. */
export const SCHEMA_VERSION_SETTING = 'schema_version';

export const INDEX_TERM_NAMES: ReadonlySet<IndexTermName> = new Set<IndexTermName>([
  'kind', 'subject', 'predicateType', 'signer', 'line', 'target', 'repository', 'entry',
]);

/**
 * Longest index term value, in UTF-8 bytes. PostgreSQL's btree refuses index rows over about 2.7 kB; the terms
 * are digests, URIs, key ids and repository names, which stay far below this.
 */
export const MAX_TERM_VALUE_BYTES = 1024;

/** Most distinct terms one search may AND together (each is one more join). */
export const MAX_SEARCH_TERMS = 16;

/** A half-open range [begin, end) clipped to what can be stored, or null when nothing in it can be. */
export function storedRange(begin: bigint, end: bigint): { begin: bigint; end: bigint } | null {
  const b = begin < 0n ? 0n : begin;
  const e = end > INT64_MAX ? INT64_MAX : end;
  return b < e ? { begin: b, end: e } : null;
}

/** An inclusive range [from, to] clipped the same way. */
export function storedClosedRange(from: bigint, to: bigint): { from: bigint; to: bigint } | null {
  const f = from < 0n ? 0n : from;
  const t = to > INT64_MAX ? INT64_MAX : to;
  return f <= t ? { from: f, to: t } : null;
}

export function isStorableIndex(index: bigint): boolean {
  return index >= 0n && index <= INT64_MAX;
}

export function checkLimit(limit: number, what: string): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new ProvenantError('USAGE', `${what} limit must be a non-negative integer, got ${limit}`);
  }
}

/** A text value both databases store unchanged: PostgreSQL text cannot hold NUL. */
export function isStorableText(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('\u0000');
}

export function isStorableTermValue(value: unknown): value is string {
  return isStorableText(value) && Buffer.byteLength(value, 'utf8') <= MAX_TERM_VALUE_BYTES;
}

/** A search normalised for the adapters: distinct terms, or `empty` when nothing stored could match. */
export type NormalisedSearch =
  | { readonly kind: 'empty' }
  | { readonly kind: 'query'; readonly terms: readonly IndexTerm[]; readonly after: bigint; readonly limit: number };

export function normaliseSearch(query: SearchQuery): NormalisedSearch {
  if (query.terms.length === 0) throw new ProvenantError('USAGE', 'a search needs at least one term');
  if (query.terms.length > MAX_SEARCH_TERMS) throw new ProvenantError('USAGE', `a search takes at most ${MAX_SEARCH_TERMS} terms`);
  checkLimit(query.limit, 'search');
  for (const term of query.terms) {
    if (!INDEX_TERM_NAMES.has(term.name)) {
      throw new ProvenantError('USAGE', `unknown index term ${JSON.stringify(term.name)}`);
    }
  }
  const after = query.after ?? -1n;
  if (query.limit === 0 || after >= INT64_MAX) return { kind: 'empty' };
  // A value that could never have been stored matches nothing; sending it would only make PostgreSQL fail.
  if (!query.terms.every((t) => isStorableTermValue(t.value))) return { kind: 'empty' };
  const seen = new Map<string, IndexTerm>();
  for (const term of query.terms) seen.set(`${term.name}\u0000${term.value}`, { name: term.name, value: term.value });
  return { kind: 'query', terms: [...seen.values()], after: after < -1n ? -1n : after, limit: query.limit };
}

export function checkSetting(name: string, value: string): void {
  if (name === '' || !isStorableText(name) || name === SCHEMA_VERSION_SETTING) {
    throw new ProvenantError('USAGE', `${JSON.stringify(name)} cannot be used as a setting name`);
  }
  if (!isStorableText(value)) throw new ProvenantError('USAGE', `the value of setting ${name} must be text without NUL`);
}

// Reading rows back: anything that breaks an invariant integrate() upholds means the database was altered.

export function corrupt(message: string, details?: Record<string, unknown>): ProvenantError {
  return new ProvenantError('STORE_CORRUPT', message, details === undefined ? {} : { details });
}

export function storedHash(value: unknown, what: string): Buffer {
  if (!Buffer.isBuffer(value) || value.length !== HASH_SIZE) {
    throw corrupt(`${what} is not a ${HASH_SIZE}-byte hash`, { length: Buffer.isBuffer(value) ? value.length : null });
  }
  return value;
}

export function storedBytes(value: unknown, what: string): Buffer {
  if (!Buffer.isBuffer(value)) throw corrupt(`${what} is not a byte string`);
  return value;
}

export function storedText(value: unknown, what: string): string {
  if (typeof value !== 'string') throw corrupt(`${what} is not text`);
  return value;
}

/** An index or size read back: better-sqlite3 (safe integers) gives bigint, pg gives BIGINT as a decimal string. */
export function storedIndex(value: unknown, what: string): bigint {
  let n: bigint | undefined;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'string' && /^[0-9]{1,19}$/.test(value)) n = BigInt(value);
  if (n === undefined || !isStorableIndex(n)) throw corrupt(`${what} is not an index`, { value: String(value) });
  return n;
}

/** A millisecond timestamp read back. */
export function storedTime(value: unknown, what: string): number {
  const n = storedIndex(value, what);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(`${what} is out of range`, { value: n.toString() });
  return Number(n);
}
