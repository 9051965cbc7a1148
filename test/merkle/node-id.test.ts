import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../src/core/errors.js';
import { MAX_U64, coverage, frontierIds, nodeId, nodeKey, parent, rangeNodes, sameNode, sibling } from '../../src/merkle/index.js';

const isCode = (code: string) => (e: unknown) => e instanceof ProvenantError && e.code === code;

test('parent, sibling and coverage address the perfect subtrees', () => {
  const n = nodeId(2, 5n);
  assert.deepEqual(coverage(n), { begin: 20n, end: 24n });
  assert.deepEqual(parent(n), { level: 3, index: 2n });
  assert.deepEqual(sibling(n), { level: 2, index: 4n });
  assert.deepEqual(sibling(sibling(n)), n);
  assert.deepEqual(coverage(parent(n)), { begin: 16n, end: 24n });
  assert.equal(nodeKey(n), '2/5');
  assert.ok(sameNode(n, { level: 2, index: 5n }));
  assert.ok(!sameNode(n, { level: 5, index: 2n }));
  assert.deepEqual(coverage(nodeId(63, 1n)), { begin: 1n << 63n, end: 1n << 64n });
});

test('nodeId refuses nodes outside a uint64-sized tree', () => {
  for (const [level, index] of [
    [-1, 0n],
    [65, 0n],
    [1.5, 0n],
    [0, -1n],
    [0, MAX_U64 + 1n],
    [64, 1n],
    [63, 2n],
  ] as const) {
    assert.throws(() => nodeId(level, index), isCode('INTERNAL'), `${level}/${index}`);
  }
  assert.deepEqual(nodeId(64, 0n), { level: 64, index: 0n });
  assert.deepEqual(nodeId(0, MAX_U64), { level: 0, index: MAX_U64 });
});

test('rangeNodes covers [begin, end) exactly with the fewest aligned complete subtrees, left to right', () => {
  for (let begin = 0n; begin <= 70n; begin++) {
    for (let end = begin; end <= 70n; end++) {
      const nodes = rangeNodes(begin, end);
      let pos = begin;
      for (const id of nodes) {
        const c = coverage(id);
        assert.equal(c.begin, pos, `[${begin}, ${end})`);
        pos = c.end;
      }
      assert.equal(pos, end);
      // Fewest: no two neighbours could merge into their common parent.
      for (let i = 1; i < nodes.length; i++) {
        const [a, b] = [nodes[i - 1]!, nodes[i]!];
        assert.ok(!(a.level === b.level && sameNode(parent(a), parent(b))), `[${begin}, ${end}) not minimal`);
      }
    }
  }
});

test('the frontier of a tree of size n has one node per set bit of n, by decreasing level', () => {
  for (const size of [0n, 1n, 6n, 7n, 8n, 1000n, (1n << 53n) + 1n, MAX_U64]) {
    const ids = frontierIds(size);
    assert.deepEqual(
      ids.map((id) => id.level),
      [...size.toString(2)].map((bit, i, all) => (bit === '1' ? all.length - 1 - i : -1)).filter((l) => l >= 0),
    );
  }
  assert.equal(frontierIds(MAX_U64).length, 64);
});

test('rangeNodes and frontierIds refuse impossible ranges', () => {
  assert.throws(() => rangeNodes(5n, 4n), isCode('INTERNAL'));
  assert.throws(() => rangeNodes(-1n, 4n), isCode('INTERNAL'));
  assert.throws(() => rangeNodes(0n, MAX_U64 + 1n), isCode('INTERNAL'));
  assert.throws(() => frontierIds(-1), isCode('USAGE'));
  assert.throws(() => frontierIds(2 ** 53), isCode('USAGE'));
});
