import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goBinaryCataloger } from '../../../src/analyze/catalog/golang.js';
import { parseModInfo, readGoBuildInfo } from '../../../src/analyze/catalog/go-buildinfo.js';
import type { Package } from '../../../src/analyze/catalog/package.js';
import { codeOf } from './support.js';
import { goElf, modinfoOf } from './go-elf.js';

const MODINFO = modinfoOf([
  'path\tgithub.com/acme/tool/cmd/tool',
  'mod\tgithub.com/acme/tool\t(devel)\t',
  'dep\tgithub.com/BurntSushi/toml\tv1.3.2\th1:o7IhLm0Msx3BaB+n3Ag7L8EVlByGKpq26MGjz1Z1o7o=',
  'dep\tgithub.com/docker/docker\tv24.0.7+incompatible\th1:Wo6l37AuwP3JaMnZa226lzVXGA3F9Ig1seQen0cKYlM=',
  'dep\tgolang.org/x/net\tv0.17.0\th1:pVaXccu2ozPjCXewfr1S7xoPd4WIj1mxIfHxkpLbPSM=',
  '=>\tgolang.org/x/net\tv0.19.0\th1:zTwKpTd2XuCqf8huc7Fo2iSy+4RHPG10/GJDEyTs5ao=',
  'dep\tgithub.com/acme/internal\tv0.0.0-00010101000000-000000000000\t',
  '=>\t../internal\t\t',
  'build\t-buildmode=exe',
  'build\t-compiler=gc',
  'build\tCGO_ENABLED=0',
  'build\t-ldflags="-s -w -X main.version=1.2.3"',
  'build\tGOARCH=amd64',
  'build\tGOOS=linux',
  'build\tvcs=git',
  'build\tvcs.revision=8b1f3a0c9e2d4f6a7b8c9d0e1f2a3b4c5d6e7f80',
]);
const summary = (pkgs: Package[]) => pkgs.map((p) => `${p.name} ${p.version} ${p.purl}`);
const EXPECTED = [
  'github.com/acme/tool (devel) pkg:golang/github.com/acme/tool',
  'github.com/BurntSushi/toml v1.3.2 pkg:golang/github.com/BurntSushi/toml@v1.3.2',
  'github.com/docker/docker v24.0.7+incompatible pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible',
  'golang.org/x/net v0.19.0 pkg:golang/golang.org/x/net@v0.19.0',
  'github.com/acme/internal (devel) pkg:golang/github.com/acme/internal',
];
const parse = (bytes: Buffer) => goBinaryCataloger.parse('usr/local/bin/tool', bytes, {});

test('Go 1.18+ build info in .go.buildinfo: main module, dependencies, replacements', () => {
  const pkgs = parse(goElf({ modinfo: MODINFO }));
  assert.deepEqual(summary(pkgs), EXPECTED);
  assert.deepEqual(pkgs[0]!.dependsOn, ['github.com/BurntSushi/toml', 'github.com/docker/docker', 'golang.org/x/net', 'github.com/acme/internal']);
  assert.ok(pkgs.every((p) => p.ecosystem === 'golang' && p.locations.join() === 'usr/local/bin/tool'));
  const info = readGoBuildInfo(goElf({ modinfo: MODINFO, goVersion: 'go1.22.1' }))!;
  assert.equal(info.goVersion, 'go1.22.1');
  assert.equal(info.path, 'github.com/acme/tool/cmd/tool');
  assert.deepEqual(info.deps[2], {
    path: 'golang.org/x/net',
    version: 'v0.17.0',
    sum: 'h1:pVaXccu2ozPjCXewfr1S7xoPd4WIj1mxIfHxkpLbPSM=',
    replace: { path: 'golang.org/x/net', version: 'v0.19.0', sum: 'h1:zTwKpTd2XuCqf8huc7Fo2iSy+4RHPG10/GJDEyTs5ao=' },
  });
});

test('found through the writable data segment when section headers are stripped', () => {
  assert.deepEqual(summary(parse(goElf({ modinfo: MODINFO, sections: false }))), EXPECTED);
  assert.deepEqual(summary(parse(goElf({ modinfo: MODINFO, sections: false, padding: 64 }))), EXPECTED);
});

test('pre-1.18 pointer format, in both ELF classes and byte orders', () => {
  for (const [is64, bigEndian] of [[true, false], [false, false], [false, true], [true, true]] as const) {
    const bytes = goElf({ modinfo: MODINFO, format: 'pointer', is64, bigEndian, goVersion: 'go1.16.15' });
    assert.equal(readGoBuildInfo(bytes)?.goVersion, 'go1.16.15', `is64=${is64} big=${bigEndian}`);
    assert.deepEqual(summary(parse(bytes)), EXPECTED);
  }
  assert.deepEqual(summary(parse(goElf({ modinfo: MODINFO, is64: false, bigEndian: true }))), EXPECTED);
});

