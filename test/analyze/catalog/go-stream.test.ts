import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goBinaryScanner, mergeGoPackages, type GoScanOptions, type GoScanResult } from '../../../src/analyze/catalog/go-stream.js';
import { goBinaryCataloger } from '../../../src/analyze/catalog/golang.js';
import { readGoBuildInfo } from '../../../src/analyze/catalog/go-buildinfo.js';
import type { Package } from '../../../src/analyze/catalog/package.js';
import { goElf, modinfoOf } from './go-elf.js';

const PATH = 'usr/local/bin/tool';
const MODINFO = modinfoOf([
  'path\tgithub.com/acme/tool/cmd/tool',
  'mod\tgithub.com/acme/tool\tv1.2.3\th1:abc=',
  'dep\tgithub.com/BurntSushi/toml\tv1.3.2\th1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGKpq26MGjz1Z1o7o=',
  'dep\tgolang.org/x/net\tv0.17.0\th1:pVaXccu2ozPjCXewfr1S7xoPd4WIj1mxIfHxkpLbPSM=',
  '=>\tgolang.org/x/net\tv0.19.0\th1:zTwKpTd2XuCqf8huc7Fo2iSy+4RHPG10/GJDEyTs5ao=',
  'dep\tgithub.com/acme/internal\tv0.0.0-00010101000000-000000000000\t',
  '=>\t../internal\t\t',
  'build\tGOOS=linux',
]);
/** goElf puts the build info blob at this file offset plus its `padding`. */
const BLOB_AT = 0x2000;

interface Fed {
  result: GoScanResult | undefined;
  /** Bytes handed to the scanner before it said it needed no more. */
  fed: number;
}

/** Streams `bytes` through a scanner in pieces cut at `cuts` (ascending offsets), as the layer walk does. */
function scanCuts(bytes: Buffer, cuts: number[], options?: GoScanOptions): Fed {
  const scanner = goBinaryScanner(PATH, options);
  let fed = 0;
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    const chunk = bytes.subarray(from, to);
    from = to;
    fed += chunk.length;
    if (!scanner.update(chunk)) break;
  }
  return { result: scanner.finish(), fed };
}

function scanChunks(bytes: Buffer, size: number, options?: GoScanOptions): Fed {
  const cuts: number[] = [];
  for (let at = size; at < bytes.length; at += size) cuts.push(at);
  return scanCuts(bytes, cuts, options);
}

const packagesOf = (fed: Fed): Package[] => {
  assert.equal(fed.result?.kind, 'packages', JSON.stringify(fed.result));
  return fed.result.kind === 'packages' ? fed.result.packages : [];
};
const problemOf = (fed: Fed): string => {
  assert.equal(fed.result?.kind, 'problem', JSON.stringify(fed.result));
  return fed.result.kind === 'problem' ? fed.result.code : '';
};

test('every chunking gives the packages the whole-file reader finds', () => {
  for (const opts of [{}, { is64: false }, { bigEndian: true }, { is64: false, bigEndian: true }, { sections: false }, { padding: 64 }]) {
    const bytes = goElf({ modinfo: MODINFO, ...opts });
    const expected = goBinaryCataloger.parse(PATH, bytes, {});
    assert.equal(readGoBuildInfo(bytes)?.deps.length, 3);
    assert.equal(expected.length, 4);
    for (const size of [1, 7, 16, 4096, bytes.length]) {
      assert.deepEqual(packagesOf(scanChunks(bytes, size)), expected, `${JSON.stringify(opts)} in chunks of ${size}`);
    }
  }
});

test('a magic straddling a chunk boundary at every split point is found', () => {
  const bytes = goElf({ modinfo: MODINFO });
  const expected = goBinaryCataloger.parse(PATH, bytes, {});
  for (let k = -1; k <= 15; k++) {
    assert.deepEqual(packagesOf(scanCuts(bytes, [BLOB_AT + k])), expected, `cut at magic+${k}`);
    assert.deepEqual(packagesOf(scanCuts(bytes, [BLOB_AT - 3, BLOB_AT + k, BLOB_AT + k + 1, BLOB_AT + 40])), expected, `cuts around magic+${k}`);
  }
});

test('once the build info is kept, the scanner asks for no more of the file', () => {
  const bytes = Buffer.concat([goElf({ modinfo: MODINFO }), Buffer.alloc(1 << 20)]);
  const fed = scanChunks(bytes, 4096, { keepBytes: 4096 });
  assert.equal(packagesOf(fed).length, 4);
  assert.ok(fed.fed <= BLOB_AT + 2 * 4096, `fed ${fed.fed}`);
});

