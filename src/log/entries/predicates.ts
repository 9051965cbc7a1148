// The predicates of the Provenant-defined statements (lineage records, auditor attestations, revocations).
// Each is read strictly: a closed set of fields with one type each, so what was signed has one meaning.
import type { Digest } from '../../core/digest.js';
import type { JsonObject } from '../../core/json.js';
import { StrictObject } from './strict-object.js';

export const ARTIFACT_KINDS = ['oci-image', 'file'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];
export const AUDIT_TYPES = ['vuln-scan', 'compliance'] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];
export const AUDIT_RESULTS = ['pass', 'fail'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

export interface LineageArtifact {
  readonly kind: ArtifactKind;
  readonly name: string;
  readonly size?: number;
  readonly mediaType?: string;
}

export interface LineagePredicate {
  /** "provider/name". */
  readonly line: string;
  readonly artifact: LineageArtifact;
  /** Entry digest of the record with sequence - 1; null for the first record. */
  readonly previous: Digest | null;
  /** 1-based position in the line. */
  readonly sequence: number;
  readonly createdAt: string;
  readonly note?: string;
}

export interface AuditPredicate {
  /** Entry digest of the lineage record audited. */
  readonly record: Digest;
  readonly line: string;
  readonly auditor: string;
  readonly type: AuditType;
  readonly result: AuditResult;
  readonly score?: number;
  readonly createdAt: string;
  readonly note?: string;
}

export interface RevocationPredicate {
  /** Entry digest of the entry revoked. */
  readonly target: Digest;
  readonly reason: string;
  readonly createdAt: string;
}

const LINE_PART = '[a-z0-9][a-z0-9._-]{0,63}';
const LINE_RE = new RegExp(`^${LINE_PART}/${LINE_PART}$`);
// RFC 6838 §4.2 type/subtype names (with optional parameters left out: a media type here names a format).
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const MAX_ARTIFACT_NAME = 1024;
const MAX_NOTE = 4096;
const MAX_REASON = 1024;
const MAX_AUDITOR = 128;

/** True for a lineage line name "provider/name", each part [a-z0-9][a-z0-9._-]{0,63}. */
export function isLineName(value: unknown): value is string {
  return typeof value === 'string' && LINE_RE.test(value);
}

/** Errors: PREDICATE_MALFORMED. */
export function parseLineagePredicate(value: unknown): LineagePredicate {
  const p = StrictObject.read(value, 'lineage predicate', 'PREDICATE_MALFORMED', ['line', 'artifact', 'previous', 'sequence', 'createdAt'], ['note']);
  const line = p.string('line', 129, 3, LINE_RE);
  const a = StrictObject.read(p.raw('artifact'), 'lineage predicate artifact', 'PREDICATE_MALFORMED', ['kind', 'name'], ['size', 'mediaType']);
  const artifact: LineageArtifact = withOptional(
    { kind: a.literal('kind', ARTIFACT_KINDS), name: a.string('name', MAX_ARTIFACT_NAME) },
    { size: a.optionalInteger('size', 0, Number.MAX_SAFE_INTEGER), mediaType: a.optionalString('mediaType', 255, MEDIA_TYPE_RE) },
  );
  const previous = p.nullableDigest('previous');
  const sequence = p.integer('sequence', 1, Number.MAX_SAFE_INTEGER);
  if ((sequence === 1) !== (previous === null)) p.fail('previous', 'must be null exactly when sequence is 1');
  return withOptional({ line, artifact, previous, sequence, createdAt: p.timestamp('createdAt') }, { note: p.optionalString('note', MAX_NOTE) });
}

/** Errors: PREDICATE_MALFORMED. */
export function parseAuditPredicate(value: unknown): AuditPredicate {
  const p = StrictObject.read(value, 'audit predicate', 'PREDICATE_MALFORMED', ['record', 'line', 'auditor', 'type', 'result', 'createdAt'], ['score', 'note']);
  return withOptional(
    {
      record: p.digest('record'),
      line: p.string('line', 129, 3, LINE_RE),
      auditor: p.string('auditor', MAX_AUDITOR),
      type: p.literal('type', AUDIT_TYPES),
      result: p.literal('result', AUDIT_RESULTS),
      createdAt: p.timestamp('createdAt'),
    },
    { score: p.optionalNumber('score', 0, 100), note: p.optionalString('note', MAX_NOTE) },
  );
}

/** Errors: PREDICATE_MALFORMED. */
export function parseRevocationPredicate(value: unknown): RevocationPredicate {
  const p = StrictObject.read(value, 'revocation predicate', 'PREDICATE_MALFORMED', ['target', 'reason', 'createdAt']);
  return { target: p.digest('target'), reason: p.string('reason', MAX_REASON), createdAt: p.timestamp('createdAt') };
}

/** The predicate as the JSON object signed in the statement. */
export function predicateJson(predicate: LineagePredicate | AuditPredicate | RevocationPredicate): JsonObject {
  return { ...(predicate as unknown as JsonObject) };
}

/** `base` plus the optional fields that are set: absent fields stay absent rather than undefined. */
function withOptional<T extends Record<string, unknown>, O extends Record<string, unknown>>(base: T, optional: O): T & Partial<{ [K in keyof O]: Exclude<O[K], undefined> }> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) out[key] = value;
  return out as T & Partial<{ [K in keyof O]: Exclude<O[K], undefined> }>;
}
