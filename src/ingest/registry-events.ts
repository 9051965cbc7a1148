// Notifications of a CNCF distribution registry (distribution docs "Work with notifications"; notifications/event.go):
// an envelope `{ "events": [...] }` POSTed as application/vnd.docker.distribution.events.v1+json. The registry
// re-sends a batch until it gets a 2xx and sends later batches only after it, so one refused batch stalls every
// later one: only a body of the wrong shape is refused (NOTIFICATION_MALFORMED). An event that is well typed but of
// no use here (a pull, a blob, an action added by a later registry version, a digest of another algorithm) is
// ignored and counted. Fields the registry adds across versions are tolerated; the ones read here are type-checked.
import { isDigest, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from '../core/json.js';
import { isManifestMediaType } from '../oci/media-types.js';
import { validateRegistryHost } from '../oci/registry/names.js';
import { isValidRepository, isValidTag } from '../oci/reference.js';

export const REGISTRY_EVENTS_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json';
export const MAX_NOTIFICATION_EVENTS = 1000;
/** A full batch of 1,000 events is about 700 KiB; anything far above is not a registry talking. */
export const MAX_NOTIFICATION_BYTES = 4 * 1024 * 1024;

const MAX_ID = 256;
const MAX_ACTION = 64;
const MAX_MEDIA_TYPE = 255;
const MAX_DIGEST = 200;
const MAX_NAME = 255;
const MAX_URL = 4096;
const MAX_TAG = 128;
const MAX_TIMESTAMP = 64;
const MAX_REFERENCES = 10_000;
// Go's time.Time marshals as RFC 3339 with nanoseconds and the zone offset of the registry host.
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const KNOWN_ACTIONS = ['push', 'pull', 'delete', 'mount'] as const;

/** A manifest pushed to a repository: the only kind of event that is ingested. */
export interface ManifestPushEvent {
  /** The registry's event id, when it sent one. */
  readonly id?: string;
  /** host[:port] of the registry as the push named it (request.host, else the host of target.url). */
  readonly registry: string;
  readonly repository: string;
  readonly digest: Digest;
  readonly mediaType: string;
  readonly size?: number;
  /** The tag the manifest was pushed under, when it was pushed by tag. */
  readonly tag?: string;
  readonly timestamp?: string;
}

export type IgnoreReason =
  | 'not-push'
  | 'unknown-action'
  | 'not-manifest'
  | 'no-digest'
  | 'digest-invalid'
  | 'digest-unsupported'
  | 'no-repository'
  | 'repository-invalid'
  | 'tag-invalid'
  | 'no-registry'
  | 'registry-invalid';

export interface IgnoredEvent {
  /** Position in the envelope's `events`. */
  readonly position: number;
  readonly reason: IgnoreReason;
}

export interface RegistryNotification {
  /** Every event in the envelope. */
  readonly received: number;
  readonly pushes: ManifestPushEvent[];
  readonly ignored: IgnoredEvent[];
}

/** Parses a notification body from its bytes with the strict JSON parser. Errors: NOTIFICATION_MALFORMED, JSON_*, INPUT_TOO_LARGE. */
export function parseRegistryNotificationBytes(body: Uint8Array | string): RegistryNotification {
  return parseRegistryNotification(parseJson(body, 'registry notification', { maxLength: MAX_NOTIFICATION_BYTES, maxDepth: 32 }));
}

/** Reads an already parsed notification envelope. Errors: NOTIFICATION_MALFORMED. */
export function parseRegistryNotification(body: JsonValue): RegistryNotification {
  if (!isJsonObject(body)) malformed('the notification must be a JSON object');
  // The registry omits `events` when empty (Go omitempty).
  const events = Object.hasOwn(body, 'events') ? body['events'] : [];
  if (!Array.isArray(events)) malformed('events must be an array', { field: 'events' });
  if (events.length > MAX_NOTIFICATION_EVENTS) {
    malformed(`the notification holds ${events.length} events, over the limit of ${MAX_NOTIFICATION_EVENTS}`, { limit: MAX_NOTIFICATION_EVENTS });
  }
  const pushes: ManifestPushEvent[] = [];
  const ignored: IgnoredEvent[] = [];
  events.forEach((value, position) => {
    const read = readEvent(value, position);
    if ('reason' in read) ignored.push({ position, reason: read.reason });
    else pushes.push(read.event);
  });
  return { received: events.length, pushes, ignored };
}

type EventRead = { event: ManifestPushEvent } | { reason: IgnoreReason };

function readEvent(value: JsonValue, position: number): EventRead {
  const at = `events[${position}]`;
  const event = requireObject(value, at);
  const id = optionalString(event, 'id', MAX_ID, at);
  const timestamp = optionalString(event, 'timestamp', MAX_TIMESTAMP, at);
  if (timestamp !== undefined && !TIMESTAMP_RE.test(timestamp)) malformed(`${at}.timestamp is not an RFC 3339 time`, { field: `${at}.timestamp` });
  const action = optionalString(event, 'action', MAX_ACTION, at);
  const target = event['target'] === undefined ? {} : requireObject(event['target'], `${at}.target`);
  const request = event['request'] === undefined ? {} : requireObject(event['request'], `${at}.request`);
  const t = `${at}.target`;
  const mediaType = optionalString(target, 'mediaType', MAX_MEDIA_TYPE, t);
  const digest = optionalString(target, 'digest', MAX_DIGEST, t);
  const size = optionalSize(target, 'size', t);
  optionalSize(target, 'length', t);
  const repository = optionalString(target, 'repository', MAX_NAME, t);
  optionalString(target, 'fromRepository', MAX_NAME, t);
  const url = optionalString(target, 'url', MAX_URL, t);
  const tag = optionalString(target, 'tag', MAX_TAG, t);
  if (target['references'] !== undefined) {
    const refs = target['references'];
    if (!Array.isArray(refs) || refs.length > MAX_REFERENCES) malformed(`${t}.references must be an array of at most ${MAX_REFERENCES}`, { field: `${t}.references` });
  }
  const host = optionalString(request, 'host', MAX_NAME, `${at}.request`);

  if (action === undefined || !(KNOWN_ACTIONS as readonly string[]).includes(action)) return { reason: 'unknown-action' };
  if (action !== 'push') return { reason: 'not-push' };
  if (mediaType === undefined || !isManifestMediaType(mediaType)) return { reason: 'not-manifest' };
  if (digest === undefined) return { reason: 'no-digest' };
  if (!isDigest(digest)) return { reason: digest.startsWith('sha256:') ? 'digest-invalid' : 'digest-unsupported' };
  if (repository === undefined) return { reason: 'no-repository' };
  if (!isValidRepository(repository)) return { reason: 'repository-invalid' };
  if (tag !== undefined && !isValidTag(tag)) return { reason: 'tag-invalid' };
  const registry = host ?? hostOfUrl(url);
  if (registry === undefined) return { reason: 'no-registry' };
  if (!isRegistryHost(registry)) return { reason: 'registry-invalid' };
  const push: ManifestPushEvent = {
    registry: registry.toLowerCase(),
    repository,
    digest,
    mediaType,
    ...(id === undefined ? {} : { id }),
    ...(size === undefined ? {} : { size }),
    ...(tag === undefined ? {} : { tag }),
    ...(timestamp === undefined ? {} : { timestamp }),
  };
  return { event: push };
}

function hostOfUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const host = new URL(url).host;
    return host === '' ? undefined : host;
  } catch {
    return undefined;
  }
}

