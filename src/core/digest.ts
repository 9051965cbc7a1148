// Content digests. Everything in Provenant is addressed by `sha256:<64 lowercase hex>` (OCI image-spec
// "Digests"); other algorithms are refused rather than half-supported.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ProvenantError } from './errors.js';

export type Digest = `sha256:${string}`;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const HEX64_RE = /^[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

export function parseDigest(value: string, what = 'digest'): Digest {
  if (!isDigest(value)) {
    const algorithm = typeof value === 'string' ? value.split(':', 1)[0] : '';
    if (typeof value === 'string' && value.includes(':') && algorithm !== 'sha256') {
      throw new ProvenantError('UNSUPPORTED', `${what} uses algorithm "${algorithm}"; only sha256 is supported`, {
        details: { value },
      });
    }
    throw new ProvenantError('DIGEST_MALFORMED', `${what} is not sha256:<64 lowercase hex>: ${JSON.stringify(value)}`, {
      details: { value },
    });
  }
  return value;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha256Digest(data: Uint8Array | string): Digest {
  return `sha256:${sha256Hex(data)}`;
}

export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

export function digestFromHex(hex: string): Digest {
  if (!HEX64_RE.test(hex)) throw new ProvenantError('DIGEST_MALFORMED', `not 64 lowercase hex digits: ${JSON.stringify(hex)}`);
  return `sha256:${hex}`;
}

/** Throws DIGEST_MISMATCH unless `data` hashes to `expected`. */
export function assertDigest(data: Uint8Array, expected: Digest, what = 'content'): void {
  const actual = sha256Digest(data);
  if (!digestEquals(actual, expected)) {
    throw new ProvenantError('DIGEST_MISMATCH', `${what} hashes to ${actual}, expected ${expected}`, {
      details: { expected, actual },
    });
  }
}

export function digestEquals(a: Digest, b: Digest): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
