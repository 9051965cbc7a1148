// Reads of the log the runtime makes: paging a search to its end (or just to its newest index, the cheap check
// of "did anything of this kind arrive"), and reading an attestation entry back with its envelope re-verified.
import { decodeBase64 } from '../../core/bytes.js';
import type { Digest } from '../../core/digest.js';
import { isProvenantError, ProvenantError } from '../../core/errors.js';
import { parseEnvelope } from '../../formats/dsse.js';
import { describeEntry } from '../../log/entries/index.js';
import { MAX_SEARCH_LIMIT } from '../../log/entry-reads.js';
import type { EntryQuery, LogEntryView, LogService } from '../../log/service.js';
import { leafHash } from '../../merkle/index.js';

/** Every index matching `query` after `after`, ascending. Errors: SERVICE_PROTOCOL (pages out of order), the log's. */
export async function searchAll(log: LogService, query: EntryQuery, after?: bigint): Promise<bigint[]> {
  const out: bigint[] = [];
  let cursor = after;
  for (;;) {
    const page = await log.search(query, cursor === undefined ? { limit: MAX_SEARCH_LIMIT } : { after: cursor, limit: MAX_SEARCH_LIMIT });
    for (const index of page.indices) {
      const last = out[out.length - 1] ?? cursor;
      if (last !== undefined && index <= last) throw new ProvenantError('SERVICE_PROTOCOL', 'the log answered a search with indices out of order');
      out.push(index);
    }
    if (page.next === undefined) return out;
    if (cursor !== undefined && page.next <= cursor) throw new ProvenantError('SERVICE_PROTOCOL', 'the log answered a search with a next page that does not advance');
    cursor = page.next;
  }
}

/** The newest index matching `query` after `after`, or `after` itself when nothing newer matches. */
export async function newestIndex(log: LogService, query: EntryQuery, after: bigint | undefined): Promise<bigint | undefined> {
  const found = await searchAll(log, query, after);
  return found[found.length - 1] ?? after;
}

export interface VerifiedAttestation {
  readonly logIndex: bigint;
  readonly entryDigest: Digest;
  readonly integratedAt: string;
  /** Key id of the envelope's signer. */
  readonly signer: string;
  /** The statement bytes, signature verified. */
  readonly payload: Buffer;
}

/** Why an entry was not read: an error code and message of its content (never one of the log itself). */
export interface UnreadEntry {
  readonly logIndex: bigint;
  readonly entryDigest?: Digest;
  readonly reason: string;
}

/**
 * Reads an attestation entry and its envelope blob, re-verifying the entry hash and the envelope signature. A
 * failure of the content is returned as the reason it was not read; a failure of the log is thrown.
 */
export async function readAttestation(log: LogService, view: LogEntryView, maxEnvelopeBytes: number): Promise<VerifiedAttestation | UnreadEntry> {
  const logIndex = view.index;
  if (leafHash(view.entryBytes).toString('hex') !== view.leafHash) return { logIndex, reason: 'LOG_ENTRY_TAMPERED: the entry does not hash to its leaf hash' };
  const shape = contentRead(() => describeEntry(view.entryBytes));
  if ('reason' in shape) return { logIndex, reason: shape.reason };
  const d = shape.value;
  if (d.kind !== 'attestation') return { logIndex, entryDigest: d.entryDigest, reason: `it is a ${d.kind} entry, not an attestation` };
  const blob = await log.blob(d.envelopeDigest);
  if (blob === null) return { logIndex, entryDigest: d.entryDigest, reason: `BLOB_NOT_FOUND: the log does not hold its envelope ${d.envelopeDigest}` };
  const read = contentRead(() => {
    describeEntry(view.entryBytes, (digest) => (digest === d.envelopeDigest ? blob.data : undefined));
    return decodeBase64(parseEnvelope(blob.data, { maxBytes: maxEnvelopeBytes }).payload, 'DSSE payload');
  });
  if ('reason' in read) return { logIndex, entryDigest: d.entryDigest, reason: read.reason };
  return { logIndex, entryDigest: d.entryDigest, integratedAt: view.integratedAt, signer: d.signer, payload: read.value };
}

/** Runs a read of signed content; a failure of that content (not of the log) becomes the reason it is not used. */
export function contentRead<T>(fn: () => T): { value: T } | { reason: string } {
  try {
    return { value: fn() };
  } catch (e) {
    if (!isProvenantError(e) || e.code === 'INTERNAL') throw e;
    return { reason: `${e.code}: ${e.message}` };
  }
}
