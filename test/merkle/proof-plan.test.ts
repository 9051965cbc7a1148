import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../src/core/errors.js';
import { MAX_U64, coverage, planConsistency, planInclusion, rangeNodes, rehash, sibling, type ProofPlan } from '../../src/merkle/index.js';
import { NodeStore, hex } from './node-store.js';
import { ReferenceTree, SeededRandom, distinctEntries, rfcPath, rfcProof } from './rfc6962-reference.js';

const MAX = 70;
const isCode = (code: string) => (e: unknown) => e instanceof ProvenantError && e.code === code;
const bitLength = (x: bigint): number => x.toString(2).length;
const entries = distinctEntries(MAX);
const ref = new ReferenceTree(entries);
const store = NodeStore.of(entries);

/** The ephemeral node, when there is one, is the incomplete subtree at the border and its parts cover it up to size. */
function assertEphemeral(plan: ProofPlan, size: bigint, what: string): void {
  const eph = plan.ephemeral;
  if (eph === undefined) return;
  const { begin, end } = coverage(eph.id);
  assert.ok(begin < size && size < end, `${what}: ephemeral node is not on the border`);
  assert.ok(eph.end - eph.begin >= 2, what);
  const parts = plan.ids.slice(eph.begin, eph.end);
  assert.deepEqual([...parts].reverse(), rangeNodes(begin, size), what);
}

test(`inclusion plans give RFC 6962 PATH for every (index, size) up to ${MAX}, reading only stored complete subtrees`, () => {
  for (let size = 1n; size <= BigInt(MAX); size++) {
    for (let index = 0n; index < size; index++) {
      const what = `PATH(${index}, D[${size}])`;
      const plan = planInclusion(index, size);
      assert.ok(plan.ids.length <= 2 * bitLength(size), `${what} reads ${plan.ids.length} nodes`);
      assertEphemeral(plan, size, what);
      assert.deepEqual(hex(store.inclusionProof(index, size)), hex(rfcPath(ref.mth, index, 0n, size)), what);
    }
  }
});

test(`consistency plans give RFC 6962 PROOF for every 0 < size1 <= size2 <= ${MAX}`, () => {
  for (let size2 = 1n; size2 <= BigInt(MAX); size2++) {
    for (let size1 = 1n; size1 <= size2; size1++) {
      const what = `PROOF(${size1}, D[${size2}])`;
      const plan = planConsistency(size1, size2);
      assert.ok(plan.ids.length <= 2 * bitLength(size2) + 1, `${what} reads ${plan.ids.length} nodes`);
      assertEphemeral(plan, size2, what);
      assert.deepEqual(hex(store.consistencyProof(size1, size2)), hex(rfcProof(ref.mth, size1, size2)), what);
    }
  }
});

test('an ephemeral node rehashes to the MTH of the leaves it stands for', () => {
  // PATH(0, D[7]) ends with MTH(D[4:7]), which no store holds: leaves 4..5 and leaf 6 are combined.
  const plan = planInclusion(0n, 7n);
  assert.deepEqual(plan.ephemeral?.id, sibling({ level: 2, index: 0n }));
  const proof = rehash(plan, store.read(plan.ids, 7n));
  assert.equal(proof.length, plan.ids.length - 1);
  assert.deepEqual(proof[2], ref.mth(4n, 3n));
  // In a perfect tree nothing is ephemeral.
  assert.equal(planInclusion(5n, 64n).ephemeral, undefined);
});

test('plans stay O(log n) at every scale, up to 2^64 - 1 leaves', () => {
  const rng = new SeededRandom(0x6962n);
  const sizes = [MAX_U64, MAX_U64 - 1n, 1n << 63n, (1n << 63n) + 1n, (1n << 53n) + 1n];
  for (let i = 0; i < 200; i++) sizes.push(rng.below(MAX_U64) + 1n);
  for (const size of sizes) {
    for (const index of [0n, size - 1n, size / 2n, rng.below(size)]) {
      const plan = planInclusion(index, size);
      assert.ok(plan.ids.length <= 2 * bitLength(size), `${index}/${size}`);
      for (const id of plan.ids) assert.ok(coverage(id).end <= size, `${index}/${size}: node beyond the tree`);
      assertEphemeral(plan, size, `${index}/${size}`);
    }
    const size1 = rng.below(size) + 1n;
    const plan = planConsistency(size1, size);
    assert.ok(plan.ids.length <= 2 * bitLength(size) + 1, `${size1}..${size}`);
    for (const id of plan.ids) assert.ok(coverage(id).end <= size, `${size1}..${size}: node beyond the tree`);
  }
});

test('planning refuses requests no proof exists for (USAGE)', () => {
  for (const [index, size] of [
    [0n, 0n],
    [5n, 5n],
    [6, 5],
    [-1, 5],
    [0, 0.5],
    [0n, MAX_U64 + 1n],
  ] as const) {
    assert.throws(() => planInclusion(index, size), isCode('USAGE'), `${index}/${size}`);
  }
  for (const [size1, size2] of [
    [0n, 0n],
    [0n, 4n],
    [5n, 4n],
    [1n, MAX_U64 + 1n],
  ] as const) {
    assert.throws(() => planConsistency(size1, size2), isCode('USAGE'), `${size1}..${size2}`);
  }
  assert.deepEqual(planConsistency(9n, 9n), { ids: [], ephemeral: undefined });
  assert.deepEqual(planInclusion(0, 1), { ids: [], ephemeral: undefined });
});

test('rehash refuses a wrong number of hashes or a hash that is not 32 bytes (INTERNAL)', () => {
  const plan = planInclusion(0n, 7n);
  const hashes = store.read(plan.ids, 7n);
  assert.throws(() => rehash(plan, hashes.slice(1)), isCode('INTERNAL'));
  assert.throws(() => rehash(plan, [...hashes, hashes[0]!]), isCode('INTERNAL'));
  const short = hashes.map((h, i) => (i === 1 ? h.subarray(0, 31) : h));
  assert.throws(() => rehash(plan, short), isCode('INTERNAL'));
});
