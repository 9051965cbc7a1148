// One OSV record (https://ossf.github.io/osv-schema/, schema 1.7) read into an `Advisory`. The fields the matcher
// relies on are checked strictly, because a record that is misread hides or invents a vulnerability; fields this
// module does not know are ignored, because the schema promises that minor versions only add fields
// ("schema_version field"). Sizes and counts are bounded: records come from downloaded archives.

import { ProvenantError } from '../core/errors.js';
import { isJsonObject, parseJsonObject, type JsonObject, type JsonValue } from '../core/json.js';

export type RangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT';
export type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

export interface RangeEvent {
  readonly kind: EventKind;
  readonly version: string;
}

export interface AffectedRange {
  readonly type: RangeType;
  /** The repository of a GIT range (required there by "affected[].ranges[].repo field"). */
  readonly repo?: string;
  /** In the record's order; the matcher sorts them. */
  readonly events: readonly RangeEvent[];
}

export interface Severity {
  /** CVSS_V2, CVSS_V3, CVSS_V4, Ubuntu, or a type added to the schema later. */
  readonly type: string;
  /** A CVSS vector kept as text, or the type's own score string. */
  readonly score: string;
}

export interface AffectedPackage {
  readonly package: { readonly ecosystem: string; readonly name: string; readonly purl?: string };
  readonly severity: readonly Severity[];
  readonly ranges: readonly AffectedRange[];
  readonly versions: readonly string[];
  /** Debian's `urgency` or another distribution's `severity` string from ecosystem_specific, when present. */
  readonly distroSeverity?: string;
  readonly ecosystemSpecific?: JsonObject;
  readonly databaseSpecific?: JsonObject;
}

export interface Advisory {
  readonly schemaVersion?: string;
  readonly id: string;
  readonly modified: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly aliases: readonly string[];
  readonly upstream: readonly string[];
  readonly related: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity: readonly Severity[];
  /** `database_specific.severity` as GHSA writes it ("LOW", "MODERATE", "HIGH", "CRITICAL"), when a string. */
  readonly databaseSeverity?: string;
  readonly affected: readonly AffectedPackage[];
  readonly databaseSpecific?: JsonObject;
}

export const OSV_LIMITS = {
  /** Characters of one record's JSON text. */
  maxRecordLength: 8 * 1024 * 1024,
  maxDepth: 64,
  maxAffected: 10_000,
  maxRanges: 1_000,
  maxEvents: 1_000,
  /** Linux and other GIT-derived records enumerate tens of thousands of tags. */
  maxVersions: 100_000,
  maxIds: 10_000,
  /** Characters of an id, ecosystem, package name, version or severity score. */
  maxShortString: 1_024,
} as const;

/** Parses the JSON text (or UTF-8 bytes) of one OSV record. Errors: OSV_MALFORMED, INPUT_TOO_LARGE, JSON_*. */
export function parseOsvRecord(input: string | Uint8Array): Advisory {
  const value = parseJsonObject(input, 'OSV record', { maxLength: OSV_LIMITS.maxRecordLength, maxDepth: OSV_LIMITS.maxDepth });
  return advisoryFromJson(value);
}

