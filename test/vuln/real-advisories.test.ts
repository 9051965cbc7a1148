import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Package } from '../../src/formats/sbom-package.js';
import { AdvisoryIndex } from '../../src/vuln/advisory-index.js';
import { loadOsv } from '../../src/vuln/osv-load.js';
import type { Advisory } from '../../src/vuln/osv-record.js';
import type { DistroRelease } from '../../src/vuln/package-ecosystem.js';

// Real Debian 12 and Alpine v3.19 advisories; where each field comes from is in test/fixtures/osv/SOURCE.md, and
// what a scan of the minbase bookworm image must report is in test/fixtures/osv/debian-12/EXPECTED.md.
const fixtures = (sub: string): string => fileURLToPath(new URL(`../fixtures/osv/${sub}`, import.meta.url));
const debianSet = await loadOsv({ dir: fixtures('debian-12') });
const alpineSet = await loadOsv({ dir: fixtures('alpine') });
const index = AdvisoryIndex.build([...debianSet.advisories, ...alpineSet.advisories]);

const bookworm: DistroRelease = { distro: 'debian', versionId: '12' };
const alpine319: DistroRelease = { distro: 'alpine', versionId: '3.19.1' };

function pkg(ecosystem: 'deb' | 'apk', name: string, version: string, source?: { name: string; version?: string }): Package {
  return { ecosystem, name, version, purl: `pkg:${ecosystem}/${ecosystem === 'deb' ? 'debian' : 'alpine'}/${name}@${version}`, ...(source === undefined ? {} : { source }), locations: [] };
}
const deb = (name: string, version: string, sourceName?: string, sourceVersion?: string): Package =>
  pkg('deb', name, version, sourceName === undefined ? undefined : { name: sourceName, version: sourceVersion ?? version });

// The minbase bookworm image as installed: binary name, binary version, and the dpkg Source: name and version
// where they differ from the binary's.
const minbase: Package[] = [
  deb('adduser', '3.134'),
  deb('apt', '2.6.1'),
  deb('base-files', '12.4+deb12u15'),
  deb('bash', '5.2.15-2+b13', 'bash', '5.2.15-2'),
  deb('bsdutils', '1:2.38.1-5+deb12u3', 'util-linux', '2.38.1-5+deb12u3'),
  deb('coreutils', '9.1-1'),
  deb('dash', '0.5.12-2'),
  deb('debconf', '1.5.82'),
  deb('debianutils', '5.7-0.5~deb12u1'),
  deb('diffutils', '1:3.8-4'),
  deb('dpkg', '1.21.23'),
  deb('e2fsprogs', '1.47.0-2+b2', 'e2fsprogs', '1.47.0-2'),
  deb('findutils', '4.9.0-4'),
  deb('gcc-12-base', '12.2.0-14+deb12u1', 'gcc-12'),
  deb('gpgv', '2.2.40-1.1+deb12u2', 'gnupg2'),
  deb('grep', '3.8-5'),
  deb('gzip', '1.12-1'),
  deb('hostname', '3.23+nmu1'),
  deb('init-system-helpers', '1.65.2+deb12u1'),
  deb('libacl1', '2.3.1-3', 'acl'),
  deb('libapt-pkg6.0', '2.6.1', 'apt'),
  deb('libattr1', '1:2.5.1-4', 'attr'),
  deb('libaudit1', '1:3.0.9-1', 'audit'),
  deb('libblkid1', '2.38.1-5+deb12u3', 'util-linux'),
  deb('libbz2-1.0', '1.0.8-5+b1', 'bzip2', '1.0.8-5'),
  deb('libc-bin', '2.36-9+deb12u14', 'glibc'),
  deb('libc6', '2.36-9+deb12u14', 'glibc'),
  deb('libcap-ng0', '0.8.3-1+b3', 'libcap-ng', '0.8.3-1'),
  deb('libcap2', '1:2.66-4+deb12u3+b1', 'libcap2', '1:2.66-4+deb12u3'),
  deb('libcrypt1', '1:4.4.33-2', 'libxcrypt'),
  deb('libdb5.3', '5.3.28+dfsg2-1', 'db5.3'),
  deb('libdebconfclient0', '0.270', 'cdebconf'),
  deb('libffi8', '3.4.4-1', 'libffi'),
  deb('libgcrypt20', '1.10.1-3+deb12u1'),
  deb('libgmp10', '2:6.2.1+dfsg1-1.1', 'gmp'),
  deb('libgnutls30', '3.7.9-2+deb12u7', 'gnutls28'),
  deb('libgpg-error0', '1.46-1'),
  deb('libhogweed6', '3.8.1-2', 'nettle'),
  deb('libnettle8', '3.8.1-2', 'nettle'),
  deb('libidn2-0', '2.3.3-1+b1', 'libidn2', '2.3.3-1'),
  deb('liblz4-1', '1.9.4-1', 'lz4'),
  deb('liblzma5', '5.4.1-1+deb12u1', 'xz-utils'),
  deb('libmd0', '1.0.4-2'),
  deb('libp11-kit0', '0.24.1-2', 'p11-kit'),
  deb('libpam0g', '1.5.2-6+deb12u2', 'pam'),
  deb('libpam-modules', '1.5.2-6+deb12u2', 'pam'),
  deb('libpam-modules-bin', '1.5.2-6+deb12u2', 'pam'),
  deb('libpam-runtime', '1.5.2-6+deb12u2', 'pam'),
  deb('libpcre2-8-0', '10.42-1', 'pcre2'),
  deb('libseccomp2', '2.5.4-1+deb12u1'),
  deb('libselinux1', '3.4-1+b6', 'libselinux', '3.4-1'),
  deb('libsemanage2', '3.4-1+b5', 'libsemanage', '3.4-1'),
  deb('libsepol2', '3.4-2.1', 'libsepol'),
  deb('libstdc++6', '12.2.0-14+deb12u1', 'gcc-12'),
  deb('libsystemd0', '252.39-1~deb12u2', 'systemd'),
  deb('libudev1', '252.39-1~deb12u2', 'systemd'),
  deb('libtasn1-6', '4.19.0-2+deb12u1'),
  deb('libtinfo6', '6.4-4', 'ncurses'),
  deb('ncurses-base', '6.4-4', 'ncurses'),
  deb('ncurses-bin', '6.4-4', 'ncurses'),
  deb('libunistring2', '1.0-2'),
  deb('libxxhash0', '0.8.1-1', 'xxhash'),
  deb('libzstd1', '1.5.4+dfsg2-5', 'libzstd'),
  deb('login', '1:4.13+dfsg1-1+deb12u2', 'shadow'),
  deb('passwd', '1:4.13+dfsg1-1+deb12u2', 'shadow'),
  deb('mawk', '1.3.4.20200120-3.1'),
  deb('perl-base', '5.36.0-7+deb12u3', 'perl'),
  deb('sed', '4.9-1+deb12u1'),
  deb('sysvinit-utils', '3.06-4', 'sysvinit'),
  deb('tar', '1.34+dfsg-1.2+deb12u1'),
  deb('tzdata', '2026b-0+deb12u1'),
  deb('usr-is-merged', '37~deb12u1', 'usrmerge'),
  deb('util-linux', '2.38.1-5+deb12u3'),
  deb('zlib1g', '1:1.2.13.dfsg-1', 'zlib'),
];

