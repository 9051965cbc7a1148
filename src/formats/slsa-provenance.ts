// SLSA Build Provenance v1 predicate (slsa.dev/spec/v1.0/provenance, "Schema"), with ResourceDescriptor,
// DigestSet and Timestamp as the in-toto attestation spec v1 defines them (spec/v1/field_types.md).
// Building checks the inputs (USAGE); reading checks every known field and, as the parsing rules require,
// ignores unknown ones and treats null like absent (PREDICATE_MALFORMED).
import { digestHex, type Digest } from '../core/digest.js';
import { ProvenantError, type ErrorCode } from '../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { parseFormatJson } from './format-json.js';
import { isTypeUri } from './intoto.js';
import { isUtcTimestamp, type BuildEnvironment } from './sbom-package.js';

export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** Provenant's build type; docs/layers-predicate.md describes its parameters. */
export const PROVENANT_BUILD_TYPE = 'https://provenant.dev/build/v1';

export interface ResourceDescriptor {
  uri?: string;
  /** DigestSet: algorithm to value (lowercase hex for the standard algorithms). */
  digest?: Record<string, string>;
  name?: string;
  downloadLocation?: string;
  mediaType?: string;
  /** base64. */
  content?: string;
  annotations?: JsonObject;
}

export interface SlsaBuilder {
  id: string;
  version?: Record<string, string>;
  builderDependencies?: ResourceDescriptor[];
}

export interface SlsaMetadata {
  invocationId?: string;
  startedOn?: string;
  finishedOn?: string;
}

export interface SlsaProvenance {
  buildDefinition: {
    buildType: string;
    externalParameters: JsonObject;
    internalParameters?: JsonObject;
    resolvedDependencies?: ResourceDescriptor[];
  };
  runDetails: {
    builder: SlsaBuilder;
    metadata?: SlsaMetadata;
    byproducts?: ResourceDescriptor[];
  };
}

export interface SlsaBuildInput {
  /** The image reference the build produced, as requested ("registry.example/app:1.0"). */
  image: string;
  /** The source the build read: a URI ("git+https://host/repo@refs/heads/main") and its digest (gitCommit or sha1). */
  source?: { uri: string; digest?: Record<string, string> };
  /** The build file inside the source ("Dockerfile"), when there is one. */
  config?: string;
  /** Images the build started FROM; recorded as resolved dependencies `oci://<registry>/<repository>[:tag]`. */
  baseImages?: { reference: string; digest: Digest }[];
  /** Other resolved dependencies, recorded as given after the base images and the source. */
  dependencies?: ResourceDescriptor[];
  /** Recorded as internalParameters.buildEnvironment. */
  buildEnvironment?: BuildEnvironment;
  builder: SlsaBuilder;
  metadata?: SlsaMetadata;
  byproducts?: ResourceDescriptor[];
}

/** Builds the predicate. Errors: USAGE when a required field is missing or a value is of the wrong form. */
export function buildSlsaProvenance(input: SlsaBuildInput): JsonObject {
  if (typeof input.image !== 'string' || input.image.trim() === '') usage('image must be a non-empty reference');
  const external: JsonObject = { image: input.image };
  if (input.source !== undefined) external.source = input.source.uri;
  if (input.config !== undefined) external.config = input.config;
  const resolved: JsonObject[] = (input.baseImages ?? []).map((b) => ({
    uri: `oci://${qualifiedReference(b.reference)}`,
    digest: { sha256: digestHex(b.digest) },
  }));
  if (input.source !== undefined) resolved.push(descriptorJson(input.source));
  resolved.push(...(input.dependencies ?? []).map(descriptorJson));

  const buildDefinition: JsonObject = { buildType: PROVENANT_BUILD_TYPE, externalParameters: external };
  if (input.buildEnvironment !== undefined) buildDefinition.internalParameters = { buildEnvironment: input.buildEnvironment };
  if (resolved.length > 0) buildDefinition.resolvedDependencies = resolved;
  const builder: JsonObject = { id: input.builder.id };
  if (input.builder.version !== undefined) builder.version = { ...input.builder.version };
  if (input.builder.builderDependencies?.length) builder.builderDependencies = input.builder.builderDependencies.map(descriptorJson);
  const runDetails: JsonObject = { builder };
  const metadata = input.metadata === undefined ? {} : copyDefined({ ...input.metadata });
  if (Object.keys(metadata).length > 0) runDetails.metadata = metadata;
  if (input.byproducts?.length) runDetails.byproducts = input.byproducts.map(descriptorJson);

  // A deep copy, so that later changes to the caller's objects cannot alter what was checked.
  const predicate = structuredClone<JsonObject>({ buildDefinition, runDetails });
  readProvenance(predicate, 'USAGE');
  return predicate;
}