/** Reads an already parsed OSV record (parsed with `parseJson`, so keys are unique). Errors: OSV_MALFORMED, INPUT_TOO_LARGE. */
export function advisoryFromJson(value: JsonValue): Advisory {
  if (!isJsonObject(value)) fail('the record must be a JSON object', '');
  const id = shortString(value.id, 'id', true);
  const where = id;
  const databaseSpecific = optionalObject(value.database_specific, 'database_specific', where);
  const dbSeverity = databaseSpecific?.severity;
  return {
    ...opt('schemaVersion', shortString(value.schema_version, 'schema_version', false, where)),
    id,
    modified: timestamp(value.modified, 'modified', true, where),
    ...opt('published', timestamp(value.published, 'published', false, where)),
    ...opt('withdrawn', timestamp(value.withdrawn, 'withdrawn', false, where)),
    aliases: stringList(value.aliases, 'aliases', OSV_LIMITS.maxIds, where),
    upstream: stringList(value.upstream, 'upstream', OSV_LIMITS.maxIds, where),
    related: stringList(value.related, 'related', OSV_LIMITS.maxIds, where),
    ...opt('summary', text(value.summary, 'summary', where)),
    ...opt('details', text(value.details, 'details', where)),
    severity: severities(value.severity, 'severity', where),
    ...opt('databaseSeverity', typeof dbSeverity === 'string' && dbSeverity !== '' ? dbSeverity : undefined),
    affected: list(value.affected, 'affected', OSV_LIMITS.maxAffected, where).map((a, i) => affected(a, `affected[${i}]`, where)),
    ...opt('databaseSpecific', databaseSpecific),
  };
}

function affected(value: JsonValue, path: string, where: string): AffectedPackage {
  if (!isJsonObject(value)) fail(`${path} must be an object`, where);
  const pkg = value.package;
  if (!isJsonObject(pkg)) fail(`${path}.package must be an object with ecosystem and name`, where);
  const ecosystemSpecific = optionalObject(value.ecosystem_specific, `${path}.ecosystem_specific`, where);
  // Debian records carry the tracker's urgency ("low", "not yet assigned", ...); some distributions write severity.
  const urgency = ecosystemSpecific?.urgency ?? ecosystemSpecific?.severity;
  const databaseSpecific = optionalObject(value.database_specific, `${path}.database_specific`, where);
  return {
    package: {
      ecosystem: shortString(pkg.ecosystem, `${path}.package.ecosystem`, true, where),
      name: shortString(pkg.name, `${path}.package.name`, true, where),
      ...opt('purl', shortString(pkg.purl, `${path}.package.purl`, false, where)),
    },
    severity: severities(value.severity, `${path}.severity`, where),
    ranges: list(value.ranges, `${path}.ranges`, OSV_LIMITS.maxRanges, where).map((r, i) => range(r, `${path}.ranges[${i}]`, where)),
    versions: stringList(value.versions, `${path}.versions`, OSV_LIMITS.maxVersions, where),
    ...opt('distroSeverity', typeof urgency === 'string' && urgency !== '' ? urgency : undefined),
    ...opt('ecosystemSpecific', ecosystemSpecific),
    ...opt('databaseSpecific', databaseSpecific),
  };
}

const RANGE_TYPES: ReadonlySet<string> = new Set<RangeType>(['SEMVER', 'ECOSYSTEM', 'GIT']);
const EVENT_KINDS: readonly EventKind[] = ['introduced', 'fixed', 'last_affected', 'limit'];

function range(value: JsonValue, path: string, where: string): AffectedRange {
  if (!isJsonObject(value)) fail(`${path} must be an object`, where);
  const type = value.type;
  if (typeof type !== 'string' || !RANGE_TYPES.has(type)) fail(`${path}.type must be SEMVER, ECOSYSTEM or GIT`, where);
  const repo = shortString(value.repo, `${path}.repo`, type === 'GIT', where);
  const raw = list(value.events, `${path}.events`, OSV_LIMITS.maxEvents, where);
  const events = raw.map((e, i) => event(e, `${path}.events[${i}]`, where));
  // "affected[].ranges[].events fields", Requirements: at least one introduced; fixed and last_affected exclusive.
  if (!events.some((e) => e.kind === 'introduced')) fail(`${path}.events has no introduced event`, where);
  if (events.some((e) => e.kind === 'fixed') && events.some((e) => e.kind === 'last_affected')) {
    fail(`${path}.events mixes fixed and last_affected events`, where);
  }
  return { type: type as RangeType, ...opt('repo', repo), events };
}

