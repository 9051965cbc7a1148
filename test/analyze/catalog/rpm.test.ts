import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRpmHeader, RPMTAG } from '../../../src/analyze/catalog/rpm-header.js';
import { catalogRpmHeaders, parseSourceRpm } from '../../../src/analyze/catalog/rpm.js';
import { codeOf } from './support.js';
import { rawRpmHeader, rpmHeaderBlob, type RpmValue } from './rpm-blob.js';

const RPMSENSE_RPMLIB = 1 << 24;
const LOCATION = 'var/lib/rpm/rpmdb.sqlite';
const fedora38 = { osRelease: { id: 'fedora', versionId: '38' } };

function pkg(name: string, version: string, release: string, extra: RpmValue[] = []): Buffer {
  return rpmHeaderBlob([
    { tag: RPMTAG.NAME, type: 'string', value: name },
    { tag: RPMTAG.VERSION, type: 'string', value: version },
    { tag: RPMTAG.RELEASE, type: 'string', value: release },
    { tag: RPMTAG.ARCH, type: 'string', value: 'x86_64' },
    { tag: 1004, type: 'i18n', value: [`The ${name} package`] }, // SUMMARY
    ...extra,
  ]);
}

const bash = pkg('bash', '5.2.15', '3.fc38', [
  { tag: RPMTAG.LICENSE, type: 'string', value: 'GPL-3.0-or-later' },
  { tag: RPMTAG.SOURCERPM, type: 'string', value: 'bash-5.2.15-3.fc38.src.rpm' },
  { tag: RPMTAG.PROVIDENAME, type: 'strings', value: ['/bin/bash', 'bash', 'bash(x86-64)', 'config(bash)'] },
  { tag: RPMTAG.REQUIRENAME, type: 'strings', value: ['filesystem', 'libc.so.6()(64bit)', 'libtinfo.so.6()(64bit)', 'rpmlib(CompressedFileNames)'] },
  { tag: RPMTAG.REQUIREFLAGS, type: 'int32', value: [0, 0x4000, 0x4000, RPMSENSE_RPMLIB | 8] },
  { tag: RPMTAG.DIRINDEXES, type: 'int32', value: [0, 0, 1] },
  { tag: RPMTAG.BASENAMES, type: 'strings', value: ['bash', 'sh', 'bash'] },
  { tag: RPMTAG.DIRNAMES, type: 'strings', value: ['/usr/bin/', '/etc/skel/'] },
]);
const glibc = pkg('glibc', '2.37', '4.fc38', [
  { tag: RPMTAG.LICENSE, type: 'string', value: 'LGPL-2.1-or-later AND GPL-2.0-or-later' },
  { tag: RPMTAG.SOURCERPM, type: 'string', value: 'glibc-2.37-4.fc38.src.rpm' },
  { tag: RPMTAG.PROVIDENAME, type: 'strings', value: ['glibc', 'libc.so.6()(64bit)', 'rtld(GNU_HASH)'] },
]);
const ncurses = pkg('ncurses-libs', '6.4', '3.20230114.fc38', [
  { tag: RPMTAG.SOURCERPM, type: 'string', value: 'ncurses-6.4-3.20230114.fc38.src.rpm' },
  { tag: RPMTAG.PROVIDENAME, type: 'strings', value: ['libtinfo.so.6()(64bit)', 'ncurses-libs'] },
  { tag: RPMTAG.REQUIRENAME, type: 'strings', value: ['/usr/bin/sh', 'libc.so.6()(64bit)'] },
]);
const openssl = pkg('openssl-libs', '3.0.9', '2.fc38', [
  { tag: RPMTAG.EPOCH, type: 'int32', value: [1] },
  { tag: RPMTAG.SOURCERPM, type: 'string', value: 'openssl-3.0.9-2.fc38.src.rpm' },
]);
const gpgKey = rpmHeaderBlob([
  { tag: RPMTAG.NAME, type: 'string', value: 'gpg-pubkey' },
  { tag: RPMTAG.VERSION, type: 'string', value: 'eb10b464' },
  { tag: RPMTAG.RELEASE, type: 'string', value: '6202d9c6' },
]);

