// Content descriptors (image-spec descriptor.md) read from untrusted manifests. Only the known properties are
// copied out; unknown ones are ignored as the spec requires. Every failure is MANIFEST_MALFORMED, except a
// digest of an algorithm other than sha256 (UNSUPPORTED) and embedded `data` that contradicts the digest
// (DIGEST_MISMATCH).
import { decodeBase64 } from '../core/bytes.js';
import { assertDigest, parseDigest } from '../core/digest.js';
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { isJsonObject, type JsonValue } from '../core/json.js';
import { isValidMediaType } from './media-types.js';
import type { Descriptor, Platform } from './types.js';

/** Upper bound on descriptors in one manifest or index, and on annotations and urls of one descriptor. */
export const MAX_DESCRIPTORS = 10_000;
const MAX_ANNOTATIONS = 1_000;
const MAX_URLS = 64;

export function malformed(where: string, reason: string, cause?: unknown): never {
  throw new ProvenantError('MANIFEST_MALFORMED', `${where}: ${reason}`, { details: { field: where }, cause });
}

export function requireString(value: JsonValue | undefined, where: string): string {
  if (typeof value !== 'string') malformed(where, 'must be a string');
  return value;
}

function optionalString(value: JsonValue | undefined, where: string): string | undefined {
  return value === undefined ? undefined : requireString(value, where);
}

export function requireMediaType(value: JsonValue | undefined, where: string): string {
  const text = requireString(value, where);
  if (!isValidMediaType(text)) malformed(where, `${JSON.stringify(text.slice(0, 80))} is not a media type (RFC 6838)`);
  return text;
}

/** A JSON number that is an integer in [0, 2^53). */
export function requireSize(value: JsonValue | undefined, where: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    malformed(where, 'must be a non-negative integer below 2^53');
  }
  return value;
}

export function requireArray(value: JsonValue | undefined, where: string, max = MAX_DESCRIPTORS): JsonValue[] {
  if (!Array.isArray(value)) malformed(where, 'must be an array');
  if (value.length > max) {
    throw new ProvenantError('INPUT_TOO_LARGE', `${where} has ${value.length} entries, over the limit of ${max}`, {
      details: { field: where, limit: max },
    });
  }
  return value;
}

export function parseAnnotations(value: JsonValue | undefined, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) malformed(where, 'must be an object of strings');
  const keys = Object.keys(value);
  if (keys.length > MAX_ANNOTATIONS) malformed(where, `more than ${MAX_ANNOTATIONS} annotations`);
  const out: Record<string, string> = {};
  for (const key of keys) {
    Object.defineProperty(out, key, {
      value: requireString(value[key], `${where}.${key}`),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

export function parsePlatformField(value: JsonValue | undefined, where: string): Platform {
  if (!isJsonObject(value)) malformed(where, 'must be an object');
  const platform: Platform = {
    os: requireString(value['os'], `${where}.os`),
    architecture: requireString(value['architecture'], `${where}.architecture`),
  };
  const variant = optionalString(value['variant'], `${where}.variant`);
  if (variant !== undefined) platform.variant = variant;
  const osVersion = optionalString(value['os.version'], `${where}.os.version`);
  if (osVersion !== undefined) platform['os.version'] = osVersion;
  if (value['os.features'] !== undefined) {
    platform['os.features'] = requireArray(value['os.features'], `${where}.os.features`, MAX_URLS).map((f, i) =>
      requireString(f, `${where}.os.features[${i}]`),
    );
  }
  return platform;
}

function parseDigestField(value: JsonValue | undefined, where: string): Descriptor['digest'] {
  const text = requireString(value, where);
  try {
    return parseDigest(text, where);
  } catch (e) {
    if (isProvenantError(e, 'DIGEST_MALFORMED')) malformed(where, 'is not sha256:<64 lowercase hex>', e);
    throw e;
  }
}

/** Reads one descriptor. `where` names it in errors, e.g. "layers[2]". */
export function parseDescriptor(value: JsonValue | undefined, where: string): Descriptor {
  if (!isJsonObject(value)) malformed(where, 'must be a descriptor object');
  const desc: Descriptor = {
    mediaType: requireMediaType(value['mediaType'], `${where}.mediaType`),
    digest: parseDigestField(value['digest'], `${where}.digest`),
    size: requireSize(value['size'], `${where}.size`),
  };
  if (value['data'] !== undefined) checkEmbeddedData(value['data'], desc, `${where}.data`);
  if (value['urls'] !== undefined) {
    desc.urls = requireArray(value['urls'], `${where}.urls`, MAX_URLS).map((u, i) => requireUrl(u, `${where}.urls[${i}]`));
  }
  const annotations = parseAnnotations(value['annotations'], `${where}.annotations`);
  if (annotations !== undefined) desc.annotations = annotations;
  if (value['platform'] !== undefined) desc.platform = parsePlatformField(value['platform'], `${where}.platform`);
  if (value['artifactType'] !== undefined) {
    desc.artifactType = requireMediaType(value['artifactType'], `${where}.artifactType`);
  }
  return desc;
}

function requireUrl(value: JsonValue, where: string): string {
  const text = requireString(value, where);
  if (!URL.canParse(text)) malformed(where, 'is not a URL');
  return text;
}

/** image-spec descriptor.md "data": embedded content must be exactly the described bytes. */
function checkEmbeddedData(value: JsonValue, desc: Descriptor, where: string): void {
  let bytes: Buffer;
  try {
    bytes = decodeBase64(value, where);
  } catch (e) {
    malformed(where, 'is not base64', e);
  }
  if (bytes.length !== desc.size) malformed(where, `holds ${bytes.length} bytes but size says ${desc.size}`);
  assertDigest(bytes, desc.digest, where);
}