test('not ELF: nothing, and the scanner stops at the first bytes', () => {
  const bytes = goElf({ modinfo: MODINFO });
  bytes.write('MZ\x90\x00', 0, 'latin1');
  for (const size of [1, 3, 4096]) {
    const fed = scanChunks(bytes, size);
    assert.equal(fed.result, undefined);
    assert.ok(fed.fed < 4 + size, `fed ${fed.fed} in chunks of ${size}`);
  }
  assert.equal(scanChunks(Buffer.from('#!/bin/sh\necho hi\n'), 1).result, undefined);
  assert.equal(scanChunks(Buffer.from([0x7f, 0x45]), 1).result, undefined);
});

test('a magic at or beyond the search window is not looked for; one inside it is found', () => {
  const bytes = goElf({ modinfo: MODINFO, padding: 0x1000 });
  const magicAt = BLOB_AT + 0x1000;
  for (const size of [1, 7, 4096]) {
    const beyond = scanChunks(bytes, size, { searchBytes: magicAt });
    assert.equal(beyond.result, undefined);
    assert.ok(beyond.fed < magicAt + 14 + size, `fed ${beyond.fed} in chunks of ${size}`);
    assert.equal(packagesOf(scanChunks(bytes, size, { searchBytes: magicAt + 1 })).length, 4);
  }
  assert.equal(scanChunks(Buffer.concat([goElf(), Buffer.alloc(100_000)]), 4096, { searchBytes: 0x1000 }).fed, 0x2000);
});

test('a magic off the 16-byte alignment is not build info', () => {
  assert.equal(scanChunks(goElf({ modinfo: MODINFO, sections: false, padding: 8 }), 7).result, undefined);
});

test('garbage after the magic is a problem, never a throw', () => {
  const runaway = goElf({ modinfo: MODINFO });
  runaway.fill(0xff, BLOB_AT + 32, BLOB_AT + 48);
  assert.equal(problemOf(scanChunks(runaway, 7)), 'PACKAGE_METADATA_MALFORMED');

  const huge = goElf({ modinfo: MODINFO });
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]).copy(huge, BLOB_AT + 32); // a version of 4 GiB
  assert.equal(problemOf(scanChunks(huge, 4096)), 'PACKAGE_METADATA_MALFORMED');

  const modCut = goElf({ modinfo: MODINFO }).subarray(0, BLOB_AT + 80);
  assert.equal(problemOf(scanChunks(modCut, 4096)), 'PACKAGE_METADATA_MALFORMED');

  const badLines = goElf({ modinfo: modinfoOf(['mod\tgithub.com/acme/tool\tv1\th1:x=', '=>\tonly-two\tcolumns']) });
  assert.equal(problemOf(scanChunks(badLines, 4096)), 'PACKAGE_METADATA_MALFORMED');

  const badPath = goElf({ modinfo: modinfoOf(['dep\tgithub.com/a b\tv1.0.0\th1:x=']) });
  assert.equal(problemOf(scanChunks(badPath, 1)), 'PACKAGE_METADATA_MALFORMED');

  const cut = goElf({ modinfo: MODINFO }).subarray(0, BLOB_AT + 20);
  assert.equal(problemOf(scanChunks(cut, 3)), 'PACKAGE_METADATA_MALFORMED');
});

test('build info longer than what is kept is INPUT_TOO_LARGE', () => {
  const bytes = goElf({ modinfo: MODINFO });
  assert.equal(problemOf(scanChunks(bytes, 7, { keepBytes: 128 })), 'INPUT_TOO_LARGE');
  assert.equal(packagesOf(scanChunks(bytes, 7, { keepBytes: 1024 })).length, 4);
});

test('pre-1.18 pointer format: UNSUPPORTED, while the whole-file reader reads it', () => {
  for (const is64 of [true, false]) {
    const bytes = goElf({ modinfo: MODINFO, format: 'pointer', is64, goVersion: 'go1.16.15' });
    assert.equal(readGoBuildInfo(bytes)?.goVersion, 'go1.16.15');
    assert.equal(problemOf(scanChunks(bytes, 4096)), 'UNSUPPORTED');
  }
});

test('a Go binary without module info has no packages', () => {
  assert.deepEqual(packagesOf(scanChunks(goElf({ modinfo: '' }), 7)), []);
});

test('modules of several binaries merge by purl, locations united, inputs untouched', () => {
  const a = packagesOf(scanChunks(goElf({ modinfo: MODINFO }), 4096));
  const b = goBinaryCataloger.parse('bin/other', goElf({ modinfo: modinfoOf(['dep\tgithub.com/BurntSushi/toml\tv1.3.2\th1:x=']) }), {});
  const merged = mergeGoPackages(new Map([[PATH, a], ['bin/other', b]]));
  assert.equal(merged.length, 4);
  assert.deepEqual(merged.find((p) => p.name === 'github.com/BurntSushi/toml')?.locations, ['bin/other', PATH]);
  assert.deepEqual(a.find((p) => p.name === 'github.com/BurntSushi/toml')?.locations, [PATH]);
});
