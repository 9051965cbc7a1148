import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readLayer } from '../../src/analyze/layer-walk.js';
import { END, PLAIN, codeOf, metaEntry, outcome, pad, packTar, paxData, rawHeader, walkBytes, isCode } from './layer-fixtures.js';

const file = (name: string, data: string | Buffer = 'x') => ({ name, data });

test('paths that climb out of the root are refused; absolute paths are normalised', async () => {
  for (const name of ['../etc/passwd', 'a/../../x', 'a/b/../c', './..', 'ok/..']) {
    assert.equal(await codeOf(Buffer.concat([rawHeader(name), END])), 'ARCHIVE_PATH_UNSAFE', name);
  }
  const entries = await outcome(await packTar([file('/etc/shadow'), file('//usr///bin/./x')]));
  assert.deepEqual(typeof entries === 'string' ? entries : entries.map((e) => e.path), ['etc/shadow', 'usr/bin/x']);
});

test('a NUL in a pax path or link path is refused', async () => {
  for (const key of ['path', 'linkpath']) {
    const bytes = Buffer.concat([metaEntry('x', paxData({ [key]: 'etc/passwd\0.txt' })), rawHeader('x', { flag: '2', link: 'y' }), END]);
    assert.equal(await codeOf(bytes), 'ARCHIVE_PATH_UNSAFE', key);
  }
});

test('a hard link must name an earlier, non-directory entry of the same layer', async () => {
  const cases: [string, Parameters<typeof packTar>[0]][] = [
    ['missing', [{ name: 'b', type: 'link', linkname: 'nowhere' }]],
    ['later', [{ name: 'b', type: 'link', linkname: 'a' }, file('a')]],
    ['directory', [{ name: 'd', type: 'directory' }, { name: 'b', type: 'link', linkname: 'd' }]],
    ['whiteout', [file('.wh.gone', ''), { name: 'b', type: 'link', linkname: '.wh.gone' }]],
    ['itself', [{ name: 'b', type: 'link', linkname: 'b' }]],
    ['root', [{ name: 'b', type: 'link', linkname: './' }]],
  ];
  for (const [what, entries] of cases) assert.equal(await codeOf(await packTar(entries)), 'ARCHIVE_MALFORMED', what);
  assert.equal(await codeOf(await packTar([{ name: 'b', type: 'link', linkname: '../a' }])), 'ARCHIVE_PATH_UNSAFE');
  assert.equal(await codeOf(await packTar([file('a'), { name: 'b', type: 'link', linkname: '/a' }])), 'ok');
});

