// cosign's signature payload: the "simple signing" JSON of containers/image (containers-signature(5)) with
// critical.type "cosign container image signature", as sigstore/sigstore pkg/signature/payload defines it.
// Built byte-for-byte as Go's encoding/json marshals SimpleContainerImage: struct fields in declaration
// order (critical{identity,image,type}, optional), the optional map with sorted keys, nil map as null.
import { parseDigest, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { isJsonObject, type JsonObject } from '../core/json.js';
import { parseFormatJson } from './format-json.js';
import { goJsonMarshal, goJsonString } from './go-json.js';

export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

export interface SimpleSigningPayload {
  /** critical.identity.docker-reference: the repository (or reference) the signer claims the image is. */
  dockerReference: string;
  /** critical.image.docker-manifest-digest. */
  digest: Digest;
  /** Annotations; null when there are none (cosign writes `"optional":null`). */
  optional: JsonObject | null;
}

export interface ParseSimpleSigningOptions {
  /** Default 1 MiB; cosign payloads are a few hundred bytes. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const MAX_REFERENCE_CHARS = 4096;
// A reference has no whitespace or controls; the full grammar is the OCI layer's to check.
const REFERENCE_RE = /^[^\s\p{Cc}]+$/u;

/** The exact bytes cosign signs for this image. Errors: PAYLOAD_MALFORMED, DIGEST_MALFORMED, UNSUPPORTED. */
export function buildSimpleSigningPayload(payload: SimpleSigningPayload): Buffer {
  checkReference(payload.dockerReference);
  const digest = parseDigest(payload.digest, 'docker-manifest-digest');
  if (payload.optional !== null && !isJsonObject(payload.optional)) malformed('optional must be an object or null');
  const text =
    `{"critical":{"identity":{"docker-reference":${goJsonString(payload.dockerReference)}},` +
    `"image":{"docker-manifest-digest":${goJsonString(digest)}},` +
    `"type":${goJsonString(COSIGN_SIGNATURE_TYPE)}},` +
    `"optional":${payload.optional === null ? 'null' : goJsonMarshal(payload.optional)}}`;
  return Buffer.from(text, 'utf8');
}

/**
 * Parses a signed payload strictly: no unknown or differently-cased fields at the fixed levels (Go would
 * match keys case-insensitively, so two readers could disagree), duplicate keys refused by the JSON parser,
 * type exactly COSIGN_SIGNATURE_TYPE, digest sha256:<hex>. Errors: PAYLOAD_MALFORMED, INPUT_TOO_LARGE.
 */
export function parseSimpleSigningPayload(input: string | Uint8Array, options: ParseSimpleSigningOptions = {}): SimpleSigningPayload {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const root = parseFormatJson(input, 'PAYLOAD_MALFORMED', 'signature payload', { maxBytes, maxDepth: 64 });
  exactKeys(root, ['critical'], ['optional'], 'payload');
  const critical = objectAt(root.critical, 'critical');
  exactKeys(critical, ['identity', 'image', 'type'], [], 'critical');
  if (critical.type !== COSIGN_SIGNATURE_TYPE) malformed(`critical.type must be ${JSON.stringify(COSIGN_SIGNATURE_TYPE)}`);
  const identity = objectAt(critical.identity, 'critical.identity');
  exactKeys(identity, ['docker-reference'], [], 'critical.identity');
  const image = objectAt(critical.image, 'critical.image');
  exactKeys(image, ['docker-manifest-digest'], [], 'critical.image');
  const dockerReference = identity['docker-reference'];
  if (typeof dockerReference !== 'string') malformed('critical.identity.docker-reference must be a string');
  checkReference(dockerReference);
  const rawDigest = image['docker-manifest-digest'];
  if (typeof rawDigest !== 'string') malformed('critical.image.docker-manifest-digest must be a string');
  let digest: Digest;
  try {
    digest = parseDigest(rawDigest, 'docker-manifest-digest');
  } catch (cause) {
    throw new ProvenantError('PAYLOAD_MALFORMED', 'critical.image.docker-manifest-digest is not sha256:<64 lowercase hex>', { cause });
  }
  const optional = root.optional ?? null;
  if (optional !== null && !isJsonObject(optional)) malformed('optional must be an object or null');
  return { dockerReference, digest, optional };
}

function checkReference(ref: unknown): asserts ref is string {
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > MAX_REFERENCE_CHARS || !REFERENCE_RE.test(ref)) {
    malformed('docker-reference must be a non-empty reference without whitespace');
  }
}

function objectAt(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) malformed(`${what} must be an object`);
  return value;
}

function exactKeys(obj: JsonObject, required: readonly string[], optional: readonly string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!required.includes(key) && !optional.includes(key)) malformed(`${what} has an unknown field ${JSON.stringify(key)}`);
  }
  for (const key of required) {
    if (!Object.hasOwn(obj, key)) malformed(`${what} lacks the field ${JSON.stringify(key)}`);
  }
}

function malformed(message: string): never {
  throw new ProvenantError('PAYLOAD_MALFORMED', `signature payload: ${message}`);
}
