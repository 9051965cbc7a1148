// The storage ports of the policy engine, kept in the same database as the transparency log: the decision log
// (every decision as made, append-only, for audit, replay and re-evaluation) and the advisory set (the OSV
// records images are matched against, with a revision that names the data version). One opened store
// (ProvenantStore) gives the log and both ports. Both adapters enforce the same bounds, checked below before the
// database is touched, and decode rows the same way.
import { isDigest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import type { LogStore } from './ports.js';
import {
  MAX_TERM_VALUE_BYTES, corrupt, isStorableText, storedBytes, storedIndex, storedText, storedTime,
} from './stored-values.js';

export type DecisionOutcome = 'allow' | 'warn' | 'deny' | 'sandbox';
export type DecisionSource = 'admission' | 'docker' | 'gate' | 'api' | 'reevaluation';

export interface NewDecision {
  readonly imageDigest: string;        // "sha256:<hex>"
  readonly reference: string;          // the image reference as asked, e.g. "registry.example/app:1.0"
  readonly namespace: string | null;   // Kubernetes namespace, when the request had one
  readonly source: DecisionSource;
  readonly policyVersion: string;      // opaque, <= 200 chars
  readonly dataVersion: string;        // opaque, <= 200 chars
  readonly outcome: DecisionOutcome;
  readonly decidedAt: number;          // ms since the epoch
  readonly decision: Buffer;           // canonical JSON of the full decision, <= 4 MiB
}
export interface StoredDecision extends NewDecision { readonly id: bigint }   // ascending, assigned by the store

export interface AdmittedImage {
  readonly imageDigest: string;
  readonly reference: string;
  readonly namespace: string | null;
  /** The latest decision for this (digest, reference, namespace) whose source is not 'reevaluation'. */
  readonly lastDecision: StoredDecision;
}

/** The key admittedImages orders and pages by. */
export interface AdmissionKey {
  readonly imageDigest: string;
  readonly reference: string;
  readonly namespace: string | null;
}

export interface DecisionStore {
  /** Appends one decision (never updates). */
  recordDecision(decision: NewDecision): Promise<bigint>;
  /**
   * Appends decisions in one transaction (one commit, so one sync to disk for all of them): every one or none.
   * Ids ascend in the order given. At most MAX_DECISIONS_PER_BATCH.
   */
  recordDecisions(decisions: readonly NewDecision[]): Promise<bigint[]>;
  /** Decisions about one image digest, newest first. */
  decisionsFor(imageDigest: string, limit: number): Promise<StoredDecision[]>;
  /** One decision by id, or null. */
  decision(id: bigint): Promise<StoredDecision | null>;
  /**
   * Every (digest, reference, namespace) whose latest non-reevaluation decision admitted it (allow, warn or
   * sandbox), ordered by (imageDigest, reference, namespace), paged by a cursor (the last row's key). Strings
   * order by their UTF-8 bytes; a null namespace comes before every other.
   */
  admittedImages(page: { after?: AdmissionKey; limit: number }): Promise<AdmittedImage[]>;
}

export interface StoredAdvisory {
  readonly id: string;          // OSV id
  readonly modified: string;    // RFC 3339 as in the record
  readonly record: Buffer;      // the record's JSON bytes as accepted (already validated by the caller)
}

export interface AdvisoryPutResult { readonly inserted: number; readonly replaced: number; readonly unchanged: number }

export interface AdvisoryStore {
  /**
   * Inserts each advisory, or replaces the stored one with the same id when the new `modified` is later (compare as
   * instants, not strings); an older or equal `modified` leaves it unchanged. One transaction per call. An id given
   * twice in one call is taken in order, as two calls would.
   */
  putAdvisories(advisories: readonly StoredAdvisory[]): Promise<AdvisoryPutResult>;
  /** All stored advisories ordered by id (UTF-8 byte order), paged by the last id. */
  advisories(page: { afterId?: string; limit: number }): Promise<StoredAdvisory[]>;
  advisoryCount(): Promise<number>;
  /** A counter that increases on every putAdvisories that inserted or replaced something (data version). */
  advisoriesRevision(): Promise<bigint>;
}

/** What one opened store gives: the transparency log, the decision log and the advisory set. */
export type ProvenantStore = LogStore & DecisionStore & AdvisoryStore;

export const MAX_DECISION_BYTES = 4 * 1024 * 1024;
/** The OSV loader accepts records up to 8 MiB (OSV_LIMITS.maxRecordLength); the store keeps what it accepts. */
export const MAX_ADVISORY_BYTES = 8 * 1024 * 1024;
export const MAX_VERSION_CHARS = 200;
/** Kubernetes namespaces are DNS labels (63 characters); this leaves room without letting the index rows grow. */
export const MAX_NAMESPACE_BYTES = 253;
export const MAX_PAGE_LIMIT = 10_000;

const OUTCOMES: ReadonlySet<string> = new Set<DecisionOutcome>(['allow', 'warn', 'deny', 'sandbox']);
const SOURCES: ReadonlySet<string> = new Set<DecisionSource>(['admission', 'docker', 'gate', 'api', 'reevaluation']);

/**
 * The namespace column is NOT NULL and holds '' for "no namespace": an empty namespace is refused on the way in,
 * so '' is unambiguous, sorts first in both databases and lets row-value comparisons page through it.
 */
export const NO_NAMESPACE = '';

function invalid(message: string, details?: Record<string, unknown>): ProvenantError {
  return new ProvenantError('STORE_VALUE_INVALID', message, details === undefined ? {} : { details });
}

export function checkPageLimit(limit: number, what: string): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw invalid(`the ${what} limit must be an integer in 1..${MAX_PAGE_LIMIT}, got ${limit}`, { limit });
  }
}