// Every binary package not named here must match nothing (EXPECTED.md gives the reason for each advisory).
const expectedMinbase: Readonly<Record<string, readonly string[]>> = {
  apt: ['DEBIAN-CVE-2011-3374'],
  'libapt-pkg6.0': ['DEBIAN-CVE-2011-3374'],
  coreutils: ['DEBIAN-CVE-2016-2781', 'DEBIAN-CVE-2025-5278'],
  'libc-bin': ['DEBIAN-CVE-2010-4756', 'DEBIAN-CVE-2019-1010022'],
  libc6: ['DEBIAN-CVE-2010-4756', 'DEBIAN-CVE-2019-1010022'],
};

const ids = (p: Package, release: DistroRelease): string[] => index.match(p, release).map((f) => f.id).sort();
const advisory = (id: string): Advisory => {
  const found = [...debianSet.advisories, ...alpineSet.advisories].find((a) => a.id === id);
  assert.ok(found, `fixture ${id} is loaded`);
  return found;
};

test('real-advisories: every Debian 12 and Alpine fixture loads through the OSV directory loader', async () => {
  assert.deepEqual(debianSet.advisories.map((a) => a.id), [
    'DEBIAN-CVE-2010-4756',
    'DEBIAN-CVE-2011-3374',
    'DEBIAN-CVE-2016-2781',
    'DEBIAN-CVE-2019-1010022',
    'DEBIAN-CVE-2023-39804',
    'DEBIAN-CVE-2023-4911',
    'DEBIAN-CVE-2024-28085',
    'DEBIAN-CVE-2025-31115',
    'DEBIAN-CVE-2025-4598',
    'DEBIAN-CVE-2025-5278',
    'DEBIAN-CVE-2025-6020',
  ]);
  assert.deepEqual(alpineSet.advisories.map((a) => a.id), [
    'ALPINE-CVE-2021-36159',
    'ALPINE-CVE-2022-0778',
    'ALPINE-CVE-2022-37434',
    'ALPINE-CVE-2023-42363',
    'ALPINE-CVE-2025-26519',
  ]);
  assert.equal(debianSet.duplicates + alpineSet.duplicates, 0);
  // The whole fixture tree (GHSA records included) is one data set; EXPECTED.md and SOURCE.md are not records.
  const all = await loadOsv({ dir: fixtures('') });
  assert.equal(all.identity.advisories, 2 + 11 + 5);
  for (const a of [...debianSet.advisories, ...alpineSet.advisories]) {
    const cve = a.id.replace(/^(DEBIAN|ALPINE)-/, '');
    assert.deepEqual(a.upstream, [cve], `${a.id} names its CVE in upstream`);
    assert.equal(a.affected.length, 1, `${a.id} keeps one release`);
    assert.ok(a.published !== undefined, `${a.id} has a published date`);
  }
});

