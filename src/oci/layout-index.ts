// The two metadata files of an OCI image layout (image-spec image-layout.md): `oci-layout` and `index.json`,
// and the `org.opencontainers.image.ref.name` annotation that names images in it (annotations.md), which is
// what skopeo's `oci:DIR:TAG` selects by.
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { isJsonObject, parseJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { parseManifest, type ImageIndex } from './manifest.js';
import { MediaType } from './media-types.js';
import type { Descriptor } from './types.js';

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';
export const OCI_LAYOUT_FILE = 'oci-layout';
export const INDEX_FILE = 'index.json';
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';

/** annotations.md: ref ::= component ("/" component)*, component ::= alphanum (separator alphanum)*. */
const REF_NAME_RE = /^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$/;
const MAX_REF_NAME = 512;

export function isValidRefName(name: string): boolean {
  return name.length <= MAX_REF_NAME && REF_NAME_RE.test(name);
}

export function requireRefName(name: string): string {
  if (!isValidRefName(name)) {
    throw new ProvenantError('REFERENCE_INVALID', `${JSON.stringify(name.slice(0, 80))} is not a valid image name for an OCI layout`, {
      details: { tag: name.slice(0, MAX_REF_NAME) },
    });
  }
  return name;
}

function layoutError(what: string, reason: string, cause?: unknown): ProvenantError {
  return new ProvenantError('LAYOUT_MALFORMED', `${what} ${reason}`, { details: { file: what }, cause });
}

/** Wraps a content error from a layout metadata file as LAYOUT_MALFORMED; size limits stay INPUT_TOO_LARGE. */
function asLayoutError(e: unknown, what: string): unknown {
  if (!isProvenantError(e) || e.code === 'INPUT_TOO_LARGE' || e.code === 'LAYOUT_MALFORMED') return e;
  return layoutError(what, `is not valid: ${e.message}`, e);
}

/** Checks the `oci-layout` file: a JSON object whose imageLayoutVersion is a 1.x version. */
export function checkOciLayoutFile(bytes: Uint8Array): void {
  let doc: JsonObject;
  try {
    doc = parseJsonObject(bytes, OCI_LAYOUT_FILE, { maxLength: 64 * 1024 });
  } catch (e) {
    throw asLayoutError(e, OCI_LAYOUT_FILE);
  }
  const version = doc['imageLayoutVersion'];
  if (typeof version !== 'string' || !/^1\.[0-9]+\.[0-9]+$/.test(version)) {
    throw layoutError(OCI_LAYOUT_FILE, 'must give an imageLayoutVersion of 1.x.y');
  }
}

export interface LayoutIndex {
  index: ImageIndex;
  /** The document as read, so that rewriting it keeps properties Provenant does not model. */
  document: JsonObject;
}

/** Parses index.json, which must be an image index. Errors: LAYOUT_MALFORMED, INPUT_TOO_LARGE, UNSUPPORTED. */
export function parseLayoutIndex(bytes: Buffer): LayoutIndex {
  try {
    const index = parseManifest(bytes);
    if (index.kind !== 'index') throw layoutError(INDEX_FILE, 'is not an image index');
    return { index, document: parseJsonObject(bytes, INDEX_FILE) };
  } catch (e) {
    throw asLayoutError(e, INDEX_FILE);
  }
}

export function emptyIndexDocument(): JsonObject {
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
}

/** Entries named `name`, in index order. */
export function entriesNamed(index: ImageIndex, name: string): Descriptor[] {
  return index.manifests.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] === name);
}

function refNameOf(entry: JsonValue): string | undefined {
  if (!isJsonObject(entry) || !isJsonObject(entry['annotations'])) return undefined;
  const name = entry['annotations'][REF_NAME_ANNOTATION];
  return typeof name === 'string' ? name : undefined;
}

function descriptorJson(desc: Descriptor): JsonObject {
  const out: JsonObject = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  if (desc.artifactType !== undefined) out['artifactType'] = desc.artifactType;
  if (desc.annotations !== undefined) out['annotations'] = { ...desc.annotations };
  if (desc.platform !== undefined) out['platform'] = JSON.parse(JSON.stringify(desc.platform)) as JsonObject;
  return out;
}

/**
 * index.json after storing `desc`: under `name`, any entry carrying that name is removed and a named entry
 * appended (as containers/image does for `oci:DIR:TAG`); without a name, an entry is appended only if no
 * entry for the digest exists yet.
 */
export function indexWithEntry(document: JsonObject, desc: Descriptor, name?: string): JsonObject {
  const current = Array.isArray(document['manifests']) ? document['manifests'] : [];
  let manifests: JsonValue[];
  if (name === undefined) {
    const present = current.some((e) => isJsonObject(e) && e['digest'] === desc.digest);
    if (present) return document;
    manifests = [...current, descriptorJson(desc)];
  } else {
    const named = descriptorJson({ ...desc, annotations: { ...desc.annotations, [REF_NAME_ANNOTATION]: name } });
    manifests = [...current.filter((e) => refNameOf(e) !== name), named];
  }
  return { ...document, manifests };
}

export function serializeIndex(document: JsonObject): Buffer {
  return Buffer.from(JSON.stringify(document), 'utf8');
}
