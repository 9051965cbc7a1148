import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LruMap } from '../../src/core/lru-map.js';
import { ascending, sortedEntries } from '../../src/core/order.js';

test('LruMap drops the least recently used beyond its bound, and says how many it dropped', () => {
  const m = new LruMap<string, number>(2);
  assert.equal(m.set('a', 1), 0);
  assert.equal(m.set('b', 2), 0);
  assert.equal(m.get('a'), 1, 'a is now the most recently used');
  assert.equal(m.set('c', 3), 1);
  assert.equal(m.get('b'), undefined, 'b was dropped');
  assert.deepEqual([m.get('a'), m.get('c'), m.size], [1, 3, 2]);
  assert.equal(m.set('a', 9), 0, 'replacing a key drops nothing');
  assert.equal(m.delete('a'), true);
  assert.deepEqual([m.get('a'), m.size], [undefined, 1]);
  m.clear();
  assert.equal(m.size, 0);
});

test('ascending orders by code units (not locale) and numbers by value; sortedEntries sorts by key', () => {
  assert.deepEqual(['b', 'B', 'a', '\u00e9', 'Z'].sort(ascending), ['B', 'Z', 'a', 'b', '\u00e9']);
  assert.deepEqual([10n, 2n, -1n].sort(ascending), [-1n, 2n, 10n]);
  assert.deepEqual(sortedEntries({ b: 1, a: 2, A: 3 }), [['A', 3], ['a', 2], ['b', 1]]);
});
