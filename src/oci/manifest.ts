// Manifests and indexes: OCI image-spec v1.1 (manifest.md, image-index.md) and Docker Image Manifest V2
// Schema 2 (manifest and manifest list). Parsing is strict: schemaVersion must be 2, the `mediaType` property
// must agree with the media type the bytes were served or listed under, and a document that carries the
// properties of the other kind (`manifests` in a manifest, `config`/`layers` in an index) is refused, so one
// set of bytes cannot be read as two different things (image-spec v1.0.2, CVE-2021-41190).
import { sha256Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { parseJsonObject, type JsonObject } from '../core/json.js';
import {
  malformed,
  parseAnnotations,
  parseDescriptor,
  parsePlatformField,
  requireArray,
  requireMediaType,
} from './descriptor.js';
import {
  contentTypeMediaType,
  isIndexFormat,
  isManifestMediaType,
  isSchema1MediaType,
  mediaTypeOfFormat,
  requireManifestFormat,
  type ManifestFormat,
} from './media-types.js';
import type { Descriptor, RawManifest } from './types.js';

/** Largest manifest or index read (distribution-spec: registries SHOULD accept at least 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

interface ManifestCommon {
  format: ManifestFormat;
  /** The effective media type: the `mediaType` property, else the declared one, else inferred (OCI only). */
  mediaType: string;
  annotations?: Record<string, string>;
  subject?: Descriptor;
  artifactType?: string;
}

export interface ImageManifest extends ManifestCommon {
  kind: 'manifest';
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex extends ManifestCommon {
  kind: 'index';
  manifests: Descriptor[];
}

export type Manifest = ImageManifest | ImageIndex;

/** Media types servers send when they do not know better; treated as no declaration at all. */
const GENERIC_TYPES = new Set(['application/json', 'application/octet-stream', 'text/plain']);

/**
 * Parses and validates manifest bytes. `declared` is the Content-Type header or the media type of the
 * descriptor the bytes were found through. Errors: MANIFEST_MALFORMED, MEDIA_TYPE_UNSUPPORTED (unknown types,
 * Docker schema 1), INPUT_TOO_LARGE, JSON_MALFORMED, JSON_DUPLICATE_KEY, JSON_TOO_DEEP, UNSUPPORTED.
 */
export function parseManifest(bytes: Uint8Array, declared?: string): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `manifest is ${bytes.length} bytes, over the limit of ${MAX_MANIFEST_BYTES}`);
  }
  let declaredType = contentTypeMediaType(declared);
  if (declaredType !== undefined && GENERIC_TYPES.has(declaredType)) declaredType = undefined;
  if (declaredType !== undefined) requireManifestFormat(declaredType);
  const doc = parseJsonObject(bytes, 'manifest', { maxLength: MAX_MANIFEST_BYTES });

  const version = doc['schemaVersion'];
  if (version === 1) throw new ProvenantError('MEDIA_TYPE_UNSUPPORTED', 'Docker schema 1 manifests are not supported');
  if (version !== 2) malformed('schemaVersion', 'must be 2');

  let own: string | undefined;
  if (doc['mediaType'] !== undefined) {
    own = requireMediaType(doc['mediaType'], 'mediaType');
    requireManifestFormat(own);
  }
  if (own !== undefined && declaredType !== undefined && own !== declaredType) {
    throw new ProvenantError('MANIFEST_MALFORMED', `manifest says mediaType ${own} but was declared as ${declaredType}`, {
      details: { field: 'mediaType', mediaType: own, declared: declaredType },
    });
  }
  const format = requireManifestFormat(own ?? declaredType ?? inferOciType(doc));
  if (own === undefined && (format === 'docker-manifest' || format === 'docker-manifest-list')) {
    malformed('mediaType', 'is required in Docker schema 2 manifests');
  }
  return isIndexFormat(format) ? parseIndexDoc(doc, format) : parseManifestDoc(doc, format);
}

