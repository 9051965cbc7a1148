// Content verification while streaming. Bytes pass through as they arrive, so a consumer sees data before it is
// proven; the stream fails at its end (or as soon as it overruns) and callers must treat the content as
// unverified until the stream has ended without error.
import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { digestEquals, parseDigest, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import type { Descriptor } from './types.js';

/**
 * A pass-through that hashes what flows and fails with INPUT_TOO_LARGE the moment more than `desc.size` bytes
 * arrive (the excess is not passed on), with ARCHIVE_TRUNCATED at the end if fewer arrived, and with
 * DIGEST_MISMATCH at the end if the sha256 differs from `desc.digest`. Throws DIGEST_MALFORMED at once for a
 * descriptor whose digest is not sha256:<hex>, and INTERNAL for a size that is not a safe non-negative integer.
 */
export function verifiedStream(desc: Pick<Descriptor, 'digest' | 'size'>): Transform {
  const expected = parseDigest(desc.digest, 'descriptor digest');
  const size = desc.size;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ProvenantError('INTERNAL', `descriptor size ${String(size)} is not a non-negative integer`);
  }
  const hash = createHash('sha256');
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      seen += chunk.length;
      if (seen > size) {
        callback(
          new ProvenantError('INPUT_TOO_LARGE', `content of ${expected} is longer than its declared ${size} bytes`, {
            details: { digest: expected, size },
          }),
        );
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback): void {
      if (seen < size) {
        callback(
          new ProvenantError('ARCHIVE_TRUNCATED', `content of ${expected} ended after ${seen} of ${size} bytes`, {
            details: { digest: expected, size, received: seen },
          }),
        );
        return;
      }
      const actual: Digest = `sha256:${hash.digest('hex')}`;
      if (!digestEquals(actual, expected)) {
        callback(
          new ProvenantError('DIGEST_MISMATCH', `content hashes to ${actual}, expected ${expected}`, {
            details: { expected, actual },
          }),
        );
        return;
      }
      callback();
    },
  });
}

/**
 * Reads `source` whole through verifiedStream(desc). Refuses with INPUT_TOO_LARGE before reading when
 * `desc.size` exceeds `maxBytes`. Destroys `source` on failure.
 */
export async function readVerified(source: Readable, desc: Pick<Descriptor, 'digest' | 'size'>, maxBytes: number): Promise<Buffer> {
  if (desc.size > maxBytes) {
    source.destroy();
    throw new ProvenantError('INPUT_TOO_LARGE', `blob ${desc.digest} is ${desc.size} bytes, over the limit of ${maxBytes}`, {
      details: { digest: desc.digest, size: desc.size, limit: maxBytes },
    });
  }
  let verifier: Transform;
  try {
    verifier = verifiedStream(desc);
  } catch (e) {
    source.destroy();
    throw e;
  }
  const chunks: Buffer[] = [];
  source.on('error', (e) => verifier.destroy(e));
  source.pipe(verifier);
  try {
    for await (const chunk of verifier) chunks.push(chunk as Buffer);
  } finally {
    source.unpipe(verifier);
    source.destroy();
  }
  return Buffer.concat(chunks);
}
