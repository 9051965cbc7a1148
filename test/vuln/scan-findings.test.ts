import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { JsonObject } from '../../src/core/json.js';
import type { AttributedPackage, Package } from '../../src/formats/sbom-package.js';
import { advisoryFromJson, parseOsvRecord, type Advisory } from '../../src/vuln/osv-record.js';
import { matchPackages, scanData } from '../../src/vuln/scan-findings.js';

// Real records (test/fixtures/osv/SOURCE.md); the records below them are derived from these in memory, with ids
// that say so, for the shapes no fixture has.
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/osv/${name}`, import.meta.url), 'utf8');
const lodash = parseOsvRecord(fixture('GHSA-jf85-cpcp-j695.json'));
const requests = parseOsvRecord(fixture('GHSA-j8r2-6x86-q33q.json'));

function derived(name: string, change: (record: JsonObject) => void): Advisory {
  const record = JSON.parse(fixture(name)) as JsonObject;
  change(record);
  return advisoryFromJson(record);
}
// The same CVE as GHSA-j8r2-6x86-q33q under a second id, as PyPA's advisory database publishes it (no severity).
const requestsSecondId = derived('GHSA-j8r2-6x86-q33q.json', (r) => {
  r.id = 'PYSEC-TEST-0001';
  r.aliases = ['CVE-2023-32681'];
  r.published = '2023-05-26T18:15:14Z';
  r.modified = '2024-06-01T00:00:00Z';
  r.severity = [];
  delete r.database_specific;
});
const debian = (id: string, upstream: string[], urgency: string): Advisory =>
  derived('GHSA-jf85-cpcp-j695.json', (r) => {
    r.id = id;
    r.aliases = [];
    r.upstream = upstream;
    r.severity = [];
    delete r.database_specific;
    r.affected = [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ecosystem_specific: { urgency },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
      },
    ];
  });
// A DEBIAN-CVE style record names one upstream CVE; a DSA style record names several and stays its own finding.
const debianCve = debian('DEBIAN-TEST-CVE-1', ['CVE-TEST-1'], 'medium');
const debianByAlias = debian('DEBIAN-TEST-ALIAS-1', [], 'high');
const withAlias = { ...debianByAlias, aliases: ['CVE-TEST-1'] };
const dsa = debian('DSA-TEST-1', ['CVE-TEST-1', 'CVE-TEST-2'], 'high');

const pkg = (p: Partial<Package> & Pick<Package, 'ecosystem' | 'name' | 'version'>): Package => ({
  purl: `pkg:${p.ecosystem}/${p.name}@${p.version}`,
  locations: [`loc/${p.name}`],
  ...p,
});
const layer = { index: 1, digest: `sha256:${'a'.repeat(64)}` as const };

test('one finding per package and vulnerability: records naming the same CVE are merged', () => {
  const data = scanData([lodash, requests, requestsSecondId]);
  const packages: AttributedPackage[] = [
    { package: pkg({ ecosystem: 'pypi', name: 'Requests', version: '2.30.0' }), layer },
    { package: pkg({ ecosystem: 'npm', name: 'lodash', version: '4.17.11' }) },
  ];
  const { findings, notScanned } = matchPackages(packages, undefined, data);
  assert.deepEqual(notScanned, []);
  assert.equal(findings.length, 2);
  const [req, lod] = findings;
  assert.equal(req!.vulnerabilityId, 'CVE-2023-32681');
  assert.deepEqual(req!.advisories, ['GHSA-j8r2-6x86-q33q', 'PYSEC-TEST-0001']);
  assert.deepEqual(req!.aliases, ['GHSA-j8r2-6x86-q33q', 'PYSEC-TEST-0001']);
  assert.deepEqual(req!.fixedVersions, ['2.31.0']);
  assert.equal(req!.comparable, true);
  // The GHSA record's vector outranks the other record, which has no severity at all.
  assert.deepEqual([req!.severity.rating, req!.severity.source, req!.severity.advisory, req!.severity.score], ['MEDIUM', 'cvss-record', 'GHSA-j8r2-6x86-q33q', 6.1]);
  assert.equal(req!.published, requests.published);
  assert.equal(req!.modified, '2024-06-01T00:00:00Z');
  assert.equal(req!.title, requests.summary);
  assert.deepEqual(req!.package.layer, layer);
  assert.deepEqual(req!.package.locations, ['loc/Requests']);
  assert.deepEqual(req!.package.osv, { ecosystem: 'PyPI', name: 'Requests', version: '2.30.0', nameFrom: 'binary', versionFrom: 'binary' });
  assert.equal(lod!.vulnerabilityId, 'CVE-2019-10744');
  assert.deepEqual([lod!.severity.rating, lod!.installedVersion, lod!.fixedVersions], ['CRITICAL', '4.17.11', ['4.17.12']]);
  assert.equal(lod!.package.layer, undefined);
});

test('distribution records merge through a single upstream id or an alias, never through a multi-CVE record', () => {
  const data = scanData([debianCve, withAlias, dsa]);
  const openssl = pkg({ ecosystem: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', source: { name: 'openssl', version: '3.0.11-1~deb12u2' } });
  const { findings } = matchPackages([{ package: openssl }], { distro: 'debian', versionId: '12' }, data);
  assert.deepEqual(
    findings.map((f) => [f.vulnerabilityId, f.advisories]),
    [
      ['CVE-TEST-1', ['DEBIAN-TEST-ALIAS-1', 'DEBIAN-TEST-CVE-1']],
      ['DSA-TEST-1', ['DSA-TEST-1']],
    ],
  );
  // Neither record has CVSS or a GHSA rating; between two distribution ratings the higher one is shown.
  assert.deepEqual([findings[0]!.severity.rating, findings[0]!.severity.source, findings[0]!.severity.advisory], ['HIGH', 'distribution', 'DEBIAN-TEST-ALIAS-1']);
  assert.deepEqual(findings[0]!.package.osv, { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2', nameFrom: 'source', versionFrom: 'source' });
  assert.deepEqual(findings[0]!.fixedVersions, ['3.0.13-1~deb12u1']);
});

test('a version that cannot be compared stays a finding, flagged, with the fixed versions the record names', () => {
  const data = scanData([lodash]);
  const { findings } = matchPackages([{ package: pkg({ ecosystem: 'npm', name: 'lodash', version: 'not.a.version' }) }], undefined, data);
  assert.equal(findings.length, 1);
  assert.equal(findings[0]!.comparable, false);
  assert.equal(typeof findings[0]!.notComparableReason, 'string');
  assert.deepEqual(findings[0]!.fixedVersions, ['4.17.12']);
  assert.equal(findings[0]!.severity.rating, 'CRITICAL');
});

test('packages without an OSV ecosystem for the distribution are listed as not scanned; fixed versions are not findings', () => {
  const data = scanData([lodash, debianCve]);
  const { findings, notScanned } = matchPackages(
    [
      { package: pkg({ ecosystem: 'deb', name: 'openssl', version: '3.0.11-1' }) },
      { package: pkg({ ecosystem: 'npm', name: 'lodash', version: '4.17.12' }) },
    ],
    { distro: 'ubuntu', versionId: '22.04' },
    data,
  );
  assert.deepEqual(findings, []);
  assert.deepEqual(notScanned.map((n) => n.purl), ['pkg:deb/openssl@3.0.11-1']);
  // Without a release, a Debian package would be looked up where no Debian advisory is: it is not scanned.
  const unknownRelease = matchPackages([{ package: pkg({ ecosystem: 'deb', name: 'openssl', version: '3.0.11-1' }) }], { distro: 'debian' }, data);
  assert.deepEqual(unknownRelease.notScanned.map((n) => n.purl), ['pkg:deb/openssl@3.0.11-1']);
  assert.deepEqual(matchPackages([{ package: pkg({ ecosystem: 'deb', name: 'openssl', version: '3.0.11-1' }) }], { distro: 'debian', versionId: '12' }, data).findings.length, 1);
});
