import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogAll, CATALOGERS, type Cataloger } from '../../../src/analyze/catalog/index.js';
import { fixture } from './support.js';
import { goElf, modinfoOf } from './go-elf.js';

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n';
const lodash = (license = 'MIT') => Buffer.from(JSON.stringify({ name: 'lodash', version: '4.17.21', license }));
const lockfile = Buffer.from(
  JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'app' }, 'node_modules/lodash': { version: '4.17.21', license: 'MIT' } } }),
);

function image(): Map<string, Buffer> {
  return new Map<string, Buffer>([
    ['/usr/lib/os-release', Buffer.from(OS_RELEASE)],
    ['/var/lib/dpkg/status', fixture('dpkg/status')],
    ['/usr/share/doc/login/copyright', fixture('dpkg/usr/share/doc/login/copyright')],
    ['/app/node_modules/lodash/package.json', lodash()],
    ['/app/package-lock.json', lockfile],
    ['/app/node_modules/broken/package.json', Buffer.from('{"name": "broken",')],
    ['/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA', Buffer.from('Name: six\nVersion: 1.16.0\nLicense: MIT\n')],
    ['/usr/local/bin/tool', goElf({ modinfo: modinfoOf(['mod\texample.com/tool\tv1.0.0\t', 'dep\tgolang.org/x/sys\tv0.14.0\th1:x=']) })],
    ['/usr/bin/script', Buffer.from('#!/bin/sh\n')],
  ]);
}

test('catalogs every ecosystem of an image, with the os-release found in it', () => {
  const result = catalogAll(image());
  assert.deepEqual(result.osRelease, {
    id: 'debian',
    versionId: '12',
    versionCodename: 'bookworm',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
  });
  const purls = result.packages.map((p) => p.purl);
  assert.ok(purls.includes('pkg:deb/debian/login@1:4.13%2Bdfsg1-1%2Bdeb12u2?arch=amd64&distro=debian-12'));
  assert.ok(purls.includes('pkg:pypi/six@1.16.0'));
  assert.ok(purls.includes('pkg:golang/example.com/tool@v1.0.0'));
  assert.ok(purls.includes('pkg:golang/golang.org/x/sys@v0.14.0'));
  assert.equal(result.packages.filter((p) => p.ecosystem === 'deb').length, 8);
  const login = result.packages.find((p) => p.name === 'login')!;
  assert.deepEqual(login.licenses, ['BSD-3-clause', 'GPL-2+']);
  assert.deepEqual(login.locations, ['var/lib/dpkg/status', 'usr/share/doc/login/copyright']);
});

test('entries with the same purl are merged; locations are root-relative paths', () => {
  const lodashes = catalogAll(image()).packages.filter((p) => p.name === 'lodash');
  assert.equal(lodashes.length, 1);
  assert.deepEqual(lodashes[0]!.locations, ['app/node_modules/lodash/package.json', 'app/package-lock.json']);
  const files = image();
  files.set('/app/node_modules/lodash/package.json', lodash('(MIT OR CC0-1.0)'));
  assert.deepEqual(catalogAll(files).packages.find((p) => p.name === 'lodash')!.licenses, ['(MIT OR CC0-1.0)', 'MIT']);
});

test('a file a cataloger cannot read is a problem, not a failure of the run', () => {
  const files = image();
  files.set('/lib/apk/db/installed', Buffer.from('garbage\n'));
  const result = catalogAll(files);
  assert.deepEqual(
    result.problems.map((p) => [p.path, p.cataloger, p.code]),
    [
      ['app/node_modules/broken/package.json', 'npm-package', 'JSON_MALFORMED'],
      ['lib/apk/db/installed', 'apk', 'PACKAGE_METADATA_MALFORMED'],
    ],
  );
  assert.ok(result.problems.every((p) => p.message.length > 0));
  assert.ok(result.packages.length > 10);
});

test('an os-release given by the caller wins over the image', () => {
  const result = catalogAll(image(), { id: 'ubuntu', versionId: '22.04' });
  assert.equal(result.osRelease?.id, 'ubuntu');
  assert.ok(result.packages.some((p) => p.purl === 'pkg:deb/ubuntu/base-files@12.4%2Bdeb12u11?arch=amd64&distro=ubuntu-22.04'));
  const none = catalogAll(new Map([['var/lib/dpkg/status', fixture('dpkg/status')]]));
  assert.equal(none.osRelease, undefined);
  assert.equal(none.packages[0]!.purl, 'pkg:deb/debian/base-files@12.4%2Bdeb12u11?arch=amd64');
});

test('size limits are checked before parsing; content sniffing comes first', () => {
  const tiny: Cataloger = { ...CATALOGERS.find((c) => c.name === 'python')!, maxBytes: 8 };
  const files = new Map([['x-1.dist-info/METADATA', Buffer.from('Name: x\nVersion: 1\n')]]);
  assert.deepEqual(catalogAll(files, undefined, [tiny]).problems.map((p) => p.code), ['INPUT_TOO_LARGE']);
  // A large non-ELF file is never offered to the Go cataloger.
  const goOnly = [CATALOGERS.find((c) => c.name === 'go-binary')!];
  const big = new Map([['srv/data.bin', Buffer.alloc(300 * 1024 * 1024)]]);
  assert.deepEqual(catalogAll(big, undefined, goOnly), { packages: [], problems: [] });
});

test('bugs are not swallowed as problems', () => {
  const buggy: Cataloger = { name: 'buggy', maxBytes: 100, matches: () => true, parse: () => { throw new TypeError('bug'); } };
  assert.throws(() => catalogAll(new Map([['a', Buffer.from('x')]]), undefined, [buggy]), TypeError);
});
