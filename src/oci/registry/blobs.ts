// Blob requests (distribution-spec "Pulling blobs", "Pushing blobs": POST then monolithic PUT). Downloads
// are verified against the descriptor while they stream; uploads skip blobs the registry already has.
import type { Readable } from 'node:stream';
import { ProvenantError, isProvenantError, type ErrorCode } from '../../core/errors.js';
import { isDigest, sha256Digest, type Digest } from '../../core/digest.js';
import type { Descriptor } from '../types.js';
import { verifiedStream } from '../verified-stream.js';
import { bodyStreamError, contentLength, discard } from './body.js';
import { checkDigestHeader } from './manifests.js';
import { registryError } from './registry-errors.js';
import { DEFAULT_RETRY, retryDelay, sleep } from './retry.js';
import type { RegistrySession } from './session.js';

export const DEFAULT_MAX_BLOB_READ = 16 * 1024 * 1024;
const UPLOAD_ROUNDS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Failures after which a fresh upload session is worth trying. */
const UPLOAD_RETRY_CODES = new Set<ErrorCode>(['REGISTRY_SERVER_ERROR', 'REGISTRY_UNREACHABLE', 'REGISTRY_RATE_LIMITED', 'REGISTRY_TIMEOUT']);

function checkDescriptor(desc: Descriptor): void {
  if (!isDigest(desc.digest) || !Number.isSafeInteger(desc.size) || desc.size < 0) {
    throw new ProvenantError('MANIFEST_MALFORMED', 'blob descriptor needs a sha256 digest and a non-negative integer size');
  }
}

/** HEAD a blob: whether the repository has it. A redirect to storage already says yes; it is not followed. */
export async function blobExists(session: RegistrySession, digest: Digest): Promise<boolean> {
  const res = await session.request({ method: 'HEAD', path: `blobs/${digest}`, access: 'pull' });
  if (res.status === 404) return false;
  if (res.status === 200 || REDIRECTS.has(res.status)) return true;
  throw await registryError(res, 'blob', `blob ${digest} of ${session.name}`);
}

/** The blob as a stream (src/oci/verified-stream.ts) that fails unless it matches `desc`: DIGEST_MISMATCH, ARCHIVE_TRUNCATED, INPUT_TOO_LARGE. */
export async function openBlob(session: RegistrySession, desc: Descriptor): Promise<Readable> {
  checkDescriptor(desc);
  const what = `blob ${desc.digest} of ${session.name}`;
  const res = await session.request({ method: 'GET', path: `blobs/${desc.digest}`, access: 'pull', followRedirects: true });
  if (res.status !== 200) throw await registryError(res, 'blob', what);
  const declared = contentLength(res.headers);
  if (declared !== undefined && declared !== desc.size) {
    res.body.destroy();
    // The same codes the verifying stream would end with, without downloading first.
    const code = declared > desc.size ? 'INPUT_TOO_LARGE' : 'ARCHIVE_TRUNCATED';
    throw new ProvenantError(code, `${what}: the registry sends ${declared} bytes, the descriptor says ${desc.size}`, {
      details: { digest: desc.digest, size: desc.size, declared },
    });
  }
  const verifier = verifiedStream(desc);
  res.body.on('error', (e) => verifier.destroy(bodyStreamError(e, what)));
  verifier.on('close', () => {
    if (!res.body.readableEnded) res.body.destroy();
  });
  res.body.pipe(verifier);
  return verifier;
}

/** A whole blob, verified; INPUT_TOO_LARGE when its descriptor is over `maxBytes` (nothing is fetched then). */
export async function readBlob(session: RegistrySession, desc: Descriptor, maxBytes = DEFAULT_MAX_BLOB_READ): Promise<Buffer> {
  checkDescriptor(desc);
  if (desc.size > maxBytes) {
    throw new ProvenantError('INPUT_TOO_LARGE', `blob ${desc.digest} is ${desc.size} bytes, over the limit of ${maxBytes}`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await openBlob(session, desc)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Uploads a blob unless the repository already has it; returns its descriptor. */
export async function pushBlob(session: RegistrySession, data: Uint8Array, mediaType: string): Promise<Descriptor> {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const desc: Descriptor = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
  if (await blobExists(session, desc.digest)) return desc;
  for (let round = 1; ; round++) {
    try {
      await upload(session, bytes, desc.digest);
      return desc;
    } catch (e) {
      if (round >= UPLOAD_ROUNDS || !isProvenantError(e) || !UPLOAD_RETRY_CODES.has(e.code)) throw e;
      // The failed PUT may still have landed (only its answer was lost).
      if (await blobExists(session, desc.digest)) return desc;
      await sleep(retryDelay(DEFAULT_RETRY, round));
    }
  }
}

async function upload(session: RegistrySession, bytes: Buffer, digest: Digest): Promise<void> {
  const what = `upload of blob ${digest} to ${session.name}`;
  const start = await session.request({ method: 'POST', path: 'blobs/uploads/', access: 'push', body: Buffer.alloc(0), retry: true });
  if (start.status !== 202) throw await registryError(start, 'upload', what);
  discard(start);
  const location = start.headers.location;
  if (location === undefined || location === '') throw new ProvenantError('REGISTRY_PROTOCOL', `${what}: no Location for the upload`);
  const target = session.resolve(location, start.url);
  // Appended rather than set through searchParams, which would re-encode the registry's own state parameters.
  target.search = `${target.search === '' ? '?' : `${target.search}&`}digest=${encodeURIComponent(digest)}`;
  const put = await session.request({
    method: 'PUT',
    path: target,
    access: 'push',
    headers: { 'content-type': 'application/octet-stream' },
    body: bytes,
    retry: false,
  });
  if (put.status < 200 || put.status > 299) throw await registryError(put, 'upload', what);
  discard(put);
  checkDigestHeader(put, digest, what);
}
