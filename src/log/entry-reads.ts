// Reads of stored entries, search and blobs, as LogService answers them. Entries are read back exactly as stored;
// the view carries the bytes so a client can hash them itself.
import { parseDigest, sha256Digest, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { parseJsonObject, type JsonObject } from '../core/json.js';
import type { IndexTerm, IndexTermName, LogStore, StoredLeaf } from '../store/ports.js';
import type { EntryQuery, LogEntryView, SearchPage } from './service.js';

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 1000;

const QUERY_TERMS: readonly (readonly [keyof EntryQuery, IndexTermName])[] = [
  ['subject', 'subject'],
  ['predicateType', 'predicateType'],
  ['signer', 'signer'],
  ['line', 'line'],
  ['target', 'target'],
  ['kind', 'kind'],
  ['repository', 'repository'],
  ['entry', 'entry'],
];

/** Refuses anything but a bigint in [0, 2^64): USAGE. */
export function checkIndex(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << 64n) {
    throw new ProvenantError('USAGE', `${what} must be an unsigned 64-bit integer`, { details: { [what]: String(value) } });
  }
  return value;
}

export async function readEntry(store: LogStore, index: bigint): Promise<LogEntryView> {
  checkIndex(index, 'index');
  const [leaf] = await store.leaves(index, index + 1n);
  if (leaf === undefined) {
    throw new ProvenantError('LOG_ENTRY_NOT_FOUND', `the log has no entry ${index}`, { details: { index: index.toString() } });
  }
  return entryView(leaf);
}

export async function readEntryByLeafHash(store: LogStore, leafHash: string): Promise<LogEntryView> {
  if (typeof leafHash !== 'string' || !/^[0-9a-f]{64}$/.test(leafHash)) {
    throw new ProvenantError('USAGE', 'a leaf hash is 64 lowercase hexadecimal digits');
  }
  const found = await store.findLeaves([Buffer.from(leafHash, 'hex')]);
  const index = found.get(leafHash);
  if (index === undefined) {
    throw new ProvenantError('LOG_ENTRY_NOT_FOUND', `the log has no entry with leaf hash ${leafHash}`, { details: { leafHash } });
  }
  return readEntry(store, index);
}

export function entryView(leaf: StoredLeaf): LogEntryView {
  let entry: JsonObject;
  try {
    entry = parseJsonObject(leaf.entry, `log entry ${leaf.index}`);
  } catch (cause) {
    throw new ProvenantError('STORE_CORRUPT', `stored entry ${leaf.index} is not a JSON object`, { cause, details: { index: leaf.index.toString() } });
  }
  return {
    index: leaf.index,
    leafHash: leaf.leafHash.toString('hex'),
    entryDigest: sha256Digest(leaf.entry),
    entryBytes: leaf.entry,
    entry,
    integratedAt: new Date(leaf.integratedAt).toISOString(),
  };
}

/** Indices of the entries matching every field of `query`, ascending, a page at a time. Errors: USAGE. */
export async function searchEntries(store: LogStore, query: EntryQuery, page: { after?: bigint; limit?: number } = {}): Promise<SearchPage> {
  const terms: IndexTerm[] = [];
  for (const [field, name] of QUERY_TERMS) {
    const value = query[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new ProvenantError('USAGE', `search field ${field} must be a non-empty string`);
    terms.push({ name, value });
  }
  if (terms.length === 0) throw new ProvenantError('USAGE', 'a search needs at least one field');
  const limit = page.limit ?? DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw new ProvenantError('USAGE', `a search limit must be 1 to ${MAX_SEARCH_LIMIT}`, { details: { limit } });
  }
  const after = page.after === undefined ? undefined : checkIndex(page.after, 'after');
  // One more than asked tells whether another page follows.
  const indices = await store.search({ terms, limit: limit + 1, ...(after === undefined ? {} : { after }) });
  if (indices.length <= limit) return { indices };
  const shown = indices.slice(0, limit);
  return { indices: shown, next: shown[shown.length - 1] as bigint };
}

export async function readBlob(store: LogStore, digest: Digest): Promise<{ mediaType: string; data: Buffer } | null> {
  const blob = await store.blob(parseDigest(digest, 'blob digest'));
  return blob === null ? null : { mediaType: blob.mediaType, data: blob.data };
}