test('reads the tags of a header blob built per the format', () => {
  const h = parseRpmHeader(bash);
  assert.equal(h.string(RPMTAG.NAME), 'bash');
  assert.equal(h.string(1004), 'The bash package');
  assert.deepEqual(h.strings(RPMTAG.BASENAMES), ['bash', 'sh', 'bash']);
  assert.deepEqual(h.ints(RPMTAG.DIRINDEXES), [0, 0, 1]);
  assert.equal(h.string(RPMTAG.EPOCH), undefined);
  assert.equal(codeOf(() => h.ints(RPMTAG.NAME)), 'PACKAGE_METADATA_MALFORMED');
  assert.equal(codeOf(() => h.string(RPMTAG.DIRINDEXES)), 'PACKAGE_METADATA_MALFORMED');
});

test('catalogs headers: EVR versions, epoch qualifier, source RPM, licences, gpg-pubkey skipped', () => {
  const pkgs = catalogRpmHeaders([bash, glibc, gpgKey, ncurses, openssl], LOCATION, fedora38);
  assert.deepEqual(pkgs.map((p) => `${p.name} ${p.version}`), [
    'bash 5.2.15-3.fc38',
    'glibc 2.37-4.fc38',
    'ncurses-libs 6.4-3.20230114.fc38',
    'openssl-libs 1:3.0.9-2.fc38',
  ]);
  const [b, g, n, o] = pkgs as [typeof pkgs[0], typeof pkgs[0], typeof pkgs[0], typeof pkgs[0]];
  assert.equal(b.purl, 'pkg:rpm/fedora/bash@5.2.15-3.fc38?arch=x86_64&distro=fedora-38');
  assert.equal(o.purl, 'pkg:rpm/fedora/openssl-libs@3.0.9-2.fc38?arch=x86_64&distro=fedora-38&epoch=1');
  assert.deepEqual(b.source, { name: 'bash', version: '5.2.15-3.fc38' });
  assert.deepEqual(n.source, { name: 'ncurses', version: '6.4-3.20230114.fc38' });
  assert.deepEqual(g.licenses, ['LGPL-2.1-or-later AND GPL-2.0-or-later']);
  assert.deepEqual([b.arch, b.ecosystem, b.locations], ['x86_64', 'rpm', [LOCATION]]);
  assert.equal(catalogRpmHeaders([openssl], LOCATION)[0]!.purl, 'pkg:rpm/openssl-libs@3.0.9-2.fc38?arch=x86_64&epoch=1');
});

test('requirements resolve through provides and file lists; rpmlib and unprovided ones are dropped', () => {
  const pkgs = catalogRpmHeaders([bash, glibc, ncurses, openssl], LOCATION, fedora38);
  // "filesystem" is not installed here; libc and libtinfo resolve to their providers.
  assert.deepEqual(pkgs[0]!.dependsOn, ['glibc', 'ncurses-libs']);
  // "/usr/bin/sh" is a file of bash.
  assert.deepEqual(pkgs[2]!.dependsOn, ['bash', 'glibc']);
  assert.equal(pkgs[1]!.dependsOn, undefined);
});

test('source RPM file names', () => {
  assert.deepEqual(parseSourceRpm('util-linux-2.38.1-4.fc38.src.rpm'), { name: 'util-linux', version: '2.38.1-4.fc38' });
  assert.deepEqual(parseSourceRpm('kernel-6.5.6-300.fc39.nosrc.rpm'), { name: 'kernel', version: '6.5.6-300.fc39' });
  assert.equal(parseSourceRpm('nonsense'), undefined);
  assert.equal(parseSourceRpm('-1-2.src.rpm'), undefined);
  assert.equal(parseSourceRpm('a-1-.src.rpm'), undefined);
  assert.equal(parseSourceRpm(`${'-'.repeat(1 << 20)}.src.rpm`), undefined);
  assert.equal(parseSourceRpm(undefined), undefined);
});