/** OCI allows `mediaType` to be absent; then the properties present decide, and must not be ambiguous. */
function inferOciType(doc: JsonObject): string {
  const isIndex = doc['manifests'] !== undefined;
  const isManifest = doc['config'] !== undefined || doc['layers'] !== undefined;
  if (isIndex === isManifest) malformed('mediaType', 'is absent and the document is neither clearly a manifest nor an index');
  return mediaTypeOfFormat(isIndex ? 'oci-index' : 'oci-manifest');
}

function common(doc: JsonObject, format: ManifestFormat): ManifestCommon {
  const out: ManifestCommon = { format, mediaType: mediaTypeOfFormat(format) };
  if (format === 'oci-manifest' || format === 'oci-index') {
    const annotations = parseAnnotations(doc['annotations'], 'annotations');
    if (annotations !== undefined) out.annotations = annotations;
    if (doc['subject'] !== undefined) out.subject = boundedManifestDescriptor(parseDescriptor(doc['subject'], 'subject'), 'subject');
    if (doc['artifactType'] !== undefined) out.artifactType = requireMediaType(doc['artifactType'], 'artifactType');
  }
  return out;
}

function parseManifestDoc(doc: JsonObject, format: ManifestFormat): ImageManifest {
  if (doc['manifests'] !== undefined) malformed('manifests', 'must not appear in an image manifest');
  const layers = requireArray(doc['layers'], 'layers').map((d, i) => parseDescriptor(d, `layers[${i}]`));
  return { kind: 'manifest', ...common(doc, format), config: parseDescriptor(doc['config'], 'config'), layers };
}

function parseIndexDoc(doc: JsonObject, format: ManifestFormat): ImageIndex {
  if (doc['config'] !== undefined || doc['layers'] !== undefined) malformed('config', 'config/layers must not appear in an index');
  const manifests = requireArray(doc['manifests'], 'manifests').map((value, i) => {
    const where = `manifests[${i}]`;
    const desc = boundedManifestDescriptor(parseDescriptor(value, where), where);
    // The Docker manifest list spec makes `platform` required in every entry.
    if (format === 'docker-manifest-list' && desc.platform === undefined) desc.platform = parsePlatformField(undefined, `${where}.platform`);
    return desc;
  });
  return { kind: 'index', ...common(doc, format), manifests };
}

function boundedManifestDescriptor(desc: Descriptor, where: string): Descriptor {
  if (isManifestMediaType(desc.mediaType) && desc.size > MAX_MANIFEST_BYTES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `${where} names a manifest of ${desc.size} bytes, over the limit of ${MAX_MANIFEST_BYTES}`, {
      details: { field: where, size: desc.size },
    });
  }
  if (isSchema1MediaType(desc.mediaType)) {
    throw new ProvenantError('MEDIA_TYPE_UNSUPPORTED', `${where} names a Docker schema 1 manifest`, { details: { field: where } });
  }
  return desc;
}

/** Parses a manifest as stored, declaring its recorded media type. */
export function parseRawManifest(raw: RawManifest): Manifest {
  return parseManifest(raw.bytes, raw.mediaType);
}

/**
 * Wraps bytes as a RawManifest after validating them; `mediaType` is the effective media type. The digest is
 * computed here, so it always covers exactly these bytes.
 */
export function toRawManifest(bytes: Buffer, declared?: string): { raw: RawManifest; manifest: Manifest } {
  const manifest = parseManifest(bytes, declared);
  return { raw: { mediaType: manifest.mediaType, digest: sha256Digest(bytes), bytes }, manifest };
}

export function manifestDescriptor(raw: RawManifest, annotations?: Record<string, string>): Descriptor {
  const desc: Descriptor = { mediaType: raw.mediaType, digest: raw.digest, size: raw.bytes.length };
  if (annotations !== undefined) desc.annotations = annotations;
  return desc;
}

/** The artifact type the referrers API reports: `artifactType`, else the config media type (manifests only). */
export function artifactTypeOf(manifest: Manifest): string | undefined {
  if (manifest.artifactType !== undefined) return manifest.artifactType;
  return manifest.kind === 'manifest' ? manifest.config.mediaType : undefined;
}
