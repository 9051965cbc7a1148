// A deliberately naive reference, written straight from RFC 6962 §2.1 (MTH), §2.1.1 (PATH) and §2.1.2
// (PROOF, SUBPROOF), with its own SHA-256 calls so that it shares nothing with src/merkle. It is slow on purpose
// and only used by tests to check the fast code. D[start:start+n] is addressed by (start, n) so that MTH results
// can be memoised; the recursions themselves are the RFC's.
import { createHash } from 'node:crypto';

export type Mth = (start: bigint, n: bigint) => Buffer;

function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** "the largest power of two smaller than n (i.e., k < n <= 2k)" */
export function largestPowerOfTwoBelow(n: bigint): bigint {
  let k = 1n;
  while (k * 2n < n) k *= 2n;
  return k;
}

/** A tree over explicit leaf entries d(0) .. d(n-1). */
export class ReferenceTree {
  private readonly memo = new Map<string, Buffer>();

  constructor(readonly entries: readonly Uint8Array[]) {}

  /** MTH(D[start:start+n]). */
  readonly mth: Mth = (start, n) => {
    const key = `${start}+${n}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    let out: Buffer;
    if (n === 0n) out = sha256();
    else if (n === 1n) out = sha256(Buffer.from([0x00]), this.entries[Number(start)] as Uint8Array);
    else {
      const k = largestPowerOfTwoBelow(n);
      out = sha256(Buffer.from([0x01]), this.mth(start, k), this.mth(start + k, n - k));
    }
    this.memo.set(key, out);
    return out;
  };
}

/** A tree whose leaves all hold the same entry, so MTH depends on the length only: any size up to 2^64 is cheap. */
export class UniformReferenceTree {
  private readonly memo = new Map<bigint, Buffer>();

  constructor(readonly entry: Uint8Array) {}

  readonly mth: Mth = (_start, n) => {
    const hit = this.memo.get(n);
    if (hit !== undefined) return hit;
    let out: Buffer;
    if (n === 0n) out = sha256();
    else if (n === 1n) out = sha256(Buffer.from([0x00]), this.entry);
    else {
      const k = largestPowerOfTwoBelow(n);
      out = sha256(Buffer.from([0x01]), this.mth(0n, k), this.mth(0n, n - k));
    }
    this.memo.set(n, out);
    return out;
  };
}

/**
 * PATH(m, D[n]) over D[start:start+n], RFC 6962 §2.1.1:
 *   PATH(0, {d(0)}) = {}
 *   PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])       for m < k
 *   PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])   for m >= k
 */
export function rfcPath(mth: Mth, m: bigint, start: bigint, n: bigint): Buffer[] {
  if (n === 1n) {
    if (m !== 0n) throw new Error('reference: PATH is defined for m < n only');
    return [];
  }
  const k = largestPowerOfTwoBelow(n);
  if (m < k) return [...rfcPath(mth, m, start, k), mth(start + k, n - k)];
  return [...rfcPath(mth, m - k, start + k, n - k), mth(start, k)];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), RFC 6962 §2.1.2. */
export function rfcProof(mth: Mth, m: bigint, n: bigint): Buffer[] {
  return rfcSubproof(mth, m, 0n, n, true);
}

/**
 *   SUBPROOF(m, D[m], true) = {}
 *   SUBPROOF(m, D[m], false) = {MTH(D[m])}
 *   SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          for m <= k
 *   SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  for m > k
 */
function rfcSubproof(mth: Mth, m: bigint, start: bigint, n: bigint, b: boolean): Buffer[] {
  if (m === n) return b ? [] : [mth(start, n)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) return [...rfcSubproof(mth, m, start, k, b), mth(start + k, n - k)];
  return [...rfcSubproof(mth, m - k, start + k, n - k, false), mth(start, k)];
}

/** A seeded PRNG (SplitMix64) so that every "random" test run checks the same cases. */
export class SeededRandom {
  private state: bigint;

  constructor(seed: bigint) {
    this.state = BigInt.asUintN(64, seed);
  }

  next64(): bigint {
    this.state = BigInt.asUintN(64, this.state + 0x9e3779b97f4a7c15n);
    let z = this.state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    return z ^ (z >> 31n);
  }

  /** Uniform enough in [0, n) for tests; n must be positive and at most 2^64. */
  below(n: bigint): bigint {
    return this.next64() % n;
  }

  int(n: number): number {
    return Number(this.below(BigInt(n)));
  }
}

/** Leaf entries that differ from each other: the big-endian 8-byte encoding of i, repeated i % 3 times. */
export function distinctEntries(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(i));
    return Buffer.concat(Array.from({ length: (i % 3) + 1 }, () => b));
  });
}
