// Manifest requests (distribution-spec "Pulling manifests", "Pushing Manifests", "Deleting Manifests").
// A manifest is only accepted when its bytes hash to the digest that names it: the reference's digest when
// pulling by digest, and the registry's Docker-Content-Digest whenever it sends one.
import { ProvenantError } from '../../core/errors.js';
import { assertDigest, digestEquals, isDigest, sha256Digest, type Digest } from '../../core/digest.js';
import { parseJsonObject } from '../../core/json.js';
import { isManifestMediaType, isValidMediaType, MANIFEST_MEDIA_TYPES } from '../media-types.js';
import type { Descriptor, RawManifest } from '../types.js';
import { contentLength, discard, readBounded, type HttpResponse } from './body.js';
import { registryError } from './registry-errors.js';
import type { RegistrySession } from './session.js';

/** The four manifest types (OCI manifest and index, Docker v2 schema 2 manifest and list) are all the client accepts. */
const ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function describeRef(session: RegistrySession, reference: string): string {
  return `manifest ${session.name}${isDigest(reference) ? '@' : ':'}${reference}`;
}

/** GET a manifest by tag or digest; undefined on 404. Errors: DIGEST_MISMATCH, INPUT_TOO_LARGE, MEDIA_TYPE_UNSUPPORTED, MANIFEST_MALFORMED. */
export async function getManifest(session: RegistrySession, reference: string, maxBytes: number): Promise<RawManifest | undefined> {
  const what = describeRef(session, reference);
  const res = await session.request({ method: 'GET', path: `manifests/${reference}`, access: 'pull', headers: { accept: ACCEPT } });
  if (res.status === 404) {
    discard(res);
    return undefined;
  }
  if (res.status !== 200) throw await registryError(res, 'manifest', what);
  const bytes = await readBounded(res, maxBytes, what);
  const digest = sha256Digest(bytes);
  if (isDigest(reference)) assertDigest(bytes, reference, what);
  checkDigestHeader(res, digest, what);
  return { mediaType: manifestMediaType(contentType(res), bytes, what), digest, bytes };
}

/** HEAD a manifest: its descriptor, or undefined on 404. Falls back to GET when the registry omits the digest. */
export async function headManifest(session: RegistrySession, reference: string, maxBytes: number): Promise<Descriptor | undefined> {
  const what = describeRef(session, reference);
  const res = await session.request({ method: 'HEAD', path: `manifests/${reference}`, access: 'pull', headers: { accept: ACCEPT } });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw await registryError(res, 'manifest', what);
  const header = res.headers['docker-content-digest'];
  const size = contentLength(res.headers);
  const mediaType = contentType(res);
  if (!isDigest(header) || size === undefined || !isManifestMediaType(mediaType)) {
    const full = await getManifest(session, reference, maxBytes);
    return full === undefined ? undefined : { mediaType: full.mediaType, digest: full.digest, size: full.bytes.length };
  }
  if (isDigest(reference) && !digestEquals(header, reference)) {
    throw new ProvenantError('DIGEST_MISMATCH', `${what}: the registry names it ${header}`, { details: { expected: reference, actual: header } });
  }
  return { mediaType, digest: header, size };
}

export interface PushedManifest {
  /** The OCI-Subject header: set when the registry indexed the manifest's subject for the referrers API. */
  ociSubject: string | undefined;
}

/** PUT a manifest under a tag or its digest. */
export async function putManifest(session: RegistrySession, manifest: RawManifest, reference: string, maxBytes: number): Promise<PushedManifest> {
  const what = describeRef(session, reference);
  assertDigest(manifest.bytes, manifest.digest, 'manifest to push');
  if (manifest.bytes.length > maxBytes) {
    throw new ProvenantError('INPUT_TOO_LARGE', `${what} is ${manifest.bytes.length} bytes, over the limit of ${maxBytes}`);
  }
  if (!isValidMediaType(manifest.mediaType)) {
    throw new ProvenantError('MEDIA_TYPE_UNSUPPORTED', `${what}: ${JSON.stringify(manifest.mediaType)} is not a media type`);
  }
  if (isDigest(reference) && !digestEquals(reference, manifest.digest)) {
    throw new ProvenantError('DIGEST_MISMATCH', `${what}: pushing ${manifest.digest} under another digest`);
  }
  const res = await session.request({
    method: 'PUT',
    path: `manifests/${reference}`,
    access: 'push',
    headers: { 'content-type': manifest.mediaType },
    body: manifest.bytes,
  });
  if (res.status < 200 || res.status > 299) throw await registryError(res, 'manifest', what);
  discard(res);
  checkDigestHeader(res, manifest.digest, what);
  const subject = res.headers['oci-subject'];
  return { ociSubject: typeof subject === 'string' && subject !== '' ? subject : undefined };
}

export async function deleteManifest(session: RegistrySession, digest: Digest): Promise<void> {
  const what = describeRef(session, digest);
  const res = await session.request({ method: 'DELETE', path: `manifests/${digest}`, access: 'delete' });
  if (res.status < 200 || res.status > 299) throw await registryError(res, 'manifest', what);
  discard(res);
}

/** Content-Type without parameters, lowercased. */
export function contentType(res: HttpResponse): string {
  return (res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Docker-Content-Digest, when present as sha256, must name the bytes we received (or sent). */
export function checkDigestHeader(res: HttpResponse, actual: Digest, what: string): void {
  const header = res.headers['docker-content-digest'];
  if (typeof header !== 'string' || header === '' || !header.startsWith('sha256:')) return;
  if (!isDigest(header)) throw new ProvenantError('REGISTRY_PROTOCOL', `${what}: malformed Docker-Content-Digest header`);
  if (!digestEquals(header, actual)) {
    throw new ProvenantError('DIGEST_MISMATCH', `${what}: the registry says ${header} but the content hashes to ${actual}`, {
      details: { expected: header, actual },
    });
  }
}

/**
 * The manifest's media type: its own "mediaType" field when it has one (it must then agree with a
 * manifest Content-Type), else the Content-Type. Only the four manifest types are accepted.
 */
export function manifestMediaType(header: string, bytes: Buffer, what: string): string {
  let field: unknown;
  try {
    field = parseJsonObject(bytes, what).mediaType;
  } catch (cause) {
    throw new ProvenantError('MANIFEST_MALFORMED', `${what} is not a JSON object`, { cause });
  }
  if (field !== undefined && typeof field !== 'string') throw new ProvenantError('MANIFEST_MALFORMED', `${what}: mediaType is not a string`);
  if (field !== undefined && isManifestMediaType(header) && field !== header) {
    throw new ProvenantError('MANIFEST_MALFORMED', `${what}: Content-Type ${header} disagrees with its mediaType ${field}`);
  }
  const mediaType = field ?? header;
  if (!isManifestMediaType(mediaType)) {
    throw new ProvenantError('MEDIA_TYPE_UNSUPPORTED', `${what} has media type ${JSON.stringify(mediaType.slice(0, 200))}`);
  }
  return mediaType;
}
