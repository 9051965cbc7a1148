import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TarIndex, type TarEntry } from '../../src/oci/tar-index.js';
import { tarBytes, type TarSpecEntry } from '../helpers/oci-image.js';

const dir = await mkdtemp(join(tmpdir(), 'provenant-tar-'));
test.after(() => rm(dir, { recursive: true, force: true }));
let counter = 0;

async function indexOf(bytes: Buffer, limits = {}): Promise<TarIndex> {
  const file = join(dir, `t${counter++}.tar`);
  await writeFile(file, bytes);
  return TarIndex.open(file, limits);
}

async function codeOf(bytes: Buffer, limits = {}): Promise<string> {
  try {
    await (await indexOf(bytes, limits)).close();
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? 'no code';
  }
}

const tarOf = (entries: TarSpecEntry[]) => tarBytes(entries);

/** A raw ustar header block, for shapes tar-stream will not write. */
function header(name: string, opts: { size?: number; flag?: string; link?: string; base256?: boolean; badSum?: boolean } = {}): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  if (opts.base256) {
    b[124] = 0x80;
    b.writeUIntBE(opts.size ?? 0, 136 - 6, 6);
  } else b.write(`${(opts.size ?? 0).toString(8).padStart(11, '0')}\0`, 124);
  b.write('00000000000\0', 136);
  b.write(opts.flag ?? '0', 156);
  if (opts.link !== undefined) b.write(opts.link, 157, 100);
  b.write('ustar\x0000', 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${(opts.badSum ? sum + 1 : sum).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}
const pad = (data: Buffer) => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
const END = Buffer.alloc(1024);

test('entries are indexed by normalised name and read back by offset', async () => {
  const longName = `${'d'.repeat(120)}/${'f'.repeat(90)}.txt`;
  const paxName = 'p'.repeat(200);
  const idx = await indexOf(
    await tarOf([
      { name: './a.txt', data: 'alpha' },
      { name: 'dir', type: 'directory' },
      { name: 'dir/b.bin', data: Buffer.alloc(1500, 7) },
      { name: longName, data: 'long' },
      { name: paxName, data: 'pax' },
      { name: 'empty', data: '' },
    ]),
  );
  try {
    assert.deepEqual([...idx.entries.keys()].sort(), ['a.txt', 'dir', 'dir/b.bin', 'empty', longName, paxName].sort());
    assert.equal((await idx.read(idx.resolveFile('a.txt')!, 100)).toString(), 'alpha');
    assert.deepEqual(await idx.read(idx.resolveFile('./dir//b.bin')!, 2000), Buffer.alloc(1500, 7));
    assert.equal((await idx.read(idx.resolveFile(longName)!, 100)).toString(), 'long');
    assert.equal((await idx.read(idx.resolveFile(paxName)!, 100)).toString(), 'pax');
    const chunks: Buffer[] = [];
    for await (const c of idx.stream(idx.resolveFile('dir/b.bin')!)) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), Buffer.alloc(1500, 7));
    assert.equal((await idx.read(idx.resolveFile('empty')!, 0)).length, 0);
    assert.equal(idx.resolveFile('missing'), undefined);
    await assert.rejects(idx.read(idx.resolveFile('dir/b.bin')!, 1499), { code: 'INPUT_TOO_LARGE' });
    assert.throws(() => idx.resolveFile('dir'), { code: 'ARCHIVE_MALFORMED' });
  } finally {
    await idx.close();
  }
});

test('symlinks and hard links resolve inside the archive; loops are refused', async () => {
  const idx = await indexOf(
    await tarOf([
      { name: 'blobs/x.tar', data: 'layer' },
      { name: 'id/layer.tar', type: 'symlink', linkname: '../blobs/x.tar' },
      { name: 'id/again.tar', type: 'symlink', linkname: './layer.tar' },
      { name: 'hard.tar', type: 'link', linkname: 'id/again.tar' },
      { name: 'loop1', type: 'symlink', linkname: 'loop2' },
      { name: 'loop2', type: 'symlink', linkname: 'loop1' },
    ]),
  );
  try {
    const target: TarEntry | undefined = idx.resolveFile('hard.tar');
    assert.equal(target?.name, 'blobs/x.tar');
    assert.equal((await idx.read(target!, 10)).toString(), 'layer');
    assert.throws(() => idx.resolveFile('loop1'), { code: 'ARCHIVE_MALFORMED' });
    assert.throws(() => idx.resolveFile('../blobs/x.tar'), { code: 'ARCHIVE_PATH_UNSAFE' });
  } finally {
    await idx.close();
  }
});