test('writing through a symlink of the same layer is refused; so are entries under files and repeated paths', async () => {
  assert.equal(await codeOf(await packTar([{ name: 'lib', type: 'symlink', linkname: '/etc' }, file('lib/passwd')])), 'ARCHIVE_PATH_UNSAFE');
  assert.equal(await codeOf(await packTar([file('a'), file('a/b')])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(await packTar([file('a/b'), file('a')])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(await packTar([file('a'), file('./a')])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([rawHeader('f/'), END])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([rawHeader('./', { flag: '0' }), END])), 'ARCHIVE_MALFORMED');
  const dirs = await packTar([{ name: 'd', type: 'directory', mode: 0o700 }, { name: 'd/', type: 'directory', mode: 0o755 }]);
  assert.equal(await codeOf(dirs), 'ok');
});

test('a header-only entry cannot hide headers in its "data": they are read as entries, as Go reads them', async () => {
  const bytes = Buffer.concat([rawHeader('link', { flag: '2', link: 'target', size: 512 }), rawHeader('hidden'), END]);
  const entries = await outcome(bytes);
  assert.deepEqual(typeof entries === 'string' ? entries : entries.map((e) => e.path), ['link', 'hidden']);
});

test('entries after the end-of-archive marker are refused', async () => {
  const tail = Buffer.concat([rawHeader('hidden'), END]);
  assert.equal(await codeOf(Buffer.concat([rawHeader('a'), END, tail])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([rawHeader('a'), Buffer.alloc(512), tail])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([rawHeader('a'), END, Buffer.from([1])])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([metaEntry('x', paxData({ path: 'p' })), END])), 'ARCHIVE_MALFORMED');
});

test('limits: path length, component length, depth, link length, total path bytes, header data', async () => {
  assert.equal(await codeOf(await packTar([file(`a/${'b'.repeat(60)}`)]), { limits: { maxPathBytes: 50 } }), 'LAYER_PATH_TOO_LONG');
  assert.equal(await codeOf(await packTar([file(`a/${'b'.repeat(256)}`)])), 'LAYER_PATH_TOO_LONG');
  assert.equal(await codeOf(await packTar([file('a/b/c/d')]), { limits: { maxDepth: 3 } }), 'LAYER_PATH_TOO_DEEP');
  assert.equal(await codeOf(await packTar([file('a/b/c')]), { limits: { maxDepth: 3 } }), 'ok');
  const link = await packTar([{ name: 'l', type: 'symlink', linkname: 't'.repeat(200) }]);
  assert.equal(await codeOf(link, { limits: { maxLinkBytes: 100 } }), 'LAYER_PATH_TOO_LONG');
  const many = await packTar(Array.from({ length: 20 }, (_, i) => file(`${'p'.repeat(40)}${i}`)));
  assert.equal(await codeOf(many, { limits: { maxTotalPathBytes: 500 } }), 'LAYER_TOO_MANY_ENTRIES');
  const bigPax = Buffer.concat([metaEntry('x', paxData({ comment: 'c'.repeat(5000) })), rawHeader('a'), END]);
  assert.equal(await codeOf(bigPax, { limits: { maxHeaderDataBytes: 4096 } }), 'INPUT_TOO_LARGE');
  const longGnu = Buffer.concat([rawHeader('././@LongLink', { flag: 'L', size: 8000 }), pad(Buffer.alloc(8000, 0x61)), rawHeader('a'), END]);
  assert.equal(await codeOf(longGnu, { limits: { maxHeaderDataBytes: 4096 } }), 'INPUT_TOO_LARGE');
});

test('200k tiny entries against a limit of 1000 stop at the limit, without reading the rest', async () => {
  let produced = 0;
  const END_AT = 200_000;
  const source = Readable.from(
    (function* () {
      for (let i = 0; i < END_AT; i += 64) {
        const blocks: Buffer[] = [];
        for (let j = i; j < Math.min(i + 64, END_AT); j++) blocks.push(rawHeader(`f${j}`));
        produced += blocks.length;
        yield Buffer.concat(blocks);
      }
      yield END;
    })(),
  );
  await assert.rejects(readLayer(source, { mediaType: PLAIN, limits: { maxEntries: 1000 } }), isCode('LAYER_TOO_MANY_ENTRIES'));
  assert.ok(produced < 10_000, `read ${produced} headers`);
  assert.equal(source.destroyed, true);
});

test('a flood of extended headers without entries is bounded too', async () => {
  const one = metaEntry('x', paxData({ comment: 'c' }));
  const bytes = Buffer.concat([...Array.from({ length: 100 }, () => one), rawHeader('a'), END]);
  assert.equal(await codeOf(bytes, { limits: { maxEntries: 10 } }), 'LAYER_TOO_MANY_ENTRIES');
});

test('10 MB of zeros gzipped is a decompression bomb past the ratio limit, and too large past the size limit', async () => {
  const bytes = await packTar([file('zeros', Buffer.alloc(10 * 1024 * 1024))]);
  const limits = { maxCompressionRatio: 100, ratioGraceBytes: 1024 * 1024 };
  assert.equal(await codeOf(bytes, { gzip: true, limits }), 'LAYER_DECOMPRESSION_BOMB');
  assert.equal(await codeOf(bytes, { gzip: true, limits: { maxUncompressedBytes: 5 * 1024 * 1024 } }), 'LAYER_TOO_LARGE');
  assert.equal(await codeOf(bytes, { limits }), 'ok');
  assert.equal(await codeOf(bytes, { gzip: true }), 'ok');
  const declared = Buffer.concat([rawHeader('huge', { size: 2 ** 40 }), END]);
  assert.equal(await codeOf(declared, { limits: { maxUncompressedBytes: 2 ** 30 } }), 'LAYER_TOO_LARGE');
});

test('truncated gzip and truncated tar are ARCHIVE_TRUNCATED', async () => {
  const bytes = await packTar([file('a', randomBytes(5000)), file('b', 'bb')]);
  const gz = gzipSync(bytes);
  assert.equal(await codeOf(gz.subarray(0, gz.length - 12), { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }), 'ARCHIVE_TRUNCATED');
  assert.equal(await codeOf(gz.subarray(0, 0), { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }), 'ARCHIVE_TRUNCATED');
  for (const cut of [0, 700, 512 * 11, bytes.length - 1024, bytes.length - 1024 + 100]) {
    assert.equal(await codeOf(bytes.subarray(0, cut)), 'ARCHIVE_TRUNCATED', `cut at ${cut}`);
    assert.equal(await codeOf(bytes.subarray(0, cut), { gzip: true }), 'ARCHIVE_TRUNCATED', `gzip, cut at ${cut}`);
  }
  assert.equal(await codeOf(Buffer.concat([metaEntry('x', paxData({ path: 'p' })).subarray(0, 600)])), 'ARCHIVE_TRUNCATED');
});

test('garbage is ARCHIVE_MALFORMED, plain or gzipped, long or short', async () => {
  const garbage = randomBytes(4096);
  garbage[0] = 0x41;
  assert.equal(await codeOf(garbage), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.from('hello, not a tar')), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(garbage, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(gzipSync(garbage), { gzip: false, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }), 'ARCHIVE_MALFORMED');
  const corrupt = gzipSync(await packTar([file('a', randomBytes(5000))]));
  corrupt[corrupt.length - 6] ^= 0xff;
  assert.equal(await codeOf(corrupt, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' }), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([rawHeader('a'), rawHeader('b', { badSum: true }), END])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([metaEntry('x', Buffer.from('99 path=x\n')), rawHeader('a'), END])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([metaEntry('x', paxData({ size: '-1' })), rawHeader('a'), END])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([rawHeader(Buffer.from([0x61, 0xff, 0x62])), END])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([rawHeader('sym', { flag: '2' }), END])), 'ARCHIVE_MALFORMED');
});

test('sparse files, unknown entry types and AUFS metadata are UNSUPPORTED; misused whiteout names are malformed', async () => {
  const sparse = Buffer.concat([metaEntry('x', paxData({ 'GNU.sparse.major': '1', 'GNU.sparse.minor': '0' })), rawHeader('a'), END]);
  assert.equal(await codeOf(sparse), 'UNSUPPORTED');
  assert.equal(await codeOf(Buffer.concat([rawHeader('s', { flag: 'S' }), END])), 'UNSUPPORTED');
  assert.equal(await codeOf(Buffer.concat([rawHeader('v', { flag: 'V' }), END])), 'UNSUPPORTED');
  assert.equal(await codeOf(await packTar([file('.wh..wh.plnk/123')])), 'UNSUPPORTED');
  assert.equal(await codeOf(await packTar([file('.wh..wh.aufs')])), 'UNSUPPORTED');
  assert.equal(await codeOf(await packTar([file('a/.wh.b/c')])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(await packTar([file('a/.wh.')])), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(await packTar([file('a/.wh...')])), 'ARCHIVE_PATH_UNSAFE');
  const whiteouts = await walkBytes(await packTar([file('a/.wh.b', ''), file('.wh..wh..opq', '')]));
  assert.deepEqual(whiteouts.entries.map((e) => e.path), ['a/.wh.b', '.wh..wh..opq']);
});
