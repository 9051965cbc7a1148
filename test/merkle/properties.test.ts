// Seeded random property tests beyond the exhaustive small sizes: a stored tree of a few thousand distinct leaves,
// and "uniform" trees (every leaf the same) whose hashes are cheap at any size up to 2^64 - 1, which exercises
// the bigint arithmetic far past 2^53. Seeds are fixed so that every run checks the same cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../src/core/errors.js';
import {
  MAX_U64,
  planConsistency,
  planInclusion,
  rehash,
  verifyConsistency,
  verifyInclusion,
  leafHash,
  type NodeId,
  type ProofPlan,
} from '../../src/merkle/index.js';
import { NodeStore, hex } from './node-store.js';
import { ReferenceTree, SeededRandom, UniformReferenceTree, distinctEntries, rfcPath, rfcProof } from './rfc6962-reference.js';

const isCode = (code: string) => (e: unknown) => e instanceof ProvenantError && e.code === code;
const rejected = (e: unknown): boolean =>
  e instanceof ProvenantError && (e.code === 'MERKLE_ROOT_MISMATCH' || e.code === 'MERKLE_PROOF_INVALID');
const bitLength = (x: bigint): number => x.toString(2).length;

function flipRandomBit(rng: SeededRandom, proof: readonly Uint8Array[]): Uint8Array[] {
  const at = rng.int(proof.length);
  return proof.map((h, i) => {
    if (i !== at) return h;
    const copy = Buffer.from(h);
    const bit = rng.int(256);
    copy[bit >> 3]! ^= 1 << (bit & 7);
    return copy;
  });
}

/** Random sizes in [1, max], with extra weight on the borders around powers of two. */
function randomSize(rng: SeededRandom, max: bigint): bigint {
  if (rng.int(3) > 0) return rng.below(max) + 1n;
  const power = 1n << BigInt(rng.int(bitLength(max)));
  const size = power + BigInt(rng.int(3)) - 1n;
  return size < 1n ? 1n : size > max ? max : size;
}

const LEAVES = 5000;
const entries = distinctEntries(LEAVES);
const ref = new ReferenceTree(entries);
const store = NodeStore.of(entries);

test(`random inclusion proofs in a stored tree of ${LEAVES} leaves match the RFC and verify only as given`, () => {
  const rng = new SeededRandom(20240611n);
  for (let round = 0; round < 400; round++) {
    const size = randomSize(rng, BigInt(LEAVES));
    const index = rng.below(size);
    const what = `${index}/${size}`;
    const before = store.reads;
    const proof = store.inclusionProof(index, size);
    assert.ok(store.reads - before <= 2 * bitLength(size), `${what} read ${store.reads - before} nodes`);
    assert.deepEqual(hex(proof), hex(rfcPath(ref.mth, index, 0n, size)), what);
    const root = ref.mth(0n, size);
    const leaf = leafHash(entries[Number(index)]!);
    verifyInclusion(leaf, index, size, proof, root);
    if (proof.length > 0) assert.throws(() => verifyInclusion(leaf, index, size, flipRandomBit(rng, proof), root), isCode('MERKLE_ROOT_MISMATCH'), what);
    const other = rng.below(size);
    if (other !== index) assert.throws(() => verifyInclusion(leaf, other, size, proof, root), rejected, `${what} as ${other}`);
  }
});

test(`random consistency proofs in a stored tree of ${LEAVES} leaves match the RFC and verify only as given`, () => {
  const rng = new SeededRandom(6962n);
  for (let round = 0; round < 400; round++) {
    const size2 = randomSize(rng, BigInt(LEAVES));
    const size1 = randomSize(rng, size2);
    const what = `${size1}..${size2}`;
    const proof = store.consistencyProof(size1, size2);
    assert.deepEqual(hex(proof), hex(rfcProof(ref.mth, size1, size2)), what);
    const [root1, root2] = [ref.mth(0n, size1), ref.mth(0n, size2)];
    verifyConsistency(size1, size2, proof, root1, root2);
    if (proof.length > 0) {
      assert.throws(() => verifyConsistency(size1, size2, flipRandomBit(rng, proof), root1, root2), isCode('MERKLE_ROOT_MISMATCH'), what);
    }
    const other = randomSize(rng, size2);
    if (other !== size1) assert.throws(() => verifyConsistency(other, size2, proof, root1, root2), rejected, `${what} from ${other}`);
  }
});

/** Plans a proof and reads it from a uniform tree, where a complete subtree's hash depends on its level only. */
function uniformProof(uniform: UniformReferenceTree, plan: ProofPlan, size: bigint): Uint8Array[] {
  assert.ok(plan.ids.length <= 2 * bitLength(size) + 1, `${plan.ids.length} reads for size ${size}`);
  const read = (id: NodeId): Buffer => uniform.mth(0n, 1n << BigInt(id.level));
  return rehash(plan, plan.ids.map(read));
}

test('random proofs in uniform trees of up to 2^64 - 1 leaves match the RFC and verify', () => {
  const rng = new SeededRandom(0xfeedn);
  const uniform = new UniformReferenceTree(Buffer.from('uniform leaf'));
  const leaf = uniform.mth(0n, 1n);
  const sizes = [MAX_U64, MAX_U64 - 1n, 1n << 63n, (1n << 63n) - 1n, (1n << 53n) + 1n, 2n ** 53n - 1n];
  for (let i = 0; i < 150; i++) sizes.push(randomSize(rng, MAX_U64));
  for (const size of sizes) {
    const index = rng.below(size);
    const what = `${index}/${size}`;
    const proof = uniformProof(uniform, planInclusion(index, size), size);
    assert.deepEqual(hex(proof), hex(rfcPath(uniform.mth, index, 0n, size)), what);
    verifyInclusion(leaf, index, size, proof, uniform.mth(0n, size));
    if (proof.length > 0) {
      assert.throws(() => verifyInclusion(leaf, index, size, flipRandomBit(rng, proof), uniform.mth(0n, size)), isCode('MERKLE_ROOT_MISMATCH'), what);
    }

    const size1 = randomSize(rng, size);
    const cwhat = `${size1}..${size}`;
    const cproof = uniformProof(uniform, planConsistency(size1, size), size);
    assert.deepEqual(hex(cproof), hex(rfcProof(uniform.mth, size1, size)), cwhat);
    verifyConsistency(size1, size, cproof, uniform.mth(0n, size1), uniform.mth(0n, size));
    if (cproof.length > 0) {
      const broken = flipRandomBit(rng, cproof);
      assert.throws(() => verifyConsistency(size1, size, broken, uniform.mth(0n, size1), uniform.mth(0n, size)), isCode('MERKLE_ROOT_MISMATCH'), cwhat);
    }
  }
});
