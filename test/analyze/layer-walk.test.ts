import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { sha256Digest } from '../../src/core/digest.js';
import { ProvenantError } from '../../src/core/errors.js';
import { EMPTY_SHA256 } from '../../src/analyze/layer-entry.js';
import { readLayer } from '../../src/analyze/layer-walk.js';
import { END, GZIP, PLAIN, ZSTD, codeOf, metaEntry, pad, packTar, paxData, rawHeader, streamOf, walkBytes, walkLayer, type PackEntry, isCode } from './layer-fixtures.js';

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const big = randomBytes(100_003);

const SAMPLE: PackEntry[] = [
  { name: './', type: 'directory' },
  { name: './etc/', type: 'directory', mode: 0o755 },
  { name: './etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n', mode: 0o644 },
  { name: '/usr/bin/big', data: big, mode: 0o4755 },
  { name: 'usr/bin/sh', type: 'symlink', linkname: '/bin/dash' },
  { name: 'usr/bin/up', type: 'symlink', linkname: '../../../etc/shadow' },
  { name: 'usr/bin/big-link', type: 'link', linkname: './usr//bin/big' },
  { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
  { name: 'run/initctl', type: 'fifo', mode: 0o600 },
  { name: 'empty', data: '' },
  { name: `deep/${'d'.repeat(120)}/${'n'.repeat(200)}`, data: 'long name through pax' },
];

test('a plain layer: hashes equal node:crypto, paths normalised, root skipped, links recorded, not followed', async () => {
  const bytes = await packTar(SAMPLE);
  const { entries, summary } = await walkBytes(bytes);
  assert.deepEqual(
    entries.map((e) => [e.path, e.type]),
    [
      ['etc', 'dir'],
      ['etc/passwd', 'file'],
      ['usr/bin/big', 'file'],
      ['usr/bin/sh', 'symlink'],
      ['usr/bin/up', 'symlink'],
      ['usr/bin/big-link', 'hardlink'],
      ['dev/null', 'other'],
      ['run/initctl', 'other'],
      ['empty', 'file'],
      [`deep/${'d'.repeat(120)}/${'n'.repeat(200)}`, 'file'],
    ],
  );
  const byPath = new Map(entries.map((e) => [e.path, e]));
  assert.equal(byPath.get('etc/passwd')!.sha256, sha('root:x:0:0:root:/root:/bin/sh\n'));
  assert.deepEqual([byPath.get('usr/bin/big')!.sha256, byPath.get('usr/bin/big')!.size], [sha(big), big.length]);
  assert.equal(byPath.get('usr/bin/big')!.mode, 0o4755);
  assert.deepEqual([byPath.get('usr/bin/sh')!.linkTarget, byPath.get('usr/bin/sh')!.sha256], ['/bin/dash', sha('/bin/dash')]);
  assert.equal(byPath.get('usr/bin/up')!.linkTarget, '../../../etc/shadow');
  assert.deepEqual([byPath.get('usr/bin/big-link')!.linkTarget, byPath.get('usr/bin/big-link')!.sha256], ['usr/bin/big', sha('usr/bin/big')]);
  assert.deepEqual(byPath.get('dev/null')!.device, { kind: 'char', major: 1, minor: 3 });
  assert.equal(byPath.get('dev/null')!.sha256, sha('char:1:3'));
  assert.equal(byPath.get('run/initctl')!.sha256, sha('fifo'));
  assert.deepEqual([byPath.get('empty')!.sha256, byPath.get('etc')!.sha256], [EMPTY_SHA256, EMPTY_SHA256]);
  assert.ok(entries.every((e) => e.content === undefined));
  assert.deepEqual(summary, { diffId: sha256Digest(bytes), entries: 10, compressedBytes: bytes.length, uncompressedBytes: bytes.length });
});

test('gzip and plain give the same entries; chunk boundaries anywhere change nothing', async () => {
  const bytes = await packTar(SAMPLE);
  const reference = await walkBytes(bytes);
  const gz = gzipSync(bytes);
  const gzipped = await walkBytes(bytes, { gzip: true, chunk: 333 });
  assert.deepEqual(gzipped.entries, reference.entries);
  assert.deepEqual(gzipped.summary, { ...reference.summary, compressedBytes: gz.length });
  for (const chunk of [1, 7, 511, 513]) {
    assert.deepEqual((await walkBytes(bytes, { chunk })).entries, reference.entries, `chunk ${chunk}`);
  }
});

test('capture buffers exactly the files the predicate selects, within the capture limits', async () => {
  const bytes = await packTar([
    { name: 'var/lib/dpkg/status', data: 'Package: base-files\n' },
    { name: 'var/lib/dpkg/other', data: 'not wanted' },
    { name: 'lib/apk/db/installed', data: big },
  ]);
  const seen: [string, number][] = [];
  const capture = (path: string, size: number) => {
    seen.push([path, size]);
    return path.endsWith('/status') || path.endsWith('/installed');
  };
  const { entries } = await walkBytes(bytes, { capture, chunk: 1000 });
  assert.deepEqual(seen, [['var/lib/dpkg/status', 20], ['var/lib/dpkg/other', 10], ['lib/apk/db/installed', big.length]]);
  assert.equal(entries[0]!.content!.toString(), 'Package: base-files\n');
  assert.equal(entries[1]!.content, undefined);
  assert.deepEqual(entries[2]!.content, big);
  assert.equal(await codeOf(bytes, { capture, limits: { maxCaptureBytes: 50_000 } }), 'INPUT_TOO_LARGE');
  assert.equal(await codeOf(bytes, { capture, limits: { maxCaptureTotalBytes: big.length } }), 'INPUT_TOO_LARGE');
});

test('zstd and non-layer media types are refused before reading; the blob is destroyed', () => {
  for (const mediaType of [ZSTD, 'application/vnd.oci.image.config.v1+json']) {
    const blob = streamOf(Buffer.alloc(1024));
    assert.throws(() => walkLayer(blob, { mediaType }), isCode('UNSUPPORTED'));
    assert.equal(blob.destroyed, true);
  }
  assert.throws(() => walkLayer(streamOf(Buffer.alloc(0)), { mediaType: PLAIN, limits: { maxEntries: -1 } }), isCode('USAGE'));
});

test('content that does not match the media type is refused', async () => {
  const bytes = await packTar([{ name: 'a', data: 'x' }]);
  assert.equal(await codeOf(gzipSync(bytes), { mediaType: PLAIN }), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(bytes, { mediaType: GZIP }), 'ARCHIVE_MALFORMED');
  const zstdMagic = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(1020)]);
  assert.equal(await codeOf(zstdMagic, { mediaType: PLAIN }), 'ARCHIVE_MALFORMED');
});

