// The reputation event predicate (https://provenant.dev/attestation/reputation-event/v1): one thing that happened to
// a provider, reported and signed by someone. It is read strictly, as the log's own predicates are: a closed set of
// fields per event type, bounded strings and RFC 3339 UTC dates, so a signed event has exactly one meaning.
import type { Digest } from '../core/digest.js';
import { isProvenantError, ProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { StrictObject } from '../log/entries/strict-object.js';
import { parseImageReference } from '../oci/reference.js';
import { MAX_PROVIDER_LENGTH, parseProvider } from './providers.js';

export const REPUTATION_EVENT_PREDICATE_TYPE = 'https://provenant.dev/attestation/reputation-event/v1';

export const REPUTATION_EVENT_TYPES = ['vulnerability', 'audit', 'incident', 'feedback', 'certification'] as const;
export type ReputationEventType = (typeof REPUTATION_EVENT_TYPES)[number];
export const SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const AUDIT_OUTCOMES = ['pass', 'fail'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

interface EventCommon {
  readonly provider: string;
  /** RFC 3339 UTC: when it happened; the event's age (and decay) counts from here. */
  readonly occurredAt: string;
  /** Who reports it: free text, e.g. "security-team@example.com". */
  readonly reporter: string;
  readonly note?: string;
}

export type ReputationEvent =
  | (EventCommon & {
      readonly type: 'vulnerability';
      /** OSV, CVE or GHSA id. */
      readonly vulnerability: string;
      readonly severity: Severity;
      readonly publishedAt: string;
      readonly fixedAt?: string;
      /** The affected image reference. */
      readonly image?: string;
    })
  | (EventCommon & { readonly type: 'audit'; readonly auditor: string; readonly result: AuditOutcome; readonly record?: Digest })
  | (EventCommon & { readonly type: 'incident'; readonly severity: Severity; readonly title: string })
  | (EventCommon & { readonly type: 'feedback'; readonly rating: number })
  | (EventCommon & { readonly type: 'certification'; readonly name: string; readonly issuer: string; readonly expiresAt: string });

const COMMON_FIELDS = ['provider', 'type', 'occurredAt', 'reporter'] as const;
const TYPE_FIELDS: Readonly<Record<ReputationEventType, { required: readonly string[]; optional: readonly string[] }>> = {
  vulnerability: { required: ['vulnerability', 'severity', 'publishedAt'], optional: ['fixedAt', 'image'] },
  audit: { required: ['auditor', 'result'], optional: ['record'] },
  incident: { required: ['severity', 'title'], optional: [] },
  feedback: { required: ['rating'], optional: [] },
  certification: { required: ['name', 'issuer', 'expiresAt'], optional: [] },
};
const MAX_TEXT = 256;
const MAX_NOTE = 2048;
const MAX_IMAGE = 2048;
// OSV ids (CVE-2024-3094, GHSA-xxxx-xxxx-xxxx, DSA-5678-1, PYSEC-2024-1): letters, digits and a few separators.
const VULNERABILITY_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Reads an event predicate. Errors: REPUTATION_EVENT_INVALID. */
export function parseReputationEvent(value: unknown): ReputationEvent {
  try {
    return readEvent(value);
  } catch (e) {
    if (isProvenantError(e, 'PREDICATE_MALFORMED')) {
      throw new ProvenantError('REPUTATION_EVENT_INVALID', e.message, { cause: e, ...(e.details === undefined ? {} : { details: e.details }) });
    }
    throw e;
  }
}

function readEvent(value: unknown): ReputationEvent {
  const what = 'reputation event';
  const head = StrictObject.read(value, what, 'PREDICATE_MALFORMED', ['type'], [...COMMON_FIELDS, 'note', ...allTypeFields()]);
  const type = head.literal('type', REPUTATION_EVENT_TYPES);
  const fields = TYPE_FIELDS[type];
  const s = StrictObject.read(value, `${what} (${type})`, 'PREDICATE_MALFORMED', [...COMMON_FIELDS, ...fields.required], ['note', ...fields.optional]);
  const provider = parseProvider(s.string('provider', MAX_PROVIDER_LENGTH)).id;
  const note = s.optionalString('note', MAX_NOTE);
  const common: EventCommon = {
    provider,
    occurredAt: s.timestamp('occurredAt'),
    reporter: s.string('reporter', MAX_TEXT),
    ...(note === undefined ? {} : { note }),
  };
  switch (type) {
    case 'vulnerability': {
      const image = s.optionalString('image', MAX_IMAGE);
      if (image !== undefined) checkImage(s, image);
      return {
        ...common,
        type,
        vulnerability: s.string('vulnerability', 128, 1, VULNERABILITY_ID_RE),
        severity: s.literal('severity', SEVERITIES),
        publishedAt: s.timestamp('publishedAt'),
        ...(s.has('fixedAt') ? { fixedAt: s.timestamp('fixedAt') } : {}),
        ...(image === undefined ? {} : { image }),
      };
    }
    case 'audit':
      return {
        ...common,
        type,
        auditor: s.string('auditor', MAX_TEXT),
        result: s.literal('result', AUDIT_OUTCOMES),
        ...(s.has('record') ? { record: s.digest('record') } : {}),
      };
    case 'incident':
      return { ...common, type, severity: s.literal('severity', SEVERITIES), title: s.string('title', MAX_TEXT) };
    case 'feedback':
      return { ...common, type, rating: s.integer('rating', 1, 5) };
    case 'certification':
      return { ...common, type, name: s.string('name', MAX_TEXT), issuer: s.string('issuer', MAX_TEXT), expiresAt: s.timestamp('expiresAt') };
  }
}

function allTypeFields(): string[] {
  return [...new Set(REPUTATION_EVENT_TYPES.flatMap((t) => [...TYPE_FIELDS[t].required, ...TYPE_FIELDS[t].optional]))];
}

function checkImage(s: StrictObject, image: string): void {
  try {
    parseImageReference(image);
  } catch {
    s.fail('image', 'must be an image reference');
  }
}

/** The predicate JSON of an event (the fields it was read from, nothing added). */
export function reputationEventJson(event: ReputationEvent): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(event)) if (value !== undefined) out[key] = value as string | number;
  return out;
}
