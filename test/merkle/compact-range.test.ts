import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../src/core/errors.js';
import { CompactRange, MAX_U64, coverage, emptyRoot, frontierIds, leafHash, nodeKey, rootFromFrontier } from '../../src/merkle/index.js';
import { NodeStore } from './node-store.js';
import { ReferenceTree, distinctEntries } from './rfc6962-reference.js';

const MAX = 300;
const entries = distinctEntries(MAX);
const ref = new ReferenceTree(entries);
const isCode = (code: string) => (e: unknown) => e instanceof ProvenantError && e.code === code;
const popCount = (n: number): number => [...n.toString(2)].filter((b) => b === '1').length;

test(`appending reports exactly the complete subtrees each leaf finishes, and the root is MTH, up to ${MAX} leaves`, () => {
  const tree = CompactRange.empty();
  assert.deepEqual(tree.root(), emptyRoot());
  let stored = 0;
  entries.forEach((entry, i) => {
    const size = BigInt(i + 1);
    const done = tree.append(leafHash(entry));
    // The subtrees ending at leaf i: the leaf, plus one parent per trailing 1 bit of the old size i.
    assert.equal(done.length, 1 + (i.toString(2).match(/1*$/)?.[0].length ?? 0), `size ${size}`);
    done.forEach((node, level) => {
      assert.equal(node.id.level, level);
      assert.equal(coverage(node.id).end, size);
      const { begin } = coverage(node.id);
      assert.deepEqual(node.hash, ref.mth(begin, size - begin), nodeKey(node.id));
    });
    stored += done.length;
    assert.equal(stored, 2 * (i + 1) - popCount(i + 1));
    assert.equal(tree.size, size);
    assert.deepEqual(tree.root(), ref.mth(0n, size), `root of ${size}`);
  });
});

test('the root of every earlier size is rebuilt from stored complete subtrees alone', () => {
  const store = NodeStore.of(entries);
  for (let size = 0n; size <= BigInt(MAX); size++) {
    const ids = frontierIds(size);
    assert.ok(ids.length <= 9);
    assert.deepEqual(rootFromFrontier(size, store.read(ids, size)), ref.mth(0n, size), `size ${size}`);
  }
});

test('a builder resumed from a stored frontier continues exactly like the original', () => {
  const store = NodeStore.of(entries);
  for (const at of [0, 1, 5, 64, 127, 200]) {
    const size = BigInt(at);
    const resumed = CompactRange.fromFrontier(size, store.read(frontierIds(size), size));
    assert.deepEqual(resumed.root(), ref.mth(0n, size));
    const original = CompactRange.empty();
    for (const e of entries.slice(0, at)) original.append(leafHash(e));
    assert.deepEqual(
      resumed.frontier().map((n) => [nodeKey(n.id), n.hash]),
      original.frontier().map((n) => [nodeKey(n.id), n.hash]),
    );
    for (const e of entries.slice(at)) assert.deepEqual(resumed.append(leafHash(e)), original.append(leafHash(e)));
    assert.deepEqual(resumed.root(), ref.mth(0n, BigInt(MAX)));
  }
});

test('hashes handed out are copies: changing them does not change the tree', () => {
  const tree = CompactRange.empty();
  const leaf = leafHash(entries[0]!);
  const [done] = tree.append(leaf);
  leaf.fill(0);
  done!.hash.fill(0);
  tree.root().fill(0);
  tree.frontier()[0]!.hash.fill(0);
  assert.deepEqual(tree.root(), ref.mth(0n, 1n));
});

test('the builder and rootFromFrontier refuse store data of the wrong shape (INTERNAL)', () => {
  const h = leafHash(entries[0]!);
  assert.throws(() => CompactRange.empty().append(h.subarray(1)), isCode('INTERNAL'));
  assert.throws(() => CompactRange.empty().append(new Uint8Array(0)), isCode('INTERNAL'));
  assert.throws(() => CompactRange.fromFrontier(3n, [h]), isCode('INTERNAL'));
  assert.throws(() => CompactRange.fromFrontier(3n, [h, h.subarray(0, 16)]), isCode('INTERNAL'));
  assert.throws(() => CompactRange.fromFrontier(-1, []), isCode('INTERNAL'));
  assert.throws(() => rootFromFrontier(4n, [h, h]), isCode('INTERNAL'));
  assert.throws(() => rootFromFrontier(0n, [h]), isCode('INTERNAL'));
  assert.deepEqual(rootFromFrontier(0n, []), emptyRoot());
});

test('a tree grows to 2^64 - 1 leaves and no further', () => {
  const h = leafHash(entries[0]!);
  const almost = CompactRange.fromFrontier(MAX_U64 - 1n, new Array<Buffer>(63).fill(h));
  const done = almost.append(h);
  assert.equal(done.length, 1);
  assert.deepEqual(done[0]!.id, { level: 0, index: MAX_U64 - 1n });
  assert.equal(almost.size, MAX_U64);
  assert.equal(almost.frontier().length, 64);
  assert.throws(() => almost.append(h), isCode('INPUT_TOO_LARGE'));
  assert.equal(almost.size, MAX_U64);
});