test('errors of the blob stream come through with their own code', async () => {
  const bytes = await packTar([{ name: 'a', data: big }]);
  const failing = (head: Buffer, error: Error) =>
    Readable.from(
      (async function* () {
        yield head;
        throw error;
      })(),
    );
  const mismatch = () => new ProvenantError('DIGEST_MISMATCH', 'bad');
  await assert.rejects(readLayer(failing(bytes.subarray(0, 4096), mismatch()), { mediaType: PLAIN }), isCode('DIGEST_MISMATCH'));
  await assert.rejects(readLayer(failing(gzipSync(bytes).subarray(0, 4096), mismatch()), { mediaType: GZIP }), isCode('DIGEST_MISMATCH'));
  await assert.rejects(readLayer(failing(bytes.subarray(0, 4096), new Error('ECONNRESET')), { mediaType: PLAIN }), isCode('IO_ERROR'));
});

test('a gzip blob that fails its digest check after the last byte fails the walk', async () => {
  const gz = gzipSync(await packTar([{ name: 'a', data: 'x' }]));
  const source = Readable.from(
    (async function* () {
      yield gz;
      throw new ProvenantError('DIGEST_MISMATCH', 'content hashes to something else');
    })(),
  );
  await assert.rejects(readLayer(source, { mediaType: GZIP }), isCode('DIGEST_MISMATCH'));
});