test('binaries without module info: GOPATH builds and a missing mod line', () => {
  assert.deepEqual(parse(goElf({ modinfo: '' })), []);
  assert.equal(readGoBuildInfo(goElf({ modinfo: '' }))?.goVersion, 'go1.21.5');
  const depsOnly = parse(goElf({ modinfo: modinfoOf(['path\tcommand-line-arguments', 'dep\tgolang.org/x/sys\tv0.14.0\th1:x=']) }));
  assert.deepEqual(summary(depsOnly), ['golang.org/x/sys v0.14.0 pkg:golang/golang.org/x/sys@v0.14.0']);
});

test('not Go, or not ELF: no packages', () => {
  assert.ok(!goBinaryCataloger.sniff!(Buffer.from('#!/bin/sh\necho hi\n')));
  assert.ok(goBinaryCataloger.sniff!(goElf()));
  assert.equal(readGoBuildInfo(Buffer.from('#!/bin/sh\n')), undefined);
  // A magic that is not 16-byte aligned is not build info (debug/buildinfo ignores it too).
  assert.deepEqual(parse(goElf({ modinfo: MODINFO, sections: false, padding: 8 })), []);
  const noMagic = goElf({ modinfo: MODINFO });
  noMagic.fill(0, 0x2000, 0x2010);
  assert.deepEqual(parse(noMagic), []);
  // An empty version means "not a Go executable".
  assert.deepEqual(parse(goElf({ modinfo: MODINFO, goVersion: '' })), []);
});

test('damaged files: a bounded, stable outcome', () => {
  assert.equal(codeOf(() => parse(Buffer.from('\x7fELF\x02\x01\x01', 'latin1'))), 'PACKAGE_METADATA_MALFORMED');
  const badClass = goElf();
  badClass[4] = 9;
  assert.equal(codeOf(() => parse(badClass)), 'PACKAGE_METADATA_MALFORMED');
  // Program and section tables pointing past the end are ignored, leaving nothing to find.
  const badTables = goElf({ modinfo: MODINFO });
  badTables.writeBigUInt64LE(1n << 40n, 32);
  badTables.writeBigUInt64LE(1n << 62n, 40);
  assert.deepEqual(parse(badTables), []);
  // A length prefix larger than the data is no build info.
  const badLength = goElf({ modinfo: MODINFO });
  badLength.set([0xff, 0xff, 0xff, 0xff, 0x0f], 0x2000 + 32);
  assert.deepEqual(parse(badLength), []);
  // 60000 sections whose names all point into an 8 MiB string table without a NUL: bounded work, and the
  // build info is still found through the data segment.
  const base = goElf({ modinfo: MODINFO, sections: false });
  const strtab = Buffer.alloc(8 << 20, 0x41);
  const table = Buffer.alloc(60000 * 64);
  for (let i = 0; i < 60000; i++) {
    table.writeUInt32LE(i % 4096, i * 64);
    table.writeUInt32LE(3, i * 64 + 4);
    table.writeBigUInt64LE(BigInt(base.length), i * 64 + 24);
    table.writeBigUInt64LE(BigInt(strtab.length), i * 64 + 32);
  }
  const manySections = Buffer.concat([base, strtab, table]);
  manySections.writeBigUInt64LE(BigInt(base.length + strtab.length), 40);
  manySections.writeUInt16LE(64, 58);
  manySections.writeUInt16LE(60000, 60);
  const started = Date.now();
  assert.deepEqual(summary(parse(manySections)), EXPECTED);
  assert.ok(Date.now() - started < 5000);
  const garbage = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(1 << 20, 0xa5)]);
  assert.equal(codeOf(() => parse(garbage)), 'ok');
});

test('module info syntax errors are PACKAGE_METADATA_MALFORMED, as ParseBuildInfo fails', () => {
  const bad = [
    ['=>\tx\tv1\th1:'],
    ['dep\tx\tv1', '=>\ty\tv2'],
    ['dep\tx'],
    ['dep\tx\tv1\th1:\textra'],
  ];
  for (const lines of bad) assert.equal(codeOf(() => parseModInfo(modinfoOf(lines))), 'PACKAGE_METADATA_MALFORMED', lines.join('|'));
  assert.equal(codeOf(() => parse(goElf({ modinfo: modinfoOf(['dep\tx y\tv1\t']) }))), 'PACKAGE_METADATA_MALFORMED');
  assert.equal(codeOf(() => parse(goElf({ modinfo: modinfoOf(['dep\t\tv1\t']) }))), 'PACKAGE_METADATA_MALFORMED');
  // Unknown lines are skipped and a last line without its newline is ignored.
  assert.deepEqual(parseModInfo('future\tthing\ndep\ta\tv1\t\ndep\tb\tv2\t'), { deps: [{ path: 'a', version: 'v1', sum: '' }] });
});