test('real-advisories: the minbase bookworm image matches exactly the advisories EXPECTED.md lists', () => {
  const seen = new Set<string>();
  for (const p of minbase) {
    const got = ids(p, bookworm);
    assert.deepEqual(got, expectedMinbase[p.name] ?? [], `${p.name} ${p.version}`);
    for (const f of index.match(p, bookworm)) {
      seen.add(f.id);
      assert.equal(f.result.affected, true, `${p.name} ${f.id}`);
      assert.equal(f.result.comparable, true, `${p.name} ${f.id}`);
      assert.deepEqual(f.result.fixed, [], `${f.id} has no fix in bookworm`);
      assert.equal(f.ecosystem, 'Debian:12');
    }
  }
  assert.deepEqual([...seen].sort(), [
    'DEBIAN-CVE-2010-4756',
    'DEBIAN-CVE-2011-3374',
    'DEBIAN-CVE-2016-2781',
    'DEBIAN-CVE-2019-1010022',
    'DEBIAN-CVE-2025-5278',
  ]);
});

test('real-advisories: the glibc findings are matched through the dpkg Source: field, not the binary name', () => {
  const [first] = index.match(deb('libc6', '2.36-9+deb12u14', 'glibc'), bookworm);
  assert.equal(first?.name, 'glibc');
  assert.equal(first.nameFrom, 'source');
  assert.equal(first.versionFrom, 'source');
  assert.deepEqual(ids(deb('libc6', '2.36-9+deb12u14'), bookworm), [], 'no advisory names the binary package libc6');
});

