// Unsigned 64-bit arithmetic on bigint. RFC 6962 and RFC 9162 carry tree sizes and leaf indices as uint64, and
// logs grow past 2^53, so indices are bigints throughout; a JavaScript number would silently lose precision.
import { ProvenantError, type ErrorCode } from '../core/errors.js';

/** A leaf index or tree size as given by a caller: a bigint, or a number that is a safe integer. */
export type TreeIndex = bigint | number;

export const MAX_U64 = (1n << 64n) - 1n;

/**
 * Converts to a bigint in [0, 2^64). Sizes and indices usually come from a log's response or a signed tree head,
 * so they are attacker-controlled: anything fractional, negative, unsafe or wider than 64 bits is refused with
 * `code` (MERKLE_PROOF_INVALID unless the caller says otherwise) rather than rounded.
 */
export function toU64(value: TreeIndex, what: string, code: ErrorCode = 'MERKLE_PROOF_INVALID'): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ProvenantError(code, `${what} is not a non-negative safe integer`, {
        details: { field: what, value: String(value) },
      });
    }
    return BigInt(value);
  }
  if (typeof value !== 'bigint' || value < 0n || value > MAX_U64) {
    throw new ProvenantError(code, `${what} is not an unsigned 64-bit integer`, {
      details: { field: what, value: String(value) },
    });
  }
  return value;
}

/** Number of bits needed to write x (0 for 0), i.e. Go's bits.Len64. */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Number of trailing zero bits of x; x must be positive. */
export function trailingZeros(x: bigint): number {
  let n = 0;
  while ((x & 1n) === 0n) {
    x >>= 1n;
    n++;
  }
  return n;
}

export function popCount(x: bigint): number {
  let n = 0;
  for (; x > 0n; x >>= 1n) if ((x & 1n) === 1n) n++;
  return n;
}

export function isPowerOfTwo(x: bigint): boolean {
  return x > 0n && (x & (x - 1n)) === 0n;
}
