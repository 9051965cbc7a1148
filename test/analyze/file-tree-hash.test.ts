import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  encodeTreeLeaf,
  fileTreeHash,
  layerFileTreeHash,
  layerTreeLeaves,
  type TreeLeaf,
} from '../../src/analyze/file-tree-hash.js';
import type { LayerEntry } from '../../src/analyze/layer-entry.js';
import { packTar, walkBytes, type PackEntry, isCode } from './layer-fixtures.js';

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const EMPTY = sha('');

/** RFC 6962 §2.1 written out directly: the reference the implementation must agree with. */
function referenceRoot(leaves: TreeLeaf[]): string {
  const encoded = [...leaves]
    .sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)))
    .map((l) => Buffer.from(JSON.stringify([l.path, l.type, l.mode, l.size, l.sha256]), 'utf8'));
  const mth = (items: Buffer[]): Buffer => {
    if (items.length === 0) return createHash('sha256').digest();
    if (items.length === 1) return createHash('sha256').update(Buffer.from([0])).update(items[0]!).digest();
    let k = 1;
    while (k * 2 < items.length) k *= 2;
    return createHash('sha256').update(Buffer.from([1])).update(mth(items.slice(0, k))).update(mth(items.slice(k))).digest();
  };
  return `sha256:${mth(encoded).toString('hex')}`;
}

const fileEntry = (path: string, content: string, mode = 0o644): LayerEntry => ({ path, type: 'file', mode, size: Buffer.byteLength(content), sha256: sha(content) });