test('malformed header blobs are refused with PACKAGE_METADATA_MALFORMED', () => {
  const nameEntry: [number, number, number, number] = [RPMTAG.NAME, 6, 0, 1];
  const bad: Buffer[] = [
    Buffer.alloc(4),
    rawRpmHeader([], Buffer.alloc(0)), // no entries
    rawRpmHeader([nameEntry], Buffer.from('bash\0'), { il: 0x10000 }),
    rawRpmHeader([nameEntry], Buffer.from('bash\0'), { dl: 0x10000000 }),
    rawRpmHeader([nameEntry], Buffer.from('bash\0'), { dl: 4 }), // length disagrees with counts
    Buffer.concat([rawRpmHeader([nameEntry], Buffer.from('bash\0')), Buffer.alloc(1)]),
    rawRpmHeader([[RPMTAG.NAME, 6, 5, 1]], Buffer.from('bash\0')), // offset outside
    rawRpmHeader([[RPMTAG.NAME, 6, -1, 1]], Buffer.from('bash\0')),
    rawRpmHeader([[RPMTAG.NAME, 42, 0, 1]], Buffer.from('bash\0')), // unknown type
    rawRpmHeader([[RPMTAG.NAME, 6, 0, 2]], Buffer.from('bash\0')), // STRING with count 2
    rawRpmHeader([[RPMTAG.NAME, 6, 0, 0]], Buffer.from('bash\0')), // count 0
    rawRpmHeader([[RPMTAG.EPOCH, 4, 1, 1]], Buffer.alloc(8)), // misaligned INT32
    rawRpmHeader([[RPMTAG.EPOCH, 4, 4, 2]], Buffer.alloc(8)), // runs past the store
    rawRpmHeader([[RPMTAG.PROVIDENAME, 8, 0, 9]], Buffer.from('a\0b\0')), // more strings than bytes
    rawRpmHeader([nameEntry, nameEntry], Buffer.from('bash\0')), // tag twice
  ];
  bad.forEach((blob, i) => assert.equal(codeOf(() => parseRpmHeader(blob)), 'PACKAGE_METADATA_MALFORMED', `case ${i}`));
  // Caught when read: a string without its NUL, and headers lacking what a package needs.
  const unterminated = rawRpmHeader([[RPMTAG.NAME, 6, 0, 1], [RPMTAG.VERSION, 6, 0, 1], [RPMTAG.RELEASE, 6, 0, 1]], Buffer.from('bash'));
  assert.equal(codeOf(() => catalogRpmHeaders([unterminated], LOCATION)), 'PACKAGE_METADATA_MALFORMED');
  const nameless = rpmHeaderBlob([{ tag: RPMTAG.VERSION, type: 'string', value: '1' }]);
  assert.equal(codeOf(() => catalogRpmHeaders([nameless], LOCATION)), 'PACKAGE_METADATA_MALFORMED');
  const badIndex = pkg('x', '1', '1', [
    { tag: RPMTAG.REQUIRENAME, type: 'strings', value: ['/bin/sh'] },
    { tag: RPMTAG.DIRINDEXES, type: 'int32', value: [5] },
    { tag: RPMTAG.BASENAMES, type: 'strings', value: ['sh'] },
    { tag: RPMTAG.DIRNAMES, type: 'strings', value: ['/bin/'] },
  ]);
  assert.equal(codeOf(() => catalogRpmHeaders([badIndex], LOCATION)), 'PACKAGE_METADATA_MALFORMED');
});

test('many entries sharing one long string array cost no more than reading it', () => {
  const store = Buffer.alloc(4 * 1024 * 1024);
  const entries = Array.from({ length: 60000 }, (_, i): [number, number, number, number] => [5000 + i, 8, 0, store.length]);
  const started = Date.now();
  const h = parseRpmHeader(rawRpmHeader(entries, store));
  assert.equal(h.strings(5000)!.length, store.length);
  assert.ok(Date.now() - started < 5000);
});