test('paths escaping the root are ARCHIVE_PATH_UNSAFE', async () => {
  const file = { data: 'x' };
  assert.equal(await codeOf(await tarOf([{ name: '../x', ...file }])), 'ARCHIVE_PATH_UNSAFE');
  assert.equal(await codeOf(await tarOf([{ name: 'a/../../x', ...file }])), 'ARCHIVE_PATH_UNSAFE');
  assert.equal(await codeOf(await tarOf([{ name: 'a/../b', ...file }])), 'ARCHIVE_PATH_UNSAFE');
  assert.equal(await codeOf(Buffer.concat([header('/etc/passwd', { size: 1 }), pad(Buffer.from('x')), END])), 'ARCHIVE_PATH_UNSAFE');
  assert.equal(await codeOf(await tarOf([{ name: 'l', type: 'symlink', linkname: '/etc/passwd' }])), 'ARCHIVE_PATH_UNSAFE');
  assert.equal(await codeOf(await tarOf([{ name: 'a/l', type: 'symlink', linkname: '../../etc/passwd' }])), 'ARCHIVE_PATH_UNSAFE');
  assert.equal(await codeOf(await tarOf([{ name: 'h', type: 'link', linkname: '../x' }])), 'ARCHIVE_PATH_UNSAFE');
});

test('truncation anywhere is ARCHIVE_TRUNCATED', async () => {
  const whole = await tarOf([{ name: 'a', data: Buffer.alloc(3000, 1) }, { name: 'b', data: 'bb' }]);
  for (const cut of [1000, 512 * 7, 512 * 8 + 100, 512 * 9]) {
    assert.equal(await codeOf(whole.subarray(0, cut)), 'ARCHIVE_TRUNCATED', String(cut));
  }
  assert.equal(await codeOf(whole.subarray(0, 512 * 9 + 512)), 'ok');
});

test('non-tar input and hidden entries are ARCHIVE_MALFORMED; compressed tars UNSUPPORTED', async () => {
  const good = await tarOf([{ name: 'a', data: 'x' }]);
  assert.equal(await codeOf(Buffer.alloc(0)), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.from('not a tar at all')), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(gzipSync(good)), 'UNSUPPORTED');
  const hidden = Buffer.concat([header('a', { size: 1 }), pad(Buffer.from('x')), Buffer.alloc(512), header('b', { size: 1 }), pad(Buffer.from('y')), END]);
  assert.equal(await codeOf(hidden), 'ARCHIVE_MALFORMED');
  const dup = await tarOf([{ name: 'a', data: '1' }, { name: './a', data: '2' }]);
  assert.equal(await codeOf(dup), 'ARCHIVE_MALFORMED');
  const badSum = Buffer.concat([header('a', { size: 0 }), header('b', { size: 0, badSum: true }), END]);
  assert.equal(await codeOf(badSum), 'ARCHIVE_MALFORMED');
  const badPax = Buffer.concat([header('pax', { flag: 'x', size: 11 }), pad(Buffer.from('99 path=x\n')), header('a'), END]);
  assert.equal(await codeOf(badPax), 'ARCHIVE_MALFORMED');
  const danglingPax = Buffer.concat([header('pax', { flag: 'x', size: 10 }), pad(Buffer.from('10 path=x\n')), END]);
  assert.equal(await codeOf(danglingPax), 'ARCHIVE_MALFORMED');
  assert.equal(await codeOf(Buffer.concat([header('a', { size: 0 }), Buffer.alloc(512)])), 'ok');
});

test('Go archive/tar semantics: base-256 sizes, pax overrides, data-less link headers', async () => {
  const big = Buffer.concat([header('b', { size: 600, base256: true }), pad(Buffer.alloc(600, 2)), END]);
  const idx = await indexOf(big);
  assert.equal(idx.resolveFile('b')?.size, 600);
  await idx.close();
  const paxRecord = Buffer.from('16 path=renamed\n');
  const withPax = Buffer.concat([header('pax', { flag: 'x', size: paxRecord.length }), pad(paxRecord), header('orig', { size: 2 }), pad(Buffer.from('ok')), END]);
  const idx2 = await indexOf(withPax);
  assert.equal((await idx2.read(idx2.resolveFile('renamed')!, 10)).toString(), 'ok');
  await idx2.close();
  // A symlink header whose size field is non-zero carries no data in Go's reader; the next header follows at once.
  const link = Buffer.concat([header('l', { flag: '2', link: 'f', size: 5000 }), header('f', { size: 1 }), pad(Buffer.from('z')), END]);
  const idx3 = await indexOf(link);
  assert.equal((await idx3.read(idx3.resolveFile('l')!, 10)).toString(), 'z');
  await idx3.close();
});

test('entry count and name length are bounded', async () => {
  const many = await tarOf(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: '' })));
  assert.equal(await codeOf(many, { maxEntries: 19 }), 'INPUT_TOO_LARGE');
  assert.equal(await codeOf(many, { maxEntries: 20 }), 'ok');
  assert.equal(await codeOf(await tarOf([{ name: 'n'.repeat(300), data: '' }]), { maxNameLength: 256 }), 'INPUT_TOO_LARGE');
});

test('the archive path must be a regular file', async () => {
  await mkdir(join(dir, 'a-directory.tar'));
  await assert.rejects(TarIndex.open(join(dir, 'a-directory.tar')), { code: 'ARCHIVE_MALFORMED' });
  await assert.rejects(TarIndex.open(join(dir, 'absent.tar')), { code: 'FILE_NOT_FOUND' });
});