test('stopping early destroys the blob', async () => {
  const blob = streamOf(gzipSync(await packTar(SAMPLE)), 100);
  const walker = walkLayer(blob, { mediaType: GZIP });
  for await (const entry of walker) {
    assert.equal(entry.path, 'etc');
    break;
  }
  assert.equal(blob.destroyed, true);
});

test('a 0/0 character device (an overlay whiteout in disguise) is refused; block devices are kept', async () => {
  const dev = (type: 'character-device' | 'block-device', devmajor: number) => packTar([{ name: 'dev/x', type, devmajor, devminor: 0 }]);
  assert.equal(await codeOf(await dev('character-device', 0)), 'ARCHIVE_MALFORMED');
  const { entries } = await walkBytes(await dev('block-device', 0));
  assert.deepEqual(entries[0]!.device, { kind: 'block', major: 0, minor: 0 });
});

test('GNU long names override pax paths, pax global headers are skipped, the USTAR prefix is joined', async () => {
  const gnu = `gnu/${'g'.repeat(150)}`;
  const bytes = Buffer.concat([
    metaEntry('g', paxData({ path: 'global-name' })),
    metaEntry('x', paxData({ path: 'pax-name' })),
    rawHeader('././@LongLink', { flag: 'L', size: gnu.length + 1 }),
    pad(Buffer.from(`${gnu}\0`)),
    rawHeader('header-name', { size: 0 }),
    metaEntry('x', paxData({ mtime: '0' })),
    rawHeader('own-name'),
    rawHeader('name', { prefix: 'pre/fix' }),
    rawHeader('gnu-name', { prefix: 'ignored', format: 'gnu' }),
    rawHeader('star-name', { prefix: `s${'p'.repeat(140)}`, trailer: 'tar\0' }),
    metaEntry('x', paxData({ path: 'dropped-by-the-global-header' })),
    metaEntry('g', paxData({ comment: 'global' })),
    rawHeader('after-global'),
    END,
  ]);
  const { entries } = await walkBytes(bytes);
  assert.deepEqual(
    entries.map((e) => e.path),
    [gnu, 'own-name', 'pre/fix/name', 'gnu-name', `s${'p'.repeat(130)}/star-name`, 'after-global'],
  );
});

test('an old-style entry with a trailing slash and type \\0 is a directory with no data', async () => {
  const bytes = Buffer.concat([rawHeader('olddir/', { flag: '\0', size: 512 }), rawHeader('olddir/f', { flag: '\0' }), END]);
  const { entries } = await walkBytes(bytes);
  assert.deepEqual(entries.map((e) => [e.path, e.type]), [['olddir', 'dir'], ['olddir/f', 'file']]);
});

test('pax size overrides the header size', async () => {
  const bytes = Buffer.concat([metaEntry('x', paxData({ size: '3' })), rawHeader('f', { size: 0 }), pad(Buffer.from('abc')), END]);
  const { entries } = await walkBytes(bytes);
  assert.deepEqual([entries[0]!.size, entries[0]!.sha256], [3, sha('abc')]);
});

test('zero padding after the end marker is accepted, one zero block ends the archive', async () => {
  const bytes = await packTar([{ name: 'a', data: 'x' }]);
  assert.equal((await walkBytes(Buffer.concat([bytes, Buffer.alloc(9216)]))).entries.length, 1);
  const oneBlock = Buffer.concat([rawHeader('a'), Buffer.alloc(512)]);
  assert.equal((await walkBytes(oneBlock)).entries.length, 1);
});
