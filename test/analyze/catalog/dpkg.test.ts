import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dpkgCataloger, copyrightLicenses } from '../../../src/analyze/catalog/dpkg.js';
import type { CatalogContext, Package } from '../../../src/analyze/catalog/package.js';
import { codeOf, fixture } from './support.js';

const status = fixture('dpkg/status');
const copyrights = new Map([['usr/share/doc/login/copyright', fixture('dpkg/usr/share/doc/login/copyright')]]);
const context: CatalogContext = { osRelease: { id: 'debian', versionId: '12' }, file: (p) => copyrights.get(p) };
const parse = (text: string | Buffer, path = 'var/lib/dpkg/status', ctx: CatalogContext = {}): Package[] =>
  dpkgCataloger.parse(path, typeof text === 'string' ? Buffer.from(text) : text, ctx);
const byName = (pkgs: Package[], name: string, arch = 'amd64') => pkgs.find((p) => p.name === name && p.arch === arch)!;
const STANZA = 'Package: hello\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.10-3\n';

test('reads the installed packages of a bookworm status file, and only those', () => {
  const pkgs = parse(status, 'var/lib/dpkg/status', context);
  assert.deepEqual(
    pkgs.map((p) => `${p.name} ${p.version} ${p.arch}`),
    [
      'base-files 12.4+deb12u11 amd64',
      'bsdutils 1:2.38.1-5+deb12u3 amd64',
      'login 1:4.13+dfsg1-1+deb12u2 amd64',
      'libc6 2.36-9+deb12u14 amd64',
      'libc6 2.36-9+deb12u14 i386',
      'libgmp10 2:6.2.1+dfsg1-1.1 amd64', // "hold ok installed"
      'tzdata 2025b-0+deb12u1 all',
      'python3-apt 2.6.0 amd64',
    ], // not vim-tiny ("deinstall ok config-files") nor curl ("install ok unpacked")
  );
  assert.ok(pkgs.every((p) => p.ecosystem === 'deb' && p.locations[0] === 'var/lib/dpkg/status'));
});

test('Source with and without a version; dpkg-query defaults for a missing Source', () => {
  const pkgs = parse(status, 'var/lib/dpkg/status', context);
  assert.deepEqual(byName(pkgs, 'bsdutils').source, { name: 'util-linux', version: '2.38.1-5+deb12u3' });
  assert.deepEqual(byName(pkgs, 'login').source, { name: 'shadow', version: '1:4.13+dfsg1-1+deb12u2' });
  assert.deepEqual(byName(pkgs, 'base-files').source, { name: 'base-files', version: '12.4+deb12u11' });
  assert.deepEqual(byName(pkgs, 'python3-apt').source, { name: 'python-apt', version: '2.6.0' });
});