/** Reads a predicate object (e.g. `statement.predicate`). Errors: PREDICATE_MALFORMED. */
export function slsaProvenanceFromJson(value: unknown): SlsaProvenance {
  return readProvenance(value, 'PREDICATE_MALFORMED');
}

/** Reads predicate JSON text or bytes. Errors: PREDICATE_MALFORMED, INPUT_TOO_LARGE. */
export function parseSlsaProvenance(input: string | Uint8Array, maxBytes = 16 * 1024 * 1024): SlsaProvenance {
  return readProvenance(parseFormatJson(input, 'PREDICATE_MALFORMED', 'SLSA provenance', { maxBytes }), 'PREDICATE_MALFORMED');
}

type Fail = (path: string, problem: string) => never;

function readProvenance(value: unknown, code: ErrorCode): SlsaProvenance {
  const fail: Fail = (path, problem) => {
    throw new ProvenantError(code, `SLSA provenance: ${path} ${problem}`, { details: { field: path } });
  };
  const root = object(value, 'predicate', fail);
  const bd = object(root.buildDefinition, 'buildDefinition', fail);
  const rd = object(root.runDetails, 'runDetails', fail);
  if (!isNormalizedUri(bd.buildType)) fail('buildDefinition.buildType', 'must be a case-normalised URI');
  const builderJson = object(rd.builder, 'runDetails.builder', fail);
  if (!isNormalizedUri(builderJson.id)) fail('runDetails.builder.id', 'must be a case-normalised URI');

  const out: SlsaProvenance = {
    buildDefinition: { buildType: bd.buildType, externalParameters: object(bd.externalParameters, 'buildDefinition.externalParameters', fail) },
    runDetails: { builder: { id: builderJson.id } },
  };
  if (present(bd.internalParameters)) out.buildDefinition.internalParameters = object(bd.internalParameters, 'buildDefinition.internalParameters', fail);
  if (present(bd.resolvedDependencies)) out.buildDefinition.resolvedDependencies = descriptors(bd.resolvedDependencies, 'buildDefinition.resolvedDependencies', fail);
  if (present(builderJson.version)) {
    const version = object(builderJson.version, 'runDetails.builder.version', fail);
    for (const [k, v] of Object.entries(version)) if (typeof v !== 'string') fail(`runDetails.builder.version.${k}`, 'must be a string');
    out.runDetails.builder.version = version as Record<string, string>;
  }
  if (present(builderJson.builderDependencies)) {
    out.runDetails.builder.builderDependencies = descriptors(builderJson.builderDependencies, 'runDetails.builder.builderDependencies', fail);
  }
  if (present(rd.metadata)) out.runDetails.metadata = readMetadata(object(rd.metadata, 'runDetails.metadata', fail), fail);
  if (present(rd.byproducts)) out.runDetails.byproducts = descriptors(rd.byproducts, 'runDetails.byproducts', fail);
  return out;
}

function readMetadata(m: JsonObject, fail: Fail): SlsaMetadata {
  const out: SlsaMetadata = {};
  if (present(m.invocationId)) out.invocationId = string(m.invocationId, 'runDetails.metadata.invocationId', fail);
  for (const key of ['startedOn', 'finishedOn'] as const) {
    const v = m[key];
    if (!present(v)) continue;
    if (!isUtcTimestamp(v)) fail(`runDetails.metadata.${key}`, 'must be an RFC 3339 timestamp in UTC ("Z")');
    out[key] = v;
  }
  return out;
}

