import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareUtf8, isNormalizedPath, normalizeLayerPath } from '../../src/analyze/paths.js';
import { classifyWhiteout } from '../../src/analyze/whiteouts.js';
import { DEFAULT_LAYER_LIMITS, layerLimits } from '../../src/analyze/layer-limits.js';
import { isCode } from './layer-fixtures.js';

test('layer paths normalise to one form', () => {
  const cases: [string, string][] = [
    ['./', ''],
    ['/', ''],
    ['.', ''],
    ['./etc/passwd', 'etc/passwd'],
    ['/etc//passwd', 'etc/passwd'],
    ['etc/./x/', 'etc/x'],
    ['..foo/bar..', '..foo/bar..'],
    ['über/ñ', 'über/ñ'],
  ];
  for (const [raw, normal] of cases) {
    assert.equal(normalizeLayerPath(raw, DEFAULT_LAYER_LIMITS), normal, raw);
    if (normal !== '') assert.equal(isNormalizedPath(normal), true);
  }
  for (const raw of ['..', '../x', 'a/..', 'a\0b']) assert.throws(() => normalizeLayerPath(raw, DEFAULT_LAYER_LIMITS), isCode('ARCHIVE_PATH_UNSAFE'), raw);
  const limits = layerLimits({ maxPathBytes: 8, maxNameBytes: 4, maxDepth: 2 });
  assert.throws(() => normalizeLayerPath('ab/cdefg', limits), isCode('LAYER_PATH_TOO_LONG'));
  assert.throws(() => normalizeLayerPath('ñññ', limits), isCode('LAYER_PATH_TOO_LONG'));
  assert.throws(() => normalizeLayerPath('a/b/c', limits), isCode('LAYER_PATH_TOO_DEEP'));
  assert.throws(() => normalizeLayerPath('abcd/abcd/', limits), isCode('LAYER_PATH_TOO_LONG'));
  assert.equal(normalizeLayerPath('./abcd/abc/', limits), 'abcd/abc');
  for (const bad of ['', '/a', 'a/', 'a//b', './a', 'a/../b']) assert.equal(isNormalizedPath(bad), false, bad);
});

test('compareUtf8 orders like Buffer.compare of the UTF-8 bytes', () => {
  const pool = ['', 'a', 'A', 'ab', 'a/b', 'a-b', 'é', '\u07FF', '\u0800', '\uD7FF', '\uE000', '\uFF21', '\uFFFF', '\u{10000}', '\u{1F600}', '\u{10FFFF}'];
  const words: string[] = [];
  for (const x of pool) for (const y of pool) words.push(x + y);
  const byBytes = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  assert.deepEqual([...words].sort(compareUtf8), byBytes);
  assert.notDeepEqual([...words].sort(), byBytes);
});

test('whiteout names', () => {
  assert.equal(classifyWhiteout('etc/passwd'), undefined);
  assert.equal(classifyWhiteout('etc/x.wh.y'), undefined);
  assert.deepEqual(classifyWhiteout('etc/.wh.passwd'), { kind: 'whiteout', path: 'etc/.wh.passwd', target: 'etc/passwd' });
  assert.deepEqual(classifyWhiteout('.wh.etc'), { kind: 'whiteout', path: '.wh.etc', target: 'etc' });
  assert.deepEqual(classifyWhiteout('a/b/.wh..wh..opq'), { kind: 'opaque', path: 'a/b/.wh..wh..opq', dir: 'a/b' });
  assert.deepEqual(classifyWhiteout('.wh..wh..opq'), { kind: 'opaque', path: '.wh..wh..opq', dir: '' });
  assert.throws(() => classifyWhiteout('a/.wh.b/c'), isCode('ARCHIVE_MALFORMED'));
  assert.throws(() => classifyWhiteout('a/.wh.'), isCode('ARCHIVE_MALFORMED'));
  assert.throws(() => classifyWhiteout('.wh..'), isCode('ARCHIVE_PATH_UNSAFE'));
  assert.throws(() => classifyWhiteout('.wh..wh.plnk'), isCode('UNSUPPORTED'));
  assert.throws(() => classifyWhiteout('.wh..wh.orph/x'), isCode('UNSUPPORTED'));
});
