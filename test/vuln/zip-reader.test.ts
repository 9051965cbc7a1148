import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { crc32 } from '../../src/vuln/crc32.js';
import { readZipEntries, type ZipEntry, type ZipLimits } from '../../src/vuln/zip-reader.js';
import { buildZip, type ZipMember } from '../helpers/zip-writer.js';


async function readAll(zip: Buffer, limits: Partial<ZipLimits> = {}): Promise<ZipEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'zip-reader-'));
  try {
    const path = join(dir, 'all.zip');
    writeFileSync(path, zip);
    const out: ZipEntry[] = [];
    for await (const e of readZipEntries(path, limits)) out.push(e);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const code = (c: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === c;
const json = (s: string): Buffer => Buffer.from(JSON.stringify({ id: s, modified: '2024-01-01T00:00:00Z' }));

test('crc32 gives the check value of CRC-32/ISO-HDLC', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
});

test('zip: stored and deflated members, with and without data descriptors, read back; directories are skipped', async () => {
  const members: ZipMember[] = [
    { name: 'GHSA-1.json', data: json('GHSA-1') },
    { name: 'GHSA-2.json', data: json('GHSA-2'), method: 0 },
    { name: 'dir/', data: Buffer.alloc(0), method: 0 },
    { name: 'dir/GHSA-3.json', data: json('GHSA-3'), descriptor: true },
    { name: 'empty.json', data: Buffer.alloc(0) },
  ];
  const entries = await readAll(buildZip(members));
  assert.deepEqual(
    entries.map((e) => e.name),
    ['GHSA-1.json', 'GHSA-2.json', 'dir/GHSA-3.json', 'empty.json'],
  );
  assert.deepEqual(entries[2]!.data, json('GHSA-3'));
  assert.equal(entries[3]!.data.length, 0);
});

test('zip: a decompression bomb is refused from its declared sizes, before inflating', async () => {
  const bomb = buildZip([{ name: 'a.json', data: Buffer.alloc(8 * 1024 * 1024) }]);
  await assert.rejects(readAll(bomb), code('ARCHIVE_DECOMPRESSION_BOMB'));
  await assert.rejects(readAll(bomb, { maxEntryBytes: 1024 * 1024 }), code('INPUT_TOO_LARGE'));
});

test('zip: a member that inflates past its declared size is refused', async () => {
  const liar = buildZip([{ name: 'a.json', data: Buffer.alloc(4 * 1024 * 1024), size: 1000 }]);
  await assert.rejects(readAll(liar), code('ARCHIVE_MALFORMED'));
});

test('zip: too many members is INPUT_TOO_LARGE', async () => {
  const zip = buildZip([1, 2, 3].map((i) => ({ name: `${i}.json`, data: json(String(i)) })));
  await assert.rejects(readAll(zip, { maxEntries: 2 }), code('INPUT_TOO_LARGE'));
});

test('zip: names with .., absolute paths, drive letters, backslashes or NUL are ARCHIVE_PATH_UNSAFE', async () => {
  for (const name of ['../evil.json', 'a/../../evil.json', '/etc/evil.json', 'C:evil.json', 'a\\..\\evil.json', 'a\0.json']) {
    await assert.rejects(readAll(buildZip([{ name, data: json('X') }])), code('ARCHIVE_PATH_UNSAFE'), JSON.stringify(name));
  }
});

test('zip: a bad CRC-32 is ARCHIVE_MALFORMED', async () => {
  const zip = buildZip([{ name: 'a.json', data: json('A'), crc: 0x12345678 }]);
  await assert.rejects(readAll(zip), code('ARCHIVE_MALFORMED'));
  const described = buildZip([{ name: 'a.json', data: json('A'), crc: 0x12345678, descriptor: true }]);
  await assert.rejects(readAll(described), code('ARCHIVE_MALFORMED'));
});

test('zip: local and central headers that disagree are ARCHIVE_MALFORMED', async () => {
  const zip = buildZip([{ name: 'a.json', data: json('A'), localName: 'b.json' }]);
  await assert.rejects(readAll(zip), code('ARCHIVE_MALFORMED'));
  const twice = buildZip([{ name: 'a.json', data: json('A') }, { name: 'a.json', data: json('B') }]);
  await assert.rejects(readAll(twice), code('ARCHIVE_MALFORMED'));
});

test('zip: a truncated file is ARCHIVE_TRUNCATED; a file that is no zip is ARCHIVE_MALFORMED', async () => {
  const zip = buildZip([{ name: 'a.json', data: json('A') }, { name: 'b.json', data: json('B') }]);
  await assert.rejects(readAll(zip.subarray(0, zip.length - 10)), code('ARCHIVE_TRUNCATED'));
  await assert.rejects(readAll(zip.subarray(0, 40)), code('ARCHIVE_TRUNCATED'));
  // Bytes cut out of the middle: the central directory now reaches past where the end record is.
  await assert.rejects(readAll(Buffer.concat([zip.subarray(0, 20), zip.subarray(30)])), code('ARCHIVE_TRUNCATED'));
  await assert.rejects(readAll(Buffer.from('not a zip at all, just some text here')), code('ARCHIVE_MALFORMED'));
});

test('zip: ZIP64, several disks and encryption are UNSUPPORTED', async () => {
  const members = [{ name: 'a.json', data: json('A') }];
  await assert.rejects(readAll(buildZip(members, { zip64Locator: true })), code('UNSUPPORTED'));
  await assert.rejects(readAll(buildZip(members, { entries: 0xffff })), code('UNSUPPORTED'));
  const multiDisk = buildZip(members);
  multiDisk.writeUInt16LE(1, multiDisk.length - 22 + 4);
  await assert.rejects(readAll(multiDisk), code('UNSUPPORTED'));
  await assert.rejects(readAll(buildZip([{ ...members[0]!, flags: 0x0001 }])), code('UNSUPPORTED'));
});