function boundedText(value: unknown, maxBytes: number, what: string): string {
  if (!isStorableText(value) || value === '' || Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw invalid(`${what} must be non-empty text without NUL of at most ${maxBytes} UTF-8 bytes`);
  }
  return value;
}

/** The stored form of a namespace (see NO_NAMESPACE). */
export function namespaceColumn(namespace: string | null): string {
  return namespace === null ? NO_NAMESPACE : boundedText(namespace, MAX_NAMESPACE_BYTES, 'a namespace');
}

/** The most decisions one recordDecisions call writes. */
export const MAX_DECISIONS_PER_BATCH = 1_000;

/** Checks a batch for recordDecisions: its size, then every decision. Errors: STORE_VALUE_INVALID. */
export function checkNewDecisions(batch: readonly NewDecision[]): void {
  if (!Array.isArray(batch) || batch.length === 0 || batch.length > MAX_DECISIONS_PER_BATCH) {
    throw invalid(`recordDecisions takes 1..${MAX_DECISIONS_PER_BATCH} decisions`);
  }
  batch.forEach((d, index) => {
    try {
      checkNewDecision(d);
    } catch (e) {
      if (!(e instanceof ProvenantError)) throw e;
      throw new ProvenantError(e.code, `decision ${index}: ${e.message}`, { cause: e, details: { ...e.details, index } });
    }
  });
}

export function checkNewDecision(d: NewDecision): void {
  if (!isDigest(d.imageDigest)) throw invalid('the image digest of a decision must be sha256:<64 lowercase hex>');
  boundedText(d.reference, MAX_TERM_VALUE_BYTES, 'the image reference of a decision');
  namespaceColumn(d.namespace);
  if (!SOURCES.has(d.source)) throw invalid(`unknown decision source ${JSON.stringify(d.source)}`);
  if (!OUTCOMES.has(d.outcome)) throw invalid(`unknown decision outcome ${JSON.stringify(d.outcome)}`);
  for (const [value, what] of [[d.policyVersion, 'policy version'], [d.dataVersion, 'data version']] as const) {
    if (!isStorableText(value) || value === '' || value.length > MAX_VERSION_CHARS) {
      throw invalid(`the ${what} of a decision must be 1..${MAX_VERSION_CHARS} characters without NUL`);
    }
  }
  if (!Number.isSafeInteger(d.decidedAt) || d.decidedAt < 0) throw invalid('decidedAt must be a non-negative integer (ms)');
  if (!Buffer.isBuffer(d.decision) || d.decision.length === 0 || d.decision.length > MAX_DECISION_BYTES) {
    throw invalid(`a decision body must be 1..${MAX_DECISION_BYTES} bytes`, { length: Buffer.isBuffer(d.decision) ? d.decision.length : null });
  }
}

/** The admittedImages cursor as column values; no cursor starts before every key (digests are never empty). */
export function admissionCursor(after: AdmissionKey | undefined): [string, string, string] {
  if (after === undefined) return ['', '', ''];
  if (!isStorableText(after.imageDigest) || !isStorableText(after.reference)) throw invalid('the admittedImages cursor must be text without NUL');
  if (after.namespace !== null && !isStorableText(after.namespace)) throw invalid('the admittedImages cursor must be text without NUL');
  return [after.imageDigest, after.reference, after.namespace ?? NO_NAMESPACE];
}

/** The advisories cursor as a column value; no cursor starts before every id (ids are never empty). */
export function advisoryCursor(afterId: string | undefined): string {
  return afterId === undefined ? '' : boundedText(afterId, MAX_TERM_VALUE_BYTES, 'the advisories cursor');
}

// RFC 3339 section 5.6 date-time: "T" and "Z" may be lower case, the fraction has any number of digits.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const MAX_DATE_TIME_CHARS = 64;

/**
 * The instant an RFC 3339 date-time names, as a string that orders like the instants: UTC, fixed-width up to the
 * seconds, then the fraction without trailing zeros and no zone letter, so a shorter fraction is a prefix and
 * sorts first. Offsets are whole minutes, so seconds (including a leap second, 60) carry over unchanged. Null
 * when `value` is not an RFC 3339 date-time of years 0000..9999 in UTC.
 */