test('real-advisories: open bookworm advisories include one published after 2024-01-01 and a CRITICAL vector', () => {
  assert.ok((advisory('DEBIAN-CVE-2025-5278').published ?? '') > '2024-01-01T00:00:00Z');
  assert.ok((advisory('DEBIAN-CVE-2011-3374').published ?? '') < '2024-01-01T00:00:00Z');
  // NVD's primary CVSS 3.0 vector, base score 9.8 (CRITICAL), on an advisory with no fix in bookworm.
  assert.deepEqual(advisory('DEBIAN-CVE-2019-1010022').severity, [
    { type: 'CVSS_V3', score: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
  ]);
  assert.deepEqual(advisory('DEBIAN-CVE-2010-4756').severity, [], 'NVD gives only a CVSS 2 vector, which is left out');
  assert.deepEqual(advisory('DEBIAN-CVE-2025-31115').severity.map((s) => s.type), ['CVSS_V4']);
});

// Each fixed advisory against a real earlier bookworm version (from the package's changelog) and the fixed one.
const fixedInBookworm: readonly { id: string; below: Package; at: Package; fixed: string }[] = [
  { id: 'DEBIAN-CVE-2023-4911', below: deb('libc6', '2.36-9+deb12u2', 'glibc'), at: deb('libc6', '2.36-9+deb12u3', 'glibc'), fixed: '2.36-9+deb12u3' },
  {
    id: 'DEBIAN-CVE-2024-28085',
    below: deb('bsdutils', '1:2.38.1-5', 'util-linux', '2.38.1-5'),
    at: deb('bsdutils', '1:2.38.1-5+deb12u1', 'util-linux', '2.38.1-5+deb12u1'),
    fixed: '2.38.1-5+deb12u1',
  },
  { id: 'DEBIAN-CVE-2025-31115', below: deb('liblzma5', '5.4.1-0.2', 'xz-utils'), at: deb('liblzma5', '5.4.1-1', 'xz-utils'), fixed: '5.4.1-1' },
  {
    id: 'DEBIAN-CVE-2025-4598',
    below: deb('libsystemd0', '252.36-1~deb12u1', 'systemd'),
    at: deb('libsystemd0', '252.38-1~deb12u1', 'systemd'),
    fixed: '252.38-1~deb12u1',
  },
  { id: 'DEBIAN-CVE-2025-6020', below: deb('libpam0g', '1.5.2-6+deb12u1', 'pam'), at: deb('libpam0g', '1.5.2-6+deb12u2', 'pam'), fixed: '1.5.2-6+deb12u2' },
  { id: 'DEBIAN-CVE-2023-39804', below: deb('tar', '1.34+dfsg-1.2'), at: deb('tar', '1.34+dfsg-1.2+deb12u1'), fixed: '1.34+dfsg-1.2+deb12u1' },
];

test('real-advisories: advisories fixed in bookworm match the version before the fix and not the fixed one', () => {
  for (const { id, below, at, fixed } of fixedInBookworm) {
    const before = index.match(below, bookworm).find((f) => f.id === id);
    assert.equal(before?.result.affected, true, `${id} at ${below.version}`);
    assert.deepEqual(before.result.fixed, [fixed], id);
    assert.equal(index.match(at, bookworm).some((f) => f.id === id), false, `${id} at ${at.version}`);
  }
});

test('real-advisories: Debian:12 records say nothing about Debian 11 packages of the same source', () => {
  assert.deepEqual(ids(deb('libc6', '2.31-13+deb11u11', 'glibc'), { distro: 'debian', versionId: '11' }), []);
  assert.deepEqual(ids(deb('apt', '2.2.4'), { distro: 'debian', versionId: '11' }), []);
});

// Alpine v3.19 secdb fixed versions; "below" is a version of the same line just before the fix.
const alpineCases: readonly { id: string; below: Package; at: Package; fixed: string }[] = [
  { id: 'ALPINE-CVE-2023-42363', below: pkg('apk', 'busybox', '1.36.1-r16'), at: pkg('apk', 'busybox', '1.36.1-r17'), fixed: '1.36.1-r17' },
  {
    id: 'ALPINE-CVE-2025-26519',
    below: pkg('apk', 'musl', '1.2.4_git20230717-r4'),
    at: pkg('apk', 'musl', '1.2.4_git20230717-r5'),
    fixed: '1.2.4_git20230717-r5',
  },
  { id: 'ALPINE-CVE-2022-37434', below: pkg('apk', 'zlib', '1.2.12-r1'), at: pkg('apk', 'zlib', '1.2.12-r2'), fixed: '1.2.12-r2' },
  {
    id: 'ALPINE-CVE-2022-0778',
    below: pkg('apk', 'libcrypto3', '3.0.1-r1', { name: 'openssl', version: '3.0.1-r1' }),
    at: pkg('apk', 'libcrypto3', '3.0.2-r0', { name: 'openssl', version: '3.0.2-r0' }),
    fixed: '3.0.2-r0',
  },
  { id: 'ALPINE-CVE-2021-36159', below: pkg('apk', 'apk-tools', '2.12.5-r1'), at: pkg('apk', 'apk-tools', '2.12.6-r0'), fixed: '2.12.6-r0' },
];

test('real-advisories: Alpine v3.19 advisories match just below the secdb fixed version and not at it', () => {
  for (const { id, below, at, fixed } of alpineCases) {
    const before = index.match(below, alpine319);
    assert.deepEqual(before.map((f) => f.id), [id], `${id} at ${below.version}`);
    assert.deepEqual(before[0]?.result.fixed, [fixed], id);
    assert.equal(before[0]?.ecosystem, 'Alpine:v3.19');
    assert.deepEqual(index.match(at, alpine319), [], `${id} at ${at.version}`);
  }
});

test('real-advisories: Alpine origin matching, the introduced bound and the release suffix', () => {
  // ssl_client is built from the busybox aport; its findings come through the origin.
  const [viaOrigin] = index.match(pkg('apk', 'ssl_client', '1.36.1-r15', { name: 'busybox', version: '1.36.1-r15' }), alpine319);
  assert.equal(viaOrigin?.id, 'ALPINE-CVE-2023-42363');
  assert.equal(viaOrigin.nameFrom, 'source');
  // The openssl record starts at 1.0.2 (NVD's first versionStartIncluding); 1.0.1u is before it.
  assert.deepEqual(ids(pkg('apk', 'libcrypto1.0', '1.0.1u-r0', { name: 'openssl', version: '1.0.1u-r0' }), alpine319), []);
  // An Alpine:v3.19 record says nothing about v3.18.
  assert.deepEqual(ids(pkg('apk', 'busybox', '1.36.1-r16'), { distro: 'alpine', versionId: '3.18.4' }), []);
});
