// Reading the service's JSON answers back into the LogService types. Every field is checked: the answer comes
// from the network, and a proof or entry that is the wrong shape must fail here, with SERVICE_PROTOCOL, rather
// than deeper in verification with a misleading code.
import { ProvenantError } from '../../core/errors.js';
import { decodeBase64 } from '../../core/bytes.js';
import { isDigest, type Digest } from '../../core/digest.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { AppendResult, ConsistencyProof, InclusionProof, LogEntryView, LogInfo, SearchPage } from '../../log/service.js';

const HASH_RE = /^[0-9a-f]{64}$/;
const DECIMAL_RE = /^(?:0|[1-9][0-9]{0,19})$/;

function protocol(what: string, field: string): ProvenantError {
  return new ProvenantError('SERVICE_PROTOCOL', `the service's ${what} has no valid "${field}"`, { details: { field } });
}

function str(o: JsonObject, field: string, what: string): string {
  const v = o[field];
  if (typeof v !== 'string') throw protocol(what, field);
  return v;
}

/** A bigint sent as a decimal string (JSON numbers lose precision past 2^53). */
export function wireBigint(v: JsonValue | undefined, field: string, what: string): bigint {
  if (typeof v !== 'string' || !DECIMAL_RE.test(v)) throw protocol(what, field);
  return BigInt(v);
}

function hash(o: JsonObject, field: string, what: string): string {
  const v = str(o, field, what);
  if (!HASH_RE.test(v)) throw protocol(what, field);
  return v;
}

function digest(o: JsonObject, field: string, what: string): Digest {
  const v = o[field];
  if (!isDigest(v)) throw protocol(what, field);
  return v;
}

function hashes(o: JsonObject, field: string, what: string): string[] {
  const v = o[field];
  if (!Array.isArray(v) || v.length > 128 || !v.every((h) => typeof h === 'string' && HASH_RE.test(h))) throw protocol(what, field);
  return v as string[];
}

export function readLogInfo(o: JsonObject): LogInfo {
  const what = 'log info';
  return {
    origin: str(o, 'origin', what),
    size: wireBigint(o.size, 'size', what),
    rootHash: hash(o, 'rootHash', what),
    checkpoint: str(o, 'checkpoint', what),
    verifierKey: str(o, 'verifierKey', what),
  };
}

export function readAppendResult(o: JsonObject): AppendResult {
  const what = 'append result';
  if (typeof o.duplicate !== 'boolean') throw protocol(what, 'duplicate');
  return {
    index: wireBigint(o.index, 'index', what),
    leafHash: hash(o, 'leafHash', what),
    entryDigest: digest(o, 'entryDigest', what),
    duplicate: o.duplicate,
    checkpoint: str(o, 'checkpoint', what),
  };
}

export function readEntryView(o: JsonObject): LogEntryView {
  const what = 'log entry';
  const entry = o.entry;
  if (!isJsonObject(entry)) throw protocol(what, 'entry');
  let entryBytes: Buffer;
  try {
    entryBytes = decodeBase64(o.entryBytes, 'entryBytes');
  } catch {
    throw protocol(what, 'entryBytes');
  }
  return {
    index: wireBigint(o.index, 'index', what),
    leafHash: hash(o, 'leafHash', what),
    entryDigest: digest(o, 'entryDigest', what),
    entryBytes,
    entry,
    integratedAt: str(o, 'integratedAt', what),
  };
}

export function readInclusionProof(o: JsonObject): InclusionProof {
  const what = 'inclusion proof';
  return {
    index: wireBigint(o.index, 'index', what),
    size: wireBigint(o.size, 'size', what),
    leafHash: hash(o, 'leafHash', what),
    hashes: hashes(o, 'hashes', what),
    checkpoint: str(o, 'checkpoint', what),
  };
}

export function readConsistencyProof(o: JsonObject): ConsistencyProof {
  const what = 'consistency proof';
  return { from: wireBigint(o.from, 'from', what), to: wireBigint(o.to, 'to', what), hashes: hashes(o, 'hashes', what) };
}

export function readSearchPage(o: JsonObject): SearchPage {
  const what = 'search result';
  const list = o.indices;
  if (!Array.isArray(list)) throw protocol(what, 'indices');
  const indices = list.map((v) => wireBigint(v, 'indices', what));
  return o.next === undefined || o.next === null ? { indices } : { indices, next: wireBigint(o.next, 'next', what) };
}
