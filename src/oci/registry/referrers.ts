// Referrers (distribution-spec v1.1 "Listing Referrers", "Referrers Tag Schema", "Pushing Manifests with
// Subject"). Registries with the API answer GET /v2/<name>/referrers/<digest> with an image index; others
// answer 404, and clients then keep the list themselves in an index tagged "sha256-<hex>" of the subject.
// Descriptors listed here are claims of the registry: callers verify the manifests they fetch.
import { ProvenantError } from '../../core/errors.js';
import { digestHex, parseDigest, sha256Digest, type Digest } from '../../core/digest.js';
import { isJsonObject, parseJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { MAX_DESCRIPTORS, parseAnnotations, parseDescriptor, requireArray } from '../descriptor.js';
import { MediaType } from '../media-types.js';
import type { Descriptor, RawManifest } from '../types.js';
import { readBounded } from './body.js';
import { contentType, getManifest, putManifest } from './manifests.js';
import { forEachPage } from './pagination.js';
import { notFoundCodes, registryError } from './registry-errors.js';
import type { RegistrySession } from './session.js';

export const MAX_REFERRERS = MAX_DESCRIPTORS;
const OCI_INDEX = MediaType.ociIndex;
const OCI_MANIFEST = MediaType.ociManifest;

/** The fallback tag for `subject`: "<alg>-<hex>". */
export function referrersTag(subject: Digest): string {
  return `sha256-${digestHex(subject)}`;
}

export type ApiAnswer =
  | { kind: 'listed'; descriptors: Descriptor[] }
  /** 404: no referrers API. `certain` is false when the 404 said the repository is unknown, which proves nothing. */
  | { kind: 'unsupported'; certain: boolean };

/** Asks the referrers API. */
export async function queryReferrersApi(session: RegistrySession, subject: Digest, maxBytes: number, artifactType?: string): Promise<ApiAnswer> {
  const what = `referrers of ${session.name}@${subject}`;
  const first = session.url(`referrers/${subject}`);
  if (artifactType !== undefined) first.searchParams.set('artifactType', artifactType);
  const descriptors: Descriptor[] = [];
  let answer: ApiAnswer | undefined;
  await forEachPage(session, first, { accept: OCI_INDEX }, async (res) => {
    if (res.status === 404 && descriptors.length === 0) {
      answer = { kind: 'unsupported', certain: !(await notFoundCodes(res)).has('NAME_UNKNOWN') };
      return;
    }
    if (res.status !== 200) throw await registryError(res, 'referrers', what);
    if (contentType(res) !== OCI_INDEX) throw new ProvenantError('REGISTRY_PROTOCOL', `${what}: the answer is not an OCI image index`);
    const page = indexDescriptors(await readBounded(res, maxBytes, what), what);
    if (descriptors.length + page.length > MAX_REFERRERS) throw new ProvenantError('INPUT_TOO_LARGE', `${what}: more than ${MAX_REFERRERS}`);
    descriptors.push(...page);
  });
  return answer ?? { kind: 'listed', descriptors: filterByType(descriptors, artifactType) };
}

/** Reads the referrers tag schema index; an absent tag means no referrers. */
export async function queryReferrersTag(session: RegistrySession, subject: Digest, maxBytes: number, artifactType?: string): Promise<Descriptor[]> {
  const index = await getManifest(session, referrersTag(subject), maxBytes);
  if (index === undefined) return [];
  const what = `referrers index ${session.name}:${referrersTag(subject)}`;
  if (index.mediaType !== OCI_INDEX) throw new ProvenantError('MANIFEST_MALFORMED', `${what} is not an OCI image index`);
  return filterByType(indexDescriptors(index.bytes, what), artifactType);
}

function filterByType(descriptors: Descriptor[], artifactType: string | undefined): Descriptor[] {
  // Applied even when the registry says it filtered (OCI-Filters-Applied): it costs nothing and trusts less.
  return artifactType === undefined ? descriptors : descriptors.filter((d) => d.artifactType === artifactType);
}

export interface ReferrerInfo {
  subject: Digest;
  /** The descriptor the referrers list must hold for the manifest. */
  descriptor: Descriptor;
}

/** The subject of a manifest and its referrers-list descriptor, or undefined when it has no subject. */
export function referrerInfo(manifest: RawManifest): ReferrerInfo | undefined {
  if (manifest.mediaType !== OCI_MANIFEST && manifest.mediaType !== OCI_INDEX) return undefined;
  const what = `manifest ${manifest.digest}`;
  const doc = indexJson(manifest.bytes, what);
  if (doc.subject === undefined) return undefined;
  if (!isJsonObject(doc.subject) || typeof doc.subject.digest !== 'string') {
    throw new ProvenantError('MANIFEST_MALFORMED', `${what}: subject is not a descriptor`);
  }
  const subject = parseDigest(doc.subject.digest, `${what} subject digest`);
  // "artifactType" of the manifest, else (for an image manifest) its config media type.
  const configType = manifest.mediaType === OCI_MANIFEST && isJsonObject(doc.config) ? doc.config.mediaType : undefined;
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : configType;
  const descriptor: Descriptor = { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length };
  if (typeof artifactType === 'string') descriptor.artifactType = artifactType;
  const annotations = parseAnnotations(doc.annotations, `${what} annotations`);
  if (annotations !== undefined) descriptor.annotations = annotations;
  return { subject, descriptor };
}

/** Adds `info.descriptor` to the subject's referrers tag index (read-modify-write; concurrent writers can race). */
export async function addToReferrersTag(session: RegistrySession, info: ReferrerInfo, maxBytes: number): Promise<void> {
  const tag = referrersTag(info.subject);
  const what = `referrers index ${session.name}:${tag}`;
  const current = await getManifest(session, tag, maxBytes);
  let index: JsonObject;
  if (current === undefined) {
    index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
  } else {
    if (current.mediaType !== OCI_INDEX) throw new ProvenantError('MANIFEST_MALFORMED', `${what} is not an OCI image index`);
    index = indexJson(current.bytes, what);
    if (indexDescriptors(current.bytes, what).some((d) => d.digest === info.descriptor.digest)) return;
  }
  const manifests = index.manifests as JsonValue[];
  if (manifests.length >= MAX_REFERRERS) throw new ProvenantError('INPUT_TOO_LARGE', `${what} already lists ${MAX_REFERRERS} referrers`);
  manifests.push(info.descriptor as unknown as JsonObject);
  const bytes = Buffer.from(JSON.stringify(index), 'utf8');
  await putManifest(session, { mediaType: OCI_INDEX, digest: sha256Digest(bytes), bytes }, tag, maxBytes);
}

function indexJson(bytes: Buffer, what: string): JsonObject {
  try {
    return parseJsonObject(bytes, what);
  } catch (cause) {
    throw new ProvenantError('MANIFEST_MALFORMED', `${what} is not a JSON object`, { cause });
  }
}

/** The validated "manifests" of an image index. */
export function indexDescriptors(bytes: Buffer, what: string): Descriptor[] {
  const doc = indexJson(bytes, what);
  if (doc.mediaType !== undefined && doc.mediaType !== OCI_INDEX) throw new ProvenantError('MANIFEST_MALFORMED', `${what}: mediaType is not an OCI index`);
  return requireArray(doc.manifests, `${what} manifests`).map((entry, i) => parseDescriptor(entry, `${what} manifests[${i}]`));
}
