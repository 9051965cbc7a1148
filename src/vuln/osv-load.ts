// Loads a vulnerability data set that the user downloaded from OSV in one of its published shapes, and names it
// by content so that a decision taken against it can be replayed against the very same data. The name does not
// depend on the shape, the order of records or their whitespace: each record counts by the SHA-256 of its
// RFC 8785 form, so a directory, an NDJSON file and an `all.zip` of the same records are the same data set.
import { canonicalJsonBytes, canonicalJson, parseJsonObject, type JsonObject } from '../core/json.js';
import { sha256Digest, sha256Hex, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { advisoryFromJson, OSV_LIMITS, type Advisory } from './osv-record.js';
import {
  DEFAULT_OSV_SOURCE_LIMITS,
  readDirRecords,
  readNdjsonRecords,
  readZipRecords,
  type OsvSourceLimits,
  type RawRecord,
  type RecordOrigin,
} from './osv-load-sources.js';
import type { ZipLimits } from './zip-reader.js';

export type OsvSource = { dir: string } | { ndjson: string } | { zip: string };
export type OsvSourceKind = 'dir' | 'ndjson' | 'zip';

export interface OsvLoadOptions {
  limits?: Partial<OsvSourceLimits>;
  zipLimits?: Partial<ZipLimits>;
  /** Also return each kept record's JSON (for storing or forwarding it as received). */
  keepRecords?: boolean;
}

export interface OsvDatasetIdentity {
  /** SHA-256 of the RFC 8785 form of the `[id, modified, record sha256 hex]` list of kept records, sorted by id. */
  digest: Digest;
  /** Advisories kept, one per id. */
  advisories: number;
  /** The latest `modified` among the kept advisories; null for an empty data set. */
  newestModified: string | null;
  source: OsvSourceKind;
}

export interface OsvDataset {
  /** One advisory per id, the one with the latest `modified`, sorted by id. */
  advisories: Advisory[];
  identity: OsvDatasetIdentity;
  /** Records dropped because another record of the same id was kept. */
  duplicates: number;
  /** With keepRecords: the JSON of each kept record, in the order of `advisories`. */
  records?: JsonObject[];
}

interface Kept {
  advisory: Advisory;
  sha256: string;
  record?: JsonObject;
}

/**
 * Reads every record of `source`, keeps the latest of each id and computes the data set's identity. Errors of one
 * record keep their code and carry its origin (`file`, `line` or `entry`) in details. Errors: OSV_MALFORMED,
 * JSON_*, INPUT_TOO_LARGE, ARCHIVE_* and UNSUPPORTED (zip), FILE_NOT_FOUND, IO_ERROR, USAGE.
 */
export async function loadOsv(source: OsvSource, options: OsvLoadOptions = {}): Promise<OsvDataset> {
  const lim: OsvSourceLimits = { ...DEFAULT_OSV_SOURCE_LIMITS, ...options.limits };
  const { kind, records } = open(source, lim, options.zipLimits);
  const byId = new Map<string, Kept>();
  let duplicates = 0;
  for await (const raw of records) {
    const kept = parseRecord(raw, options.keepRecords === true);
    const previous = byId.get(kept.advisory.id);
    if (previous === undefined) {
      byId.set(kept.advisory.id, kept);
      continue;
    }
    duplicates++;
    if (isLater(kept, previous)) byId.set(kept.advisory.id, kept);
  }
  // Sorted by UTF-16 code units, the order RFC 8785 also uses, so the list is the same on every platform.
  const sorted = [...byId.values()].sort((a, b) => (a.advisory.id < b.advisory.id ? -1 : a.advisory.id > b.advisory.id ? 1 : 0));
  let newest: Kept | undefined;
  for (const k of sorted) if (newest === undefined || compareModified(k.advisory.modified, newest.advisory.modified) > 0) newest = k;
  return {
    advisories: sorted.map((k) => k.advisory),
    identity: {
      digest: sha256Digest(canonicalJson(sorted.map((k) => [k.advisory.id, k.advisory.modified, k.sha256]))),
      advisories: sorted.length,
      newestModified: newest === undefined ? null : newest.advisory.modified,
      source: kind,
    },
    duplicates,
    ...(options.keepRecords === true ? { records: sorted.map((k) => k.record!) } : {}),
  };
}

function open(source: OsvSource, lim: OsvSourceLimits, zipLimits: Partial<ZipLimits> | undefined): { kind: OsvSourceKind; records: AsyncGenerator<RawRecord> } {
  if ('dir' in source) return { kind: 'dir', records: readDirRecords(source.dir, lim) };
  if ('ndjson' in source) return { kind: 'ndjson', records: readNdjsonRecords(source.ndjson, lim) };
  if ('zip' in source) return { kind: 'zip', records: readZipRecords(source.zip, lim, zipLimits) };
  throw new ProvenantError('USAGE', 'an OSV source is one of { dir }, { ndjson } or { zip }');
}

function parseRecord(raw: RawRecord, keep: boolean): Kept {
  try {
    const json = parseJsonObject(raw.bytes, 'OSV record', { maxLength: OSV_LIMITS.maxRecordLength, maxDepth: OSV_LIMITS.maxDepth });
    return { advisory: advisoryFromJson(json), sha256: sha256Hex(canonicalJsonBytes(json)), ...(keep ? { record: json } : {}) };
  } catch (e) {
    if (!(e instanceof ProvenantError)) throw e;
    throw new ProvenantError(e.code, `${describe(raw.origin)}: ${e.message}`, { details: { ...e.details, ...raw.origin }, cause: e });
  }
}

function describe(origin: RecordOrigin): string {
  if ('file' in origin) return `file ${origin.file}`;
  if ('line' in origin) return `line ${origin.line}`;
  return `zip member ${origin.entry}`;
}

/** Later `modified` wins; equal timestamps fall to the record hash so that the result never depends on order. */
function isLater(a: Kept, b: Kept): boolean {
  const c = compareModified(a.advisory.modified, b.advisory.modified);
  return c > 0 || (c === 0 && a.sha256 > b.sha256);
}

/**
 * Orders two OSV `modified` timestamps, which osv-record has checked to be RFC 3339 UTC ending in "Z" with 0 to 9
 * fraction digits. The fixed-width date and time compare as text; fractions compare once padded to 9 digits.
 */
export function compareModified(a: string, b: string): number {
  const [aMain, aFrac] = splitTimestamp(a);
  const [bMain, bFrac] = splitTimestamp(b);
  if (aMain !== bMain) return aMain < bMain ? -1 : 1;
  return aFrac === bFrac ? 0 : aFrac < bFrac ? -1 : 1;
}

function splitTimestamp(t: string): [string, string] {
  const main = t.slice(0, 19);
  const frac = t.length > 20 ? t.slice(20, -1) : '';
  return [main, frac.padEnd(9, '0')];
}