export function instantKey(value: string): string | null {
  const m = value.length <= MAX_DATE_TIME_CHARS ? DATE_TIME.exec(value) : null;
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const at = new Date(0);
  at.setUTCFullYear(year, month, 0);
  const daysInMonth = at.getUTCDate();
  const offsetMinutes = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) return null;
  if (Number(m[9] ?? 0) > 23 || Number(m[10] ?? 0) > 59) return null;
  at.setUTCFullYear(year, month - 1, day);
  at.setUTCHours(hour, minute - offsetMinutes, 0, 0);
  const utcYear = at.getUTCFullYear();
  if (utcYear < 0 || utcYear > 9999) return null;
  const fraction = (m[7] ?? '').replace(/0+$/, '');
  return `${at.toISOString().slice(0, 16)}:${String(second).padStart(2, '0')}${fraction === '' ? '' : `.${fraction}`}`;
}

/** An advisory checked for storing, with the instant of its `modified`. */
export interface CheckedAdvisory {
  readonly advisory: StoredAdvisory;
  readonly modifiedKey: string;
}

export function checkAdvisories(advisories: readonly StoredAdvisory[]): CheckedAdvisory[] {
  return advisories.map((advisory, i) => {
    boundedText(advisory.id, MAX_TERM_VALUE_BYTES, `the id of advisory ${i}`);
    const modifiedKey = typeof advisory.modified === 'string' ? instantKey(advisory.modified) : null;
    if (modifiedKey === null) throw invalid(`advisory ${advisory.id}: modified is not an RFC 3339 date-time`, { id: advisory.id });
    if (!Buffer.isBuffer(advisory.record) || advisory.record.length === 0 || advisory.record.length > MAX_ADVISORY_BYTES) {
      throw invalid(`advisory ${advisory.id}: the record must be 1..${MAX_ADVISORY_BYTES} bytes`, { id: advisory.id });
    }
    return { advisory, modifiedKey };
  });
}

/**
 * Which advisories a putAdvisories call writes (insert or replace), given the `modifiedKey` stored for an id
 * (undefined when none). Advisories are taken in order, so for an id given twice the later one competes with the
 * earlier one's result; each id is written once, with the advisory that won.
 */
export function planAdvisoryWrites(
  advisories: readonly CheckedAdvisory[],
  storedKey: (id: string) => string | undefined,
): { writes: CheckedAdvisory[]; result: AdvisoryPutResult } {
  const writes = new Map<string, CheckedAdvisory>();
  let inserted = 0;
  let replaced = 0;
  let unchanged = 0;
  for (const a of advisories) {
    const id = a.advisory.id;
    const current = writes.get(id)?.modifiedKey ?? storedKey(id);
    if (current === undefined) {
      writes.set(id, a);
      inserted++;
    } else if (a.modifiedKey > current) {
      writes.set(id, a);
      replaced++;
    } else {
      unchanged++;
    }
  }
  return { writes: [...writes.values()], result: { inserted, replaced, unchanged } };
}

// Reading rows back (column names are the same in both schemas).

export function decisionFromRow(row: Record<string, unknown>): StoredDecision {
  const source = storedText(row.source, 'decision source');
  const outcome = storedText(row.outcome, 'decision outcome');
  if (!SOURCES.has(source) || !OUTCOMES.has(outcome)) throw corrupt('a stored decision has an unknown source or outcome', { source, outcome });
  const namespace = storedText(row.namespace, 'decision namespace');
  return {
    id: storedIndex(row.id, 'decision id'),
    imageDigest: storedText(row.image_digest, 'decision image digest'),
    reference: storedText(row.reference, 'decision reference'),
    namespace: namespace === NO_NAMESPACE ? null : namespace,
    source: source as DecisionSource,
    policyVersion: storedText(row.policy_version, 'decision policy version'),
    dataVersion: storedText(row.data_version, 'decision data version'),
    outcome: outcome as DecisionOutcome,
    decidedAt: storedTime(row.decided_at, 'decision time'),
    decision: storedBytes(row.decision, 'decision body'),
  };
}

export function admittedFromRow(row: Record<string, unknown>): AdmittedImage {
  const lastDecision = decisionFromRow(row);
  return { imageDigest: lastDecision.imageDigest, reference: lastDecision.reference, namespace: lastDecision.namespace, lastDecision };
}

export function advisoryFromRow(row: Record<string, unknown>): StoredAdvisory {
  return {
    id: storedText(row.id, 'advisory id'),
    modified: storedText(row.modified, 'advisory modified time'),
    record: storedBytes(row.record, 'advisory record'),
  };
}

const INSTANT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d*[1-9])?$/;

/** A stored modified_key (an instantKey) read back for comparison. */
export function storedModifiedKey(value: unknown, id: string): string {
  const key = storedText(value, `the modified time of advisory ${id}`);
  if (!INSTANT_KEY.test(key)) throw corrupt(`the stored modified time of advisory ${id} is not normalised`, { id });
  return key;
}

/** The advisory revision read back: never negative. */
export function storedRevision(value: unknown): bigint {
  return storedIndex(value, 'advisory revision');
}

/** The decision columns in the order both schemas and all SELECTs use. */
export const DECISION_COLUMNS =
  'id, image_digest, reference, namespace, source, policy_version, data_version, outcome, decided_at, decision';