function isRegistryHost(value: string): boolean {
  try {
    validateRegistryHost(value);
    return true;
  } catch {
    return false;
  }
}

function requireObject(value: JsonValue | undefined, at: string): JsonObject {
  if (!isJsonObject(value)) malformed(`${at} must be a JSON object`, { field: at });
  return value;
}

// Go's encoding/json drops empty strings only where the struct says omitempty, so "" is a possible value.
function optionalString(obj: JsonObject, key: string, maxLength: number, at: string): string | undefined {
  if (!Object.hasOwn(obj, key)) return undefined;
  const value = obj[key];
  if (typeof value !== 'string') malformed(`${at}.${key} must be a string`, { field: `${at}.${key}` });
  if (value.length > maxLength) malformed(`${at}.${key} is longer than ${maxLength} characters`, { field: `${at}.${key}`, limit: maxLength });
  return value === '' ? undefined : value;
}

function optionalSize(obj: JsonObject, key: string, at: string): number | undefined {
  if (!Object.hasOwn(obj, key)) return undefined;
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) malformed(`${at}.${key} must be a non-negative integer`, { field: `${at}.${key}` });
  return value;
}

function malformed(message: string, details?: Record<string, unknown>): never {
  throw new ProvenantError('NOTIFICATION_MALFORMED', message, details === undefined ? {} : { details });
}
