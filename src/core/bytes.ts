// Byte helpers shared by the formats: strict base64 (standard and URL-safe, as DSSE allows both) and
// constant-time comparison.
import { timingSafeEqual } from 'node:crypto';
import { ProvenantError } from './errors.js';

// Flat character classes only: a repeated group over a multi-megabyte string overflows V8's regexp stack.
const STD_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const URL_RE = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes standard base64 (padded) or URL-safe base64 (padded or not). Anything else, including stray
 * whitespace or a mixture of the two alphabets, is refused: Buffer.from(s, 'base64') would silently skip it.
 */
export function decodeBase64(value: unknown, what = 'value'): Buffer {
  if (typeof value !== 'string') throw new ProvenantError('BASE64_MALFORMED', `${what} is not a base64 string`);
  if (value.length % 4 === 0 && STD_RE.test(value)) return Buffer.from(value, 'base64');
  const unpadded = value.replace(/={1,2}$/, '');
  if (URL_RE.test(unpadded) && unpadded.length % 4 !== 1) {
    const padOk = value.length === unpadded.length || value.length % 4 === 0;
    if (padOk) return Buffer.from(unpadded, 'base64url');
  }
  throw new ProvenantError('BASE64_MALFORMED', `${what} is not valid base64`);
}

export function encodeBase64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