function sampleEntries(n: number): LayerEntry[] {
  const out: LayerEntry[] = [{ path: 'd', type: 'dir', mode: 0o755, size: 0, sha256: EMPTY }];
  for (let i = 0; i < n; i++) out.push(fileEntry(`d/f${String(i).padStart(3, '0')}`, `content ${i}`, 0o600 + (i % 3)));
  return out;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('the root equals a direct RFC 6962 computation over the documented leaf encoding, for 0 to 20 leaves', () => {
  for (let n = 0; n <= 19; n++) {
    const leaves = layerTreeLeaves(sampleEntries(n));
    assert.equal(fileTreeHash(leaves), referenceRoot(leaves), `${n + 1} leaves`);
  }
  assert.equal(fileTreeHash([]), `sha256:${EMPTY}`);
});

test('leaves sort by UTF-8 bytes, not UTF-16 units', () => {
  const names = ['\uFF21', '\u{1F600}', 'é', 'z', 'Z', 'a/b', 'a-b', '\uE000x'];
  const leaves = layerTreeLeaves(names.map((n) => fileEntry(n, n)));
  assert.equal(fileTreeHash(leaves), referenceRoot(leaves));
  assert.equal(encodeTreeLeaf(leaves.find((l) => l.path === 'é')!).toString('utf8'), `["é","file",420,2,"${sha('é')}"]`);
});

test('the hash does not depend on entry order and changes with path, type, mode, size or content', () => {
  const entries = sampleEntries(12);
  const root = layerFileTreeHash(entries);
  for (let seed = 1; seed < 6; seed++) assert.equal(layerFileTreeHash(shuffled(entries, seed)), root);
  const changed = (i: number, change: Partial<LayerEntry>) => layerFileTreeHash(entries.map((e, j) => (j === i ? { ...e, ...change } : e)));
  const variants = [
    changed(3, { mode: entries[3]!.mode ^ 0o001 }),
    changed(3, { size: entries[3]!.size + 1 }),
    changed(3, { sha256: sha('other content') }),
    changed(3, { path: 'd/renamed' }),
    changed(3, { type: 'other' }),
    changed(0, { mode: 0o700 }),
    layerFileTreeHash([...entries, { path: 'd/.wh.gone', type: 'file', mode: 0o644, size: 0, sha256: EMPTY }]),
  ];
  for (const [i, variant] of variants.entries()) assert.notEqual(variant, root, `variant ${i}`);
  assert.equal(new Set(variants).size, variants.length);
});

test('mode bits beyond 0o7777 are dropped; symlinks are 0o777 whatever the header says', () => {
  const plain = layerFileTreeHash([fileEntry('f', 'x', 0o644)]);
  assert.equal(layerFileTreeHash([fileEntry('f', 'x', 0o100644)]), plain);
  const symlink = (mode: number): LayerEntry => ({ path: 's', type: 'symlink', mode, size: 0, sha256: sha('/t'), linkTarget: '/t' });
  assert.equal(layerFileTreeHash([symlink(0o644)]), layerFileTreeHash([symlink(0o777)]));
  assert.deepEqual(layerTreeLeaves([symlink(0o644)]), [{ path: 's', type: 'symlink', mode: 0o777, size: 0, sha256: sha('/t') }]);
});

test('hard links become leaves like their targets; whiteouts, opaque markers and implied parents have fixed leaves', () => {
  const entries: LayerEntry[] = [
    fileEntry('usr/bin/perl5.36', 'perl', 0o755),
    { path: 'usr/bin/perl', type: 'hardlink', mode: 0o644, size: 0, sha256: sha('usr/bin/perl5.36'), linkTarget: 'usr/bin/perl5.36' },
    { path: 'usr/bin/p2', type: 'hardlink', mode: 0o644, size: 0, sha256: sha('usr/bin/perl'), linkTarget: 'usr/bin/perl' },
    { path: 'etc/.wh.motd', type: 'file', mode: 0o644, size: 3, sha256: sha('abc') },
    { path: 'opt/.wh..wh..opq', type: 'file', mode: 0o600, size: 0, sha256: EMPTY },
  ];
  const leaves = layerTreeLeaves(entries).sort((a, b) => (a.path < b.path ? -1 : 1));
  const perl = { type: 'file', mode: 0o755, size: 4, sha256: sha('perl') };
  assert.deepEqual(leaves, [
    { path: 'etc', type: 'dir', mode: 0o755, size: 0, sha256: EMPTY },
    { path: 'etc/.wh.motd', type: 'whiteout', mode: 0, size: 0, sha256: EMPTY },
    { path: 'opt', type: 'dir', mode: 0o755, size: 0, sha256: EMPTY },
    { path: 'opt/.wh..wh..opq', type: 'opaque', mode: 0, size: 0, sha256: EMPTY },
    { path: 'usr', type: 'dir', mode: 0o755, size: 0, sha256: EMPTY },
    { path: 'usr/bin', type: 'dir', mode: 0o755, size: 0, sha256: EMPTY },
    { path: 'usr/bin/p2', ...perl },
    { path: 'usr/bin/perl', ...perl },
    { path: 'usr/bin/perl5.36', ...perl },
  ]);
  assert.equal(fileTreeHash(leaves), referenceRoot(leaves));
});

test('bad hard links, repeated paths and paths under files are ARCHIVE_MALFORMED', () => {
  const hardlink = (path: string, target: string): LayerEntry => ({ path, type: 'hardlink', mode: 0, size: 0, sha256: sha(target), linkTarget: target });
  const dir: LayerEntry = { path: 'd', type: 'dir', mode: 0o755, size: 0, sha256: EMPTY };
  for (const entries of [
    [hardlink('a', 'missing')],
    [hardlink('a', 'b'), hardlink('b', 'a')],
    [dir, hardlink('a', 'd')],
    [fileEntry('f', 'x'), fileEntry('f', 'y')],
    [fileEntry('f', 'x'), fileEntry('f/g', 'y')],
    [fileEntry('d', 'x'), dir],
  ]) {
    assert.throws(() => layerTreeLeaves(entries), isCode('ARCHIVE_MALFORMED'));
  }
  const twice = layerTreeLeaves([dir, { ...dir, mode: 0o700 }]);
  assert.deepEqual(twice, [{ path: 'd', type: 'dir', mode: 0o700, size: 0, sha256: EMPTY }]);
});

test('leaves not in canonical form are refused', () => {
  const good: TreeLeaf = { path: 'a', type: 'file', mode: 0o644, size: 1, sha256: sha('x') };
  assert.throws(() => fileTreeHash([good, { ...good }]), isCode('ARCHIVE_MALFORMED'));
  for (const path of ['/a', 'a/', 'a/../b', '', 'a\0b']) assert.throws(() => fileTreeHash([{ ...good, path }]), isCode('ARCHIVE_PATH_UNSAFE'), path);
  for (const bad of [
    { mode: 0o10000 },
    { mode: -1 },
    { size: 1.5 },
    { sha256: 'ABC' },
    { type: 'dir' as const },
    { type: 'symlink' as const },
    { type: 'whiteout' as const },
    { path: '.wh.a' },
    { type: 'nonsense' as unknown as 'file' },
  ]) {
    assert.throws(() => fileTreeHash([{ ...good, ...bad }]), isCode('INTERNAL'), JSON.stringify(bad));
  }
});

test('two tars of the same files written differently share the hash, not the diff ID', async () => {
  const a: PackEntry[] = [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/hosts', data: '127.0.0.1 localhost\n' },
    { name: 'bin/sh', type: 'symlink', linkname: 'dash' },
    { name: 'bin/dash', data: 'ELF', mode: 0o755 },
    { name: 'etc/.wh.old', data: '' },
  ];
  const b: PackEntry[] = [...a].reverse().map((e) => ({ ...e, name: `./${e.name}`, mtime: new Date(1e12), uid: 1000 }));
  b.unshift({ name: './bin/', type: 'directory' });
  const walkA = await walkBytes(await packTar([{ name: 'bin/', type: 'directory' }, ...a]));
  const walkB = await walkBytes(await packTar(b), { gzip: true });
  assert.notEqual(walkA.summary.diffId, walkB.summary.diffId);
  assert.equal(layerFileTreeHash(walkA.entries), layerFileTreeHash(walkB.entries));
});

test('known answer: the example in docs/file-tree-hash.md', () => {
  const leaves = layerTreeLeaves([
    { path: 'etc', type: 'dir', mode: 0o755, size: 0, sha256: EMPTY },
    fileEntry('etc/hostname', 'box\n', 0o644),
    { path: 'bin/sh', type: 'symlink', mode: 0o777, size: 0, sha256: sha('dash'), linkTarget: 'dash' },
    { path: 'etc/.wh.motd', type: 'file', mode: 0o644, size: 0, sha256: EMPTY },
  ]);
  assert.equal(encodeTreeLeaf(leaves.find((l) => l.path === 'etc/hostname')!).toString(), `["etc/hostname","file",420,4,"${sha('box\n')}"]`);
  assert.equal(fileTreeHash(leaves), KNOWN_ROOT);
  assert.equal(referenceRoot(leaves), KNOWN_ROOT);
});

const KNOWN_ROOT = 'sha256:ce4fe436b569697b3f3955db5669d97b8fb0932ac0e02df0d1ba302490d4804c';