const HEX_LENGTHS: Record<string, readonly number[]> = {
  sha256: [64], sha224: [56], sha384: [96], sha512: [128], sha1: [40], md5: [32],
  gitCommit: [40, 64], gitTree: [40, 64], gitBlob: [40, 64], gitTag: [40, 64],
};
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function descriptors(value: JsonValue | undefined, path: string, fail: Fail): ResourceDescriptor[] {
  if (!Array.isArray(value)) return fail(path, 'must be an array');
  return value.map((v, i) => descriptor(v, `${path}[${i}]`, fail));
}

function descriptor(value: JsonValue, path: string, fail: Fail): ResourceDescriptor {
  const d = object(value, path, fail);
  const out: ResourceDescriptor = {};
  for (const key of ['uri', 'downloadLocation'] as const) {
    if (!present(d[key])) continue;
    if (!isNormalizedUri(d[key])) fail(`${path}.${key}`, 'must be a case-normalised URI');
    out[key] = d[key];
  }
  if (present(d.digest)) out.digest = digestSet(d.digest, `${path}.digest`, fail);
  if (present(d.name)) out.name = string(d.name, `${path}.name`, fail);
  if (present(d.mediaType)) out.mediaType = string(d.mediaType, `${path}.mediaType`, fail);
  if (present(d.content)) {
    if (typeof d.content !== 'string' || !BASE64_RE.test(d.content)) fail(`${path}.content`, 'must be base64');
    out.content = d.content;
  }
  if (present(d.annotations)) out.annotations = object(d.annotations, `${path}.annotations`, fail);
  if (out.uri === undefined && out.digest === undefined && out.content === undefined) fail(path, 'must have a uri, digest or content');
  return out;
}

function digestSet(value: JsonValue, path: string, fail: Fail): Record<string, string> {
  const set = object(value, path, fail);
  const entries = Object.entries(set);
  if (entries.length === 0) fail(path, 'must name at least one digest');
  for (const [alg, v] of entries) {
    if (alg === '' || typeof v !== 'string' || v === '') fail(`${path}.${alg}`, 'must be a non-empty string');
    const lengths = HEX_LENGTHS[alg];
    if (lengths !== undefined && !(lengths.includes(v.length) && /^[0-9a-f]+$/.test(v))) fail(`${path}.${alg}`, 'must be lowercase hex of the algorithm\'s length');
  }
  return set as Record<string, string>;
}

/** A URI whose scheme and authority are lowercase (RFC 3986 6.2.2.1, as in-toto's TypeURI and ResourceURI require). */
function isNormalizedUri(value: unknown): value is string {
  if (!isTypeUri(value)) return false;
  const m = /^([^:]+):(?:\/\/([^/?#]*))?/.exec(value);
  return m !== null && m[1] === m[1]!.toLowerCase() && (m[2] === undefined || m[2] === m[2].toLowerCase());
}

/**
 * The reference with its registry spelled out and lowercased, as Docker normalises short names
 * (distribution/reference): "debian:12" is "docker.io/library/debian:12", "team/app" is "docker.io/team/app".
 */
function qualifiedReference(reference: string): string {
  if (reference === '' || /[\s\p{Cc}]/u.test(reference)) usage(`base image reference ${JSON.stringify(reference)} is not a reference`);
  const slash = reference.indexOf('/');
  const first = slash < 0 ? '' : reference.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first.toLowerCase() + reference.slice(slash);
  return slash < 0 ? `docker.io/library/${reference}` : `docker.io/${reference}`;
}

function usage(message: string): never {
  throw new ProvenantError('USAGE', `SLSA provenance: ${message}`);
}

function descriptorJson(d: ResourceDescriptor): JsonObject {
  return copyDefined({ ...d, digest: d.digest === undefined ? undefined : { ...d.digest } });
}

function copyDefined(o: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function present(v: JsonValue | undefined): v is JsonValue {
  return v !== undefined && v !== null;
}

function object(value: unknown, path: string, fail: Fail): JsonObject {
  return isJsonObject(value) ? (value as JsonObject) : fail(path, 'must be an object');
}

function string(value: JsonValue, path: string, fail: Fail): string {
  return typeof value === 'string' ? value : fail(path, 'must be a string');
}