function event(value: JsonValue, path: string, where: string): RangeEvent {
  if (!isJsonObject(value)) fail(`${path} must be an object`, where);
  const kinds = EVENT_KINDS.filter((k) => Object.hasOwn(value, k));
  // "Only a single type ... is allowed in each event object."
  if (kinds.length !== 1) fail(`${path} must hold exactly one of ${EVENT_KINDS.join(', ')}`, where);
  const kind = kinds[0] as EventKind;
  return { kind, version: shortString(value[kind], `${path}.${kind}`, true, where) };
}

function severities(value: JsonValue | undefined, path: string, where: string): Severity[] {
  return list(value, path, OSV_LIMITS.maxIds, where).map((s, i) => {
    if (!isJsonObject(s)) fail(`${path}[${i}] must be an object`, where);
    const type = shortString(s.type, `${path}[${i}].type`, true, where);
    const score = shortString(s.score, `${path}[${i}].score`, true, where);
    // The vector strings of the schema's severity table; other types keep their score as given.
    if ((type === 'CVSS_V3' && !/^CVSS:3\.[01]\//.test(score)) || (type === 'CVSS_V4' && !/^CVSS:4\.0\//.test(score))) {
      fail(`${path}[${i}].score is not a ${type} vector`, where);
    }
    return { type, score };
  });
}

// "id, modified fields": RFC 3339 timestamps in UTC, ending in "Z"; fractions of any length occur (osv.dev writes
// nanoseconds).
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?Z$/;

function timestamp(value: JsonValue | undefined, path: string, required: true, where: string): string;
function timestamp(value: JsonValue | undefined, path: string, required: boolean, where: string): string | undefined;
function timestamp(value: JsonValue | undefined, path: string, required: boolean, where: string): string | undefined {
  if (value === undefined && !required) return undefined;
  const m = typeof value === 'string' ? TIMESTAMP_RE.exec(value) : null;
  if (m === null) fail(`${path} must be an RFC 3339 timestamp in UTC ending in "Z"`, where);
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  // RFC 3339 section 5.7: second 60 only for a leap second.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 60) {
    fail(`${path} is not a valid date and time`, where);
  }
  return value as string;
}

function shortString(value: JsonValue | undefined, path: string, required: true, where?: string): string;
function shortString(value: JsonValue | undefined, path: string, required: boolean, where?: string): string | undefined;
function shortString(value: JsonValue | undefined, path: string, required: boolean, where = ''): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') fail(`${path} must be a non-empty string`, where);
  if (value.length > OSV_LIMITS.maxShortString) tooLarge(`${path} is longer than ${OSV_LIMITS.maxShortString} characters`, where);
  // Control characters in identifiers and versions would let a record print as something it is not.
  if (hasControlCharacter(value)) fail(`${path} contains a control character`, where);
  return value;
}

function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function text(value: JsonValue | undefined, path: string, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(`${path} must be a string`, where);
  return value;
}

/** An array, or nothing: the schema allows null for aliases, affected, severity and references. */
function list(value: JsonValue | undefined, path: string, max: number, where: string): JsonValue[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(`${path} must be an array`, where);
  if (value.length > max) tooLarge(`${path} has ${value.length} items, over the limit of ${max}`, where);
  return value;
}

function stringList(value: JsonValue | undefined, path: string, max: number, where: string): string[] {
  return list(value, path, max, where).map((v, i) => shortString(v, `${path}[${i}]`, true, where));
}

function optionalObject(value: JsonValue | undefined, path: string, where: string): JsonObject | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) fail(`${path} must be an object`, where);
  return value;
}

/** Spreads `{ [key]: value }` only when value is defined (exactOptionalPropertyTypes). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function fail(reason: string, id: string): never {
  throw new ProvenantError('OSV_MALFORMED', id === '' ? `OSV record: ${reason}` : `OSV record ${id}: ${reason}`, {
    details: id === '' ? { reason } : { id, reason },
  });
}

function tooLarge(reason: string, id: string): never {
  throw new ProvenantError('INPUT_TOO_LARGE', `OSV record ${id}: ${reason}`, { details: { id, reason } });
}