test('purls carry the epoch, an encoded "+", the arch and the distro', () => {
  const pkgs = parse(status, 'var/lib/dpkg/status', context);
  assert.equal(byName(pkgs, 'bsdutils').purl, 'pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12');
  assert.equal(byName(pkgs, 'libc6', 'i386').purl, 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=i386&distro=debian-12');
  assert.equal(byName(pkgs, 'tzdata', 'all').purl, 'pkg:deb/debian/tzdata@2025b-0%2Bdeb12u1?arch=all&distro=debian-12');
  assert.equal(parse(status)[0]!.purl, 'pkg:deb/debian/base-files@12.4%2Bdeb12u11?arch=amd64');
});

test('Depends and Pre-Depends become names: alternatives, versions, ":any" and continuation lines', () => {
  const pkgs = parse(status, 'var/lib/dpkg/status', context);
  assert.deepEqual(byName(pkgs, 'login').dependsOn, ['libaudit1', 'libc6', 'libcrypt1', 'libpam0g', 'libpam-runtime', 'libpam-modules']);
  assert.deepEqual(byName(pkgs, 'tzdata', 'all').dependsOn, ['debconf', 'debconf-2.0']);
  assert.deepEqual(byName(pkgs, 'python3-apt').dependsOn, ['python3', 'libapt-pkg6.0', 'libc6', 'libgcc-s1', 'libstdc++6', 'distro-info-data']);
  assert.deepEqual(byName(pkgs, 'base-files').dependsOn, ['awk']);
  const odd = parse(`${STANZA}Depends: a:amd64 (>= 1) [linux-any] <!nocheck>, b|c (<<2),, d\n`);
  assert.deepEqual(odd[0]!.dependsOn, ['a', 'b', 'c', 'd']);
});

test('licences come from a DEP-5 copyright file when the caller has it', () => {
  const pkgs = parse(status, 'var/lib/dpkg/status', context);
  const login = byName(pkgs, 'login');
  assert.deepEqual(login.licenses, ['BSD-3-clause', 'GPL-2+']);
  assert.deepEqual(login.locations, ['var/lib/dpkg/status', 'usr/share/doc/login/copyright']);
  assert.equal(byName(pkgs, 'bsdutils').licenses, undefined);
  assert.equal(copyrightLicenses(Buffer.from('This is free-form.\nIt is under the GPL.\n')), undefined);
  assert.ok(dpkgCataloger.consults!('/usr/share/doc/login/copyright'));
  assert.ok(!dpkgCataloger.consults!('usr/share/doc/login/changelog.Debian.gz'));
  assert.ok(!dpkgCataloger.matches('usr/share/doc/login/copyright'));
});

test('distroless status.d: one file per package, no Status needed, md5sums files not matched', () => {
  assert.ok(dpkgCataloger.matches('var/lib/dpkg/status'));
  assert.ok(dpkgCataloger.matches('/var/lib/dpkg/status.d/libssl3'));
  assert.ok(!dpkgCataloger.matches('var/lib/dpkg/status.d/libssl3.md5sums'));
  assert.ok(!dpkgCataloger.matches('var/lib/dpkg/status-old'));
  assert.ok(!dpkgCataloger.matches('var/lib/dpkg/status.d/sub/x'));
  const text = 'Package: libssl3\nVersion: 3.0.15-1~deb12u1\nArchitecture: arm64\nSource: openssl\nDepends: libc6 (>= 2.34)\n';
  const [pkg] = parse(text, 'var/lib/dpkg/status.d/libssl3');
  assert.deepEqual(
    [pkg!.name, pkg!.version, pkg!.arch, pkg!.source, pkg!.dependsOn],
    ['libssl3', '3.0.15-1~deb12u1', 'arm64', { name: 'openssl', version: '3.0.15-1~deb12u1' }, ['libc6']],
  );
  assert.equal(codeOf(() => parse(text)), 'PACKAGE_METADATA_MALFORMED'); // the main status file needs Status
});

test('tolerates CRLF, whitespace-only separators and a missing final newline', () => {
  const text = `${STANZA.replace(/\n/g, '\r\n')} \t\r\n${STANZA.replace('hello', 'hi').trimEnd()}`;
  assert.deepEqual(parse(text).map((p) => `${p.name} ${p.version}`), ['hello 2.10-3', 'hi 2.10-3']);
});

test('malformed databases are refused with PACKAGE_METADATA_MALFORMED', () => {
  const bad = [
    Buffer.from([0x50, 0x61, 0x00, 0xff, 0xfe, 0x0a, 0x13, 0x37]), // binary
    ' continuation first\n',
    'no colon here\n',
    '#Comment: x\n',
    `${STANZA}Version: 2\n`, // repeated field
    STANZA.replace('install ok installed', 'install ok'),
    STANZA.replace('install ok installed', 'install fine installed'),
    STANZA.replace('Version: 2.10-3\n', ''),
    STANZA.replace('Version: 2.10-3', 'Version: 2.10 3'),
    STANZA.replace('hello', 'hel lo'),
    STANZA.replace('hello', '-hello'),
    STANZA.replace('amd64', 'amd 64'),
    `${STANZA}Depends: libc6 (>= 2.34\n`,
    `${STANZA}Depends: libc6 (~ 2)\n`,
    `${STANZA}Source: glibc (2.36\n`,
  ];
  for (const input of bad) assert.equal(codeOf(() => parse(input)), 'PACKAGE_METADATA_MALFORMED', String(input));
  // Broken fields of packages that are not installed do not matter.
  assert.equal(parse(STANZA.replace('install ok installed', 'purge ok not-installed').replace('Version: 2.10-3\n', '')).length, 0);
});

test('a huge line is handled in bounded time', () => {
  const long = Buffer.alloc(32 * 1024 * 1024, 0x61);
  const started = Date.now();
  assert.equal(codeOf(() => parse(long)), 'PACKAGE_METADATA_MALFORMED');
  const description = `${STANZA}Description: x\n ${'y'.repeat(8 * 1024 * 1024)}\n`;
  assert.equal(parse(description).length, 1);
  // Runs of spaces are where backtracking parsers go polynomial.
  const spaces = ' '.repeat(1024 * 1024);
  assert.equal(codeOf(() => parse(`${STANZA}Depends: a${spaces}(${spaces}>=${spaces}1${spaces}x\n`)), 'PACKAGE_METADATA_MALFORMED');
  assert.deepEqual(parse(`${STANZA}Depends: a${spaces}(>= 1)${spaces}[amd64]${spaces}<!x>${spaces}, b\n`)[0]!.dependsOn, ['a', 'b']);
  assert.deepEqual(copyrightLicenses(Buffer.from(`License: MIT${spaces}x\nLicense:${spaces}\n`)), undefined);
  assert.ok(Date.now() - started < 5000);
});
