import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../src/core/errors.js';
import {
  MAX_U64,
  emptyRoot,
  leafHash,
  rootFromConsistencyProof,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../../src/merkle/index.js';
import { ReferenceTree, distinctEntries, rfcPath, rfcProof } from './rfc6962-reference.js';

const MAX = 70;
const entries = distinctEntries(MAX);
const ref = new ReferenceTree(entries);
const leaf = (i: bigint): Buffer => leafHash(entries[Number(i)]!);
const root = (size: bigint): Buffer => ref.mth(0n, size);
const isCode = (code: string) => (e: unknown) => e instanceof ProvenantError && e.code === code;
const rejected = (e: unknown): boolean =>
  e instanceof ProvenantError && (e.code === 'MERKLE_ROOT_MISMATCH' || e.code === 'MERKLE_PROOF_INVALID');

function flipBit(values: readonly Buffer[], at: number, bit: number): Buffer[] {
  return values.map((v, i) => {
    if (i !== at) return v;
    const copy = Buffer.from(v);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    return copy;
  });
}

test(`inclusion: every RFC 6962 PATH up to size ${MAX} verifies, and any changed bit or index is refused`, () => {
  for (let size = 1n; size <= BigInt(MAX); size++) {
    for (let index = 0n; index < size; index++) {
      const proof = rfcPath(ref.mth, index, 0n, size);
      const what = `${index}/${size}`;
      verifyInclusion(leaf(index), index, size, proof, root(size));
      assert.deepEqual(rootFromInclusionProof(leaf(index), index, size, proof), root(size), what);
      proof.forEach((_, at) => {
        const broken = flipBit(proof, at, (at * 37 + Number(index)) % 256);
        assert.throws(() => verifyInclusion(leaf(index), index, size, broken, root(size)), isCode('MERKLE_ROOT_MISMATCH'), what);
      });
      assert.throws(() => verifyInclusion(leaf(index), index, size, [...proof, root(size)], root(size)), isCode('MERKLE_PROOF_INVALID'));
      if (proof.length > 0) {
        assert.throws(() => verifyInclusion(leaf(index), index, size, proof.slice(1), root(size)), isCode('MERKLE_PROOF_INVALID'));
      }
      for (let other = 0n; other < size; other++) {
        if (other !== index) assert.throws(() => verifyInclusion(leaf(index), other, size, proof, root(size)), rejected, `${what} as ${other}`);
      }
    }
  }
});

test(`consistency: every RFC 6962 PROOF up to size ${MAX} verifies, and any changed bit, root or size is refused`, () => {
  for (let size2 = 1n; size2 <= BigInt(MAX); size2++) {
    for (let size1 = 1n; size1 <= size2; size1++) {
      const proof = rfcProof(ref.mth, size1, size2);
      const what = `${size1}..${size2}`;
      verifyConsistency(size1, size2, proof, root(size1), root(size2));
      assert.deepEqual(rootFromConsistencyProof(size1, size2, proof, root(size1)), root(size2), what);
      proof.forEach((_, at) => {
        const broken = flipBit(proof, at, (at * 41 + Number(size1)) % 256);
        assert.throws(() => verifyConsistency(size1, size2, broken, root(size1), root(size2)), isCode('MERKLE_ROOT_MISMATCH'), what);
      });
      const [bad1] = flipBit([root(size1)], 0, 3);
      const [bad2] = flipBit([root(size2)], 0, 200);
      assert.throws(() => verifyConsistency(size1, size2, proof, bad1!, root(size2)), isCode('MERKLE_ROOT_MISMATCH'), what);
      assert.throws(() => verifyConsistency(size1, size2, proof, root(size1), bad2!), isCode('MERKLE_ROOT_MISMATCH'), what);
      assert.throws(() => verifyConsistency(size1, size2, [...proof, root(size1)], root(size1), root(size2)), isCode('MERKLE_PROOF_INVALID'));
      for (let other = 1n; other <= size2; other++) {
        if (other !== size1) assert.throws(() => verifyConsistency(other, size2, proof, root(size1), root(size2)), rejected, `${what} as ${other}`);
      }
    }
  }
});

test('a root mismatch reports both roots in hex, and which tree failed for consistency', () => {
  const proof = rfcPath(ref.mth, 3n, 0n, 10n);
  const wrong = Buffer.alloc(32, 7);
  assert.throws(
    () => verifyInclusion(leaf(3n), 3n, 10n, proof, wrong),
    (e) => {
      assert.ok(e instanceof ProvenantError && e.code === 'MERKLE_ROOT_MISMATCH');
      assert.deepEqual(e.details, { expected: wrong.toString('hex'), calculated: root(10n).toString('hex') });
      assert.equal(e.status, 422);
      assert.equal(e.exitCode, 1);
      return true;
    },
  );
  const cproof = rfcProof(ref.mth, 6n, 10n);
  assert.throws(
    () => verifyConsistency(6n, 10n, cproof, wrong, root(10n)),
    (e) => e instanceof ProvenantError && e.code === 'MERKLE_ROOT_MISMATCH' && e.details?.tree === 'first' && e.details.calculated === root(6n).toString('hex'),
  );
  assert.throws(
    () => verifyConsistency(6n, 10n, cproof, root(6n), wrong),
    (e) => e instanceof ProvenantError && e.code === 'MERKLE_ROOT_MISMATCH' && e.details?.tree === 'second' && e.details.expected === wrong.toString('hex'),
  );
});

test('inclusion preconditions are checked before any hashing: MERKLE_PROOF_INVALID', () => {
  const h = leaf(0n);
  const proof = rfcPath(ref.mth, 2n, 0n, 5n);
  const cases: [string, () => unknown][] = [
    ['index = size', () => verifyInclusion(h, 5n, 5n, proof, root(5n))],
    ['index > size', () => verifyInclusion(h, 2n ** 64n - 1n, 5n, proof, root(5n))],
    ['size 0', () => verifyInclusion(h, 0n, 0n, [], emptyRoot())],
    ['negative index', () => verifyInclusion(h, -1, 5, proof, root(5n))],
    ['fractional index', () => verifyInclusion(h, 1.5, 5, proof, root(5n))],
    ['unsafe number', () => verifyInclusion(h, 2, 2 ** 53, proof, root(5n))],
    ['NaN', () => verifyInclusion(h, Number.NaN, 5, proof, root(5n))],
    ['size over 2^64 - 1', () => verifyInclusion(h, 2n, MAX_U64 + 1n, proof, root(5n))],
    ['short leaf hash', () => verifyInclusion(h.subarray(1), 2n, 5n, proof, root(5n))],
    ['long root', () => verifyInclusion(h, 2n, 5n, proof, Buffer.concat([root(5n), Buffer.alloc(1)]))],
    ['empty root', () => verifyInclusion(h, 2n, 5n, proof, Buffer.alloc(0))],
    ['short proof hash', () => verifyInclusion(h, 2n, 5n, [proof[0]!, proof[1]!.subarray(0, 31), proof[2]!], root(5n))],
    ['proof not an array', () => verifyInclusion(h, 2n, 5n, null as unknown as Buffer[], root(5n))],
    ['proof of strings', () => verifyInclusion(h, 2n, 5n, ['a', 'b', 'c'] as unknown as Buffer[], root(5n))],
    ['huge proof', () => rootFromInclusionProof(h, 2n, 5n, new Array<Buffer>(1_000_000).fill(h))],
    ['single leaf with a proof', () => verifyInclusion(h, 0n, 1n, [h], h)],
  ];
  for (const [what, run] of cases) assert.throws(run, isCode('MERKLE_PROOF_INVALID'), what);
});

test('consistency preconditions and the equal-size and empty-tree edge cases', () => {
  const r = root(4n);
  const cases: [string, () => unknown][] = [
    ['size1 > size2', () => verifyConsistency(5n, 4n, [], r, r)],
    ['size1 = 0 < size2', () => verifyConsistency(0n, 4n, [], emptyRoot(), r)],
    ['size1 = size2 = 0', () => verifyConsistency(0n, 0n, [], emptyRoot(), emptyRoot())],
    ['equal sizes, non-empty proof', () => verifyConsistency(4n, 4n, [r], r, r)],
    ['missing proof', () => verifyConsistency(3n, 4n, [], root(3n), r)],
    ['root1 not 32 bytes', () => verifyConsistency(4n, 4n, [], r.subarray(0, 12), r.subarray(0, 12))],
    ['root2 not 32 bytes', () => verifyConsistency(3n, 4n, rfcProof(ref.mth, 3n, 4n), root(3n), Buffer.alloc(31))],
    ['size over 2^64 - 1', () => verifyConsistency(1n, MAX_U64 + 1n, [], r, r)],
    ['huge proof', () => verifyConsistency(3n, 4n, new Array<Buffer>(1_000_000).fill(r), root(3n), r)],
  ];
  for (const [what, run] of cases) assert.throws(run, isCode('MERKLE_PROOF_INVALID'), what);
  verifyConsistency(4n, 4n, [], r, Buffer.from(r));
  assert.deepEqual(rootFromConsistencyProof(4n, 4n, [], r), r);
  assert.throws(() => verifyConsistency(4n, 4n, [], r, root(3n)), isCode('MERKLE_ROOT_MISMATCH'));
  verifyConsistency(2n ** 64n - 1n, MAX_U64, [], r, r);
});
