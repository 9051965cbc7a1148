import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apkPurl,
  buildPurl,
  debPurl,
  golangPurl,
  normalizePypiName,
  npmPurl,
  purlEncode,
  pypiPurl,
  rpmPurl,
} from '../../../src/analyze/catalog/purl.js';
import { parseOsRelease } from '../../../src/analyze/catalog/os-release.js';
import type { OsRelease } from '../../../src/analyze/catalog/package.js';
import { codeOf } from './support.js';

const debian12: OsRelease = { id: 'debian', versionId: '12', versionCodename: 'bookworm' };

test('percent-encodes everything but letters, digits, ".-_~" and the colon, as UTF-8', () => {
  assert.equal(purlEncode('1:2.4.47-2+b1'), '1:2.4.47-2%2Bb1');
  assert.equal(purlEncode('a/b c@d?e#f%g&h=i'), 'a%2Fb%20c%40d%3Fe%23f%25g%26h%3Di');
  assert.equal(purlEncode('~._-AZaz09'), '~._-AZaz09');
  assert.equal(purlEncode('é😃'), '%C3%A9%F0%9F%98%83');
  assert.equal(purlEncode('(devel)'), '%28devel%29');
});

test('deb purls: vendor from os-release, lowercase name, epoch kept, qualifiers sorted (purl-spec deb examples)', () => {
  assert.equal(debPurl('attr', '1:2.4.47-2+b1', 'amd64', undefined), 'pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64');
  assert.equal(debPurl('curl', '7.50.3-1', 'i386', debian12), 'pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=debian-12');
  assert.equal(debPurl('dpkg', '1.19.0.4', 'amd64', { id: 'ubuntu', versionId: '22.04' }), 'pkg:deb/ubuntu/dpkg@1.19.0.4?arch=amd64&distro=ubuntu-22.04');
  // Debian testing has a codename and no VERSION_ID.
  assert.equal(debPurl('libc6', '2.40-1', undefined, { id: 'debian', versionCodename: 'trixie' }), 'pkg:deb/debian/libc6@2.40-1?distro=debian-trixie');
});

test('apk and rpm purls (purl-spec examples)', () => {
  assert.equal(apkPurl('curl', '7.83.0-r0', 'x86', undefined), 'pkg:apk/alpine/curl@7.83.0-r0?arch=x86');
  assert.equal(apkPurl('musl', '1.2.4_git20230717-r4', 'x86_64', { id: 'alpine', versionId: '3.19.1' }), 'pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1');
  assert.equal(rpmPurl('curl', '7.50.3-1.fc25', undefined, 'i386', { id: 'fedora', versionId: '25' }), 'pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25');
  assert.equal(rpmPurl('centerim', '4.22.10-1.el6', 1, 'i686', undefined), 'pkg:rpm/centerim@4.22.10-1.el6?arch=i686&epoch=1');
  assert.equal(rpmPurl('NetworkManager', '1.42.2-1.fc38', 1, 'x86_64', { id: 'fedora', versionId: '38' }), 'pkg:rpm/fedora/NetworkManager@1.42.2-1.fc38?arch=x86_64&distro=fedora-38&epoch=1');
});

test('npm purls: the scope is the namespace with "@" encoded; scope and name are lowercased', () => {
  assert.equal(npmPurl('@angular/animation', '12.3.1'), 'pkg:npm/%40angular/animation@12.3.1');
  assert.equal(npmPurl('LoDash', '4.17.21'), 'pkg:npm/lodash@4.17.21');
  assert.equal(npmPurl('@MyScope/MyPackage', '1.0.0'), 'pkg:npm/%40myscope/mypackage@1.0.0');
  assert.equal(npmPurl('foobar', '1.2.3-alpha.1+build.456'), 'pkg:npm/foobar@1.2.3-alpha.1%2Bbuild.456');
});

test('pypi purls use the PEP 503 normalised name', () => {
  assert.equal(normalizePypiName('Django_Allauth'), 'django-allauth');
  assert.equal(normalizePypiName('zope.interface'), 'zope-interface');
  assert.equal(normalizePypiName('A__b.-_c'), 'a-b-c');
  assert.equal(pypiPurl('PyYAML', '6.0.1'), 'pkg:pypi/pyyaml@6.0.1');
  assert.equal(pypiPurl('Django', '1.11.1'), 'pkg:pypi/django@1.11.1');
});

test('golang purls: the module path is namespace and name, case kept, "(devel)" is no version', () => {
  assert.equal(golangPurl('github.com/gorilla/context', '234fd47e07d1004f0aed9c'), 'pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c');
  assert.equal(golangPurl('github.com/BurntSushi/toml', 'v1.3.2'), 'pkg:golang/github.com/BurntSushi/toml@v1.3.2');
  assert.equal(golangPurl('github.com/docker/docker', 'v24.0.7+incompatible'), 'pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible');
  assert.equal(golangPurl('example.com/app', '(devel)'), 'pkg:golang/example.com/app');
  assert.equal(golangPurl('std', 'v1'), 'pkg:golang/std@v1');
});

test('buildPurl drops empty qualifiers, sorts the rest and refuses bad keys', () => {
  assert.equal(buildPurl({ type: 'generic', name: 'x', qualifiers: { z: '1', a: '', m: undefined, b: 'a b' } }), 'pkg:generic/x?b=a%20b&z=1');
  assert.equal(buildPurl({ type: 'generic', namespace: '/a//b/', name: 'c' }), 'pkg:generic/a/b/c');
  assert.throws(() => buildPurl({ type: 'generic', name: 'x', qualifiers: { 'In Production': 'true' } }), TypeError);
});

test('os-release: quoting and escapes as in os-release(5), comments, and what is missing', () => {
  const text = [
    '# comment',
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
    'NAME="Debian GNU/Linux"',
    "VERSION_ID='12'",
    'VERSION_CODENAME=bookworm',
    'ID=Debian',
    'ID_LIKE="rhel  fedora"',
    'not an assignment',
    'HOME_URL="https://www.debian.org/\\"x\\\\y\\z"',
  ].join('\n');
  assert.deepEqual(parseOsRelease(Buffer.from(text)), {
    id: 'debian',
    versionId: '12',
    versionCodename: 'bookworm',
    idLike: ['rhel', 'fedora'],
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
  });
  // In double quotes only \$ \` \" \\ are escapes; unquoted, a backslash escapes any character.
  const escaped = parseOsRelease(Buffer.from('ID=x\nPRETTY_NAME="a \\"b\\" \\\\c \\d"\nVERSION_ID=1\\ 2\n'));
  assert.deepEqual([escaped?.prettyName, escaped?.versionId], ['a "b" \\c \\d', '1 2']);
  assert.equal(parseOsRelease(Buffer.from('NAME=x\n')), undefined);
  assert.equal(codeOf(() => parseOsRelease(Buffer.alloc(65 * 1024, 0x41))), 'INPUT_TOO_LARGE');
});
