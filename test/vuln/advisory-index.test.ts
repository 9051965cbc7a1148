import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError } from '../../src/core/errors.js';
import type { JsonObject } from '../../src/core/json.js';
import type { Package } from '../../src/formats/sbom-package.js';
import { AdvisoryIndex } from '../../src/vuln/advisory-index.js';
import { advisoryFromJson, parseOsvRecord, type Advisory } from '../../src/vuln/osv-record.js';
import { osvEcosystemOf } from '../../src/vuln/package-ecosystem.js';

// Real advisories; where each comes from is in test/fixtures/osv/SOURCE.md.
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/osv/${name}`, import.meta.url), 'utf8');
const lodash = parseOsvRecord(fixture('GHSA-jf85-cpcp-j695.json'));
const requests = parseOsvRecord(fixture('GHSA-j8r2-6x86-q33q.json'));

/** A copy of the real lodash record with fields replaced, for cases no fixture has. */
function derived(change: (record: JsonObject) => void): Advisory {
  const record = JSON.parse(fixture('GHSA-jf85-cpcp-j695.json')) as JsonObject;
  change(record);
  return advisoryFromJson(record);
}

// Derived: the lodash record re-keyed as a Debian 12 advisory for the source package openssl, the shape of
// Debian's OSV records (source package name, dpkg versions).
const debianOpenssl = derived((r) => {
  r.id = 'DEBIAN-TEST-0001';
  r.affected = [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u1' }] }] }];
});
const withdrawn = derived((r) => {
  r.id = 'GHSA-test-withdrawn';
  r.withdrawn = '2024-05-01T00:00:00Z';
});
const unknownEcosystem = derived((r) => {
  r.id = 'UNKNOWN-TEST-0001';
  r.affected = [{ package: { ecosystem: 'NoSuchEcosystem', name: 'lodash' }, versions: ['4.17.11'] }];
});

const pkg = (ecosystem: Package['ecosystem'], name: string, version: string, source?: Package['source']): Package => ({
  ecosystem,
  name,
  version,
  purl: `pkg:${ecosystem}/${name}@${version}`,
  ...(source === undefined ? {} : { source }),
  locations: [],
});
const bookworm = { distro: 'debian', versionId: '12' };
const index = AdvisoryIndex.build([lodash, requests, debianOpenssl, withdrawn, unknownEcosystem]);

test('advisory-index: counts indexed advisories and (ecosystem, name) keys, leaving withdrawn ones out', () => {
  assert.equal(index.size, 4);
  // lodash lists lodash, lodash-es, lodash-amd, lodash.defaultsdeep; plus requests, openssl, NoSuchEcosystem/lodash.
  assert.equal(index.keys, 4 + 1 + 1 + 1);
  assert.equal(AdvisoryIndex.build([withdrawn]).size, 0);
  assert.equal(AdvisoryIndex.build([withdrawn]).keys, 0);
});

test('advisory-index: lodash (npm) is affected below 4.17.12 and not at it', () => {
  const [finding, ...rest] = index.match(pkg('npm', 'lodash', '4.17.11'));
  assert.equal(rest.length, 0, 'the withdrawn copy and the unknown ecosystem do not match');
  assert.equal(finding?.id, 'GHSA-jf85-cpcp-j695');
  assert.deepEqual(finding.aliases, ['CVE-2019-10744']);
  assert.equal(finding.result.affected, true);
  assert.equal(finding.result.comparable, true);
  assert.deepEqual(finding.result.fixed, ['4.17.12']);
  assert.equal(finding.ecosystem, 'npm');
  assert.deepEqual(index.match(pkg('npm', 'lodash', '4.17.12')), []);
  assert.deepEqual(index.match(pkg('npm', 'Lodash', '4.17.11')), [], 'npm names are exact');
});

test('advisory-index: PyPI names are keyed in PEP 503 form (Requests is requests)', () => {
  for (const name of ['Requests', 'requests', 'REQUESTS']) {
    const findings = index.match(pkg('pypi', name, '2.30.0'));
    assert.deepEqual(findings.map((f) => f.id), ['GHSA-j8r2-6x86-q33q'], name);
    assert.deepEqual(findings[0]?.result.fixed, ['2.31.0']);
  }
  assert.deepEqual(index.match(pkg('pypi', 'Requests', '2.31.0')), []);
  assert.deepEqual(index.match(pkg('pypi', 'requests', '2.2.1')), [], 'below introduced 2.3.0');
});

test('advisory-index: Debian binary packages match by source name and version', () => {
  const libssl = pkg('deb', 'libssl3', '3.0.9-1+b1', { name: 'openssl', version: '3.0.9-1' });
  const [finding, ...rest] = index.match(libssl, bookworm);
  assert.equal(rest.length, 0);
  assert.equal(finding?.id, 'DEBIAN-TEST-0001');
  assert.equal(finding.ecosystem, 'Debian:12');
  assert.equal(finding.name, 'openssl');
  assert.equal(finding.version, '3.0.9-1');
  assert.equal(finding.nameFrom, 'source');
  assert.equal(finding.versionFrom, 'source');
  assert.deepEqual(finding.result.fixed, ['3.0.11-1~deb12u1']);

  const noSourceVersion = index.match(pkg('deb', 'libssl3', '3.0.9-1', { name: 'openssl' }), bookworm);
  assert.equal(noSourceVersion[0]?.versionFrom, 'binary');
  assert.equal(noSourceVersion[0]?.version, '3.0.9-1');

  assert.deepEqual(index.match(pkg('deb', 'libssl3', '3.0.11-1~deb12u1', { name: 'openssl', version: '3.0.11-1~deb12u1' }), bookworm), []);
  assert.deepEqual(index.match(pkg('deb', 'libssl3', '3.0.9-1'), bookworm), [], 'without a source, the binary name is used');
  assert.deepEqual(index.match(libssl, { distro: 'debian', versionId: '11' }), [], 'a Debian 12 record says nothing about 11');
  assert.deepEqual(index.match(libssl), [], 'without the release the ecosystem is plain "Debian"');
});

test('advisory-index: a version that cannot be ordered is reported as not comparable', () => {
  const [finding] = index.match(pkg('deb', 'openssl', 'not-a-version', { name: 'openssl', version: 'not-a-version' }), bookworm);
  assert.equal(finding?.result.affected, false);
  assert.equal(finding.result.comparable, false);
});

test('advisory-index: unknown ecosystems never match, and unmapped distributions are refused', () => {
  assert.ok(!index.match(pkg('npm', 'lodash', '4.17.11')).some((f) => f.id === 'UNKNOWN-TEST-0001'));
  for (const release of [undefined, { distro: 'fedora', versionId: '40' }]) {
    assert.throws(() => index.match(pkg('rpm', 'bash', '5.2.15-3.fc40'), release), (e) => e instanceof ProvenantError && e.code === 'UNSUPPORTED');
  }
  assert.throws(() => index.match(pkg('deb', 'bash', '5.2-1'), { distro: 'ubuntu', versionId: '22.04' }), (e) => e instanceof ProvenantError && e.code === 'UNSUPPORTED');
});

test('package-ecosystem: OSV ecosystem names per catalog ecosystem and release', () => {
  const cases: [Package['ecosystem'], { distro: string; versionId?: string } | undefined, string][] = [
    ['npm', undefined, 'npm'],
    ['pypi', undefined, 'PyPI'],
    ['golang', undefined, 'Go'],
    ['deb', bookworm, 'Debian:12'],
    ['deb', { distro: 'debian' }, 'Debian'],
    ['deb', undefined, 'Debian'],
    ['apk', { distro: 'alpine', versionId: '3.19.1' }, 'Alpine:v3.19'],
    ['apk', undefined, 'Alpine'],
    ['rpm', { distro: 'rhel', versionId: '9.4' }, 'Red Hat'],
    ['rpm', { distro: 'rocky', versionId: '9.3' }, 'Rocky Linux:9'],
    ['rpm', { distro: 'almalinux', versionId: '8.10' }, 'AlmaLinux:8'],
  ];
  for (const [ecosystem, release, expected] of cases) assert.equal(osvEcosystemOf(pkg(ecosystem, 'x', '1'), release), expected);
  assert.throws(() => osvEcosystemOf(pkg('apk', 'x', '1'), { distro: 'alpine', versionId: 'edge' }), (e) => e instanceof ProvenantError && e.code === 'UNSUPPORTED');
});
