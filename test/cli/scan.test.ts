// `provenant scan` end to end, in-process, on generated OCI images and on the SBOMs `provenant sbom` writes for
// them, against the real advisories of test/fixtures/osv/: findings, filters and Trivy's exit status semantics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Digest } from '../../src/core/digest.js';
import type { ScanReport } from '../../src/vuln/scan-report.js';
import { buildImage, writeOciLayout } from '../helpers/oci-image.js';
import { buildZip } from '../helpers/zip-writer.js';
import { cli, failedWith, succeeded, workspace } from './cli-helpers.js';

const ws = await workspace('scan');
const fixture = (name: string): Promise<string> => readFile(new URL(`../fixtures/osv/${name}`, import.meta.url), 'utf8');
const REAL = ['GHSA-jf85-cpcp-j695.json', 'GHSA-j8r2-6x86-q33q.json'];

const OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
const DPKG_STATUS = 'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\nDescription: TLS\n';

/** An OCI layout holding a Debian 12 image (built 2024-01-01T00:00:00Z) with libssl3, lodash and requests. */
async function imageWith(name: string, lodash: string, requests: string): Promise<{ ref: string; digest: string }> {
  const image = await buildImage({
    layers: [
      { createdBy: 'debian base', files: { 'etc/os-release': OS, 'var/lib/dpkg/status': DPKG_STATUS } },
      {
        createdBy: 'npm install lodash && pip install requests',
        files: {
          'app/node_modules/lodash/package.json': JSON.stringify({ name: 'lodash', version: lodash, license: 'MIT' }),
          [`usr/lib/python3/dist-packages/requests-${requests}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: requests\nVersion: ${requests}\n`,
        },
      },
    ],
  });
  await writeOciLayout(ws.path(name), image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
  return { ref: `oci:${ws.path(name)}:v1`, digest: image.manifest.digest };
}

const vulnerable = await imageWith('vulnerable', '4.17.11', '2.30.0');
const lodashFixed = await imageWith('lodash-fixed', '4.17.12', '2.30.0');

// The real advisories as an OSV directory, as NDJSON and as an all.zip.
const osvDir = ws.path('osv');
await mkdir(osvDir);
for (const name of REAL) await writeFile(join(osvDir, name), await fixture(name));
const lines = await Promise.all(REAL.map(async (n) => JSON.stringify(JSON.parse(await fixture(n)))));
await writeFile(ws.path('osv.ndjson'), `${lines.join('\n')}\n`);
await writeFile(ws.path('all.zip'), buildZip(await Promise.all(REAL.map(async (n) => ({ name: n, data: Buffer.from(await fixture(n)), method: 8 as const })))));

// The real advisories plus a record written for this test in the shape of Debian's OSV records (source package,
// dpkg versions, tracker urgency, no CVSS), published after the image was built.
const debianDir = ws.path('osv-debian');
await mkdir(debianDir);
for (const name of REAL) await writeFile(join(debianDir, name), await fixture(name));
await writeFile(
  join(debianDir, 'DEBIAN-TEST-0001.json'),
  JSON.stringify({
    id: 'DEBIAN-TEST-0001',
    modified: '2024-02-02T00:00:00Z',
    published: '2024-02-01T00:00:00Z',
    upstream: ['CVE-TEST-0001'],
    summary: 'test record for the openssl source package',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }],
        ecosystem_specific: { urgency: 'high' },
      },
    ],
  }),
);

const scan = (...args: string[]) => cli(['scan', '-q', ...args]);
const ids = (report: ScanReport): string[] => report.findings.map((f) => `${f.package.name}:${f.vulnerabilityId}:${f.severity.rating}`);

test('an image: findings of its npm and PyPI packages, with layer, location, data set and build date', async () => {
  const report = succeeded<ScanReport>(await scan(vulnerable.ref, '--db', osvDir, '--format', 'json'));
  assert.deepEqual(ids(report), ['lodash:CVE-2019-10744:CRITICAL', 'requests:CVE-2023-32681:MEDIUM']);
  assert.deepEqual(report.target, { kind: 'image', reference: vulnerable.ref, name: `oci:${ws.path('vulnerable')}`, digest: vulnerable.digest });
  assert.deepEqual(report.osRelease, { distro: 'debian', versionId: '12' });
  assert.deepEqual(report.buildDate, { at: '2024-01-01T00:00:00Z', from: 'image-config' });
  assert.equal(report.dataset.advisories, 2);
  assert.equal(report.dataset.source, 'dir');
  const lodash = report.findings[0]!;
  assert.deepEqual(lodash.package.locations, ['app/node_modules/lodash/package.json']);
  assert.equal(lodash.package.layer?.index, 1);
  assert.deepEqual(lodash.fixedVersions, ['4.17.12']);
  assert.deepEqual([lodash.severity.source, lodash.severity.score], ['cvss-record', 9.1]);
  assert.deepEqual(report.summary.bySeverity, { UNKNOWN: 0, NONE: 0, LOW: 0, MEDIUM: 1, HIGH: 0, CRITICAL: 1 });
});

test('the same data set as NDJSON or all.zip has the same identity and findings', async () => {
  const dir = succeeded<ScanReport>(await scan(vulnerable.ref, '--db', osvDir, '--format', 'json'));
  for (const [db, source] of [[ws.path('osv.ndjson'), 'ndjson'], [ws.path('all.zip'), 'zip']] as const) {
    const report = succeeded<ScanReport>(await scan(vulnerable.ref, '--db', db, '--format', 'json'));
    assert.equal(report.dataset.source, source);
    assert.equal(report.dataset.digest, dir.dataset.digest);
    assert.deepEqual(report.findings, dir.findings);
  }
});

test('--exit-code N only when a finding survives every filter', async () => {
  const gate = ['--db', osvDir, '--exit-code', '1', '--severity', 'HIGH,CRITICAL'];
  const failed = await scan(vulnerable.ref, ...gate);
  assert.equal(failed.exit, 1);
  assert.match(failed.stderr, /^error\[SCAN_FINDINGS\]: /);
  assert.match(failed.stdout, /^lodash\s+CVE-2019-10744\s+CRITICAL/m);
  assert.doesNotMatch(failed.stdout, /requests/);
  // lodash fixed: what remains is MEDIUM, filtered out.
  const passed = await scan(lodashFixed.ref, ...gate);
  assert.equal(passed.exit, 0, passed.stderr);
  assert.equal(passed.stderr, '');
  assert.match(passed.stdout, /^Total: 0 \(HIGH: 0, CRITICAL: 0\)$/m);
  assert.equal((await scan(lodashFixed.ref, '--db', osvDir, '--exit-code', '7')).exit, 7);
  assert.equal((await scan(lodashFixed.ref, '--db', osvDir)).exit, 0);
});

test('--published-after build keeps only advisories published after the image build time', async () => {
  const real = await scan(vulnerable.ref, '--db', osvDir, '--published-after', 'build', '--exit-code', '1', '--format', 'json');
  assert.equal(real.exit, 0, real.stderr);
  const report = succeeded<ScanReport>(real);
  assert.deepEqual(report.findings, []);
  assert.deepEqual(report.filters, { severities: null, publishedAfter: '2024-01-01T00:00:00Z', publishedAfterFrom: 'build', ignoreUnfixed: false });
  const later = await scan(vulnerable.ref, '--db', debianDir, '--published-after', 'build', '--exit-code', '1', '--format', 'json');
  assert.equal(later.exit, 1);
  const found = JSON.parse(later.stdout) as ScanReport;
  assert.deepEqual(ids(found), ['libssl3:CVE-TEST-0001:HIGH']);
  assert.deepEqual(found.findings[0]!.package.osv, { ecosystem: 'Debian:12', name: 'openssl', version: '3.0.11-1~deb12u2', nameFrom: 'source', versionFrom: 'source' });
  assert.deepEqual([found.findings[0]!.severity.source, found.findings[0]!.severity.value], ['distribution', 'high']);
  const dated = succeeded<ScanReport>(await scan(vulnerable.ref, '--db', osvDir, '--published-after', '2020-01-01', '--format', 'json'));
  assert.deepEqual(ids(dated), ['requests:CVE-2023-32681:MEDIUM']);
});

test('SARIF: rules and results located at the files the packages were read from', async () => {
  const out = ws.path('report.sarif');
  const result = await scan(vulnerable.ref, '--db', debianDir, '--format', 'sarif', '--output', out);
  assert.equal(result.exit, 0, result.stderr);
  assert.equal(result.stdout, '');
  const sarif = JSON.parse(await readFile(out, 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
  assert.deepEqual(sarif.runs[0]!.results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri]), [
    ['CVE-TEST-0001', 'var/lib/dpkg/status'],
    ['CVE-2019-10744', 'app/node_modules/lodash/package.json'],
    ['CVE-2023-32681', 'usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA'],
  ]);
});

test('an SBOM written by provenant sbom scans to the same findings as its image', async () => {
  for (const format of ['cyclonedx-json', 'spdx-json']) {
    const sbom = await cli(['sbom', '-q', '--format', format, vulnerable.ref]);
    assert.equal(sbom.exit, 0, sbom.stderr);
    const file = ws.path(`vulnerable.${format}`);
    await writeFile(file, sbom.stdout);
    const report = succeeded<ScanReport>(await scan(file, '--db', osvDir, '--format', 'json'));
    assert.deepEqual(ids(report), ['lodash:CVE-2019-10744:CRITICAL', 'requests:CVE-2023-32681:MEDIUM'], format);
    assert.equal(report.target.kind, 'sbom');
    assert.equal(report.target.digest, sha256Digest(Buffer.from(sbom.stdout)));
    assert.deepEqual(report.osRelease, { distro: 'debian', versionId: '12' });
    assert.equal(report.buildDate?.from, 'sbom');
    assert.equal(report.findings[0]!.package.layer?.index, 1);
    const gated = await scan(file, '--db', osvDir, '--exit-code', '1', '--severity', 'CRITICAL');
    assert.equal(gated.exit, 1, format);
    // The SBOM was created now, after both advisories were published.
    assert.equal((await scan(file, '--db', osvDir, '--exit-code', '1', '--published-after', 'build')).exit, 0, format);
  }
});

test('hostile input and bad usage end with their error codes', async () => {
  await writeFile(ws.path('not-json.cdx'), 'this is not an SBOM');
  await writeFile(ws.path('other.json'), '{"name": "some other JSON"}');
  await writeFile(ws.path('no-time.json'), '{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []}');
  await writeFile(ws.path('bad.ndjson'), '{"id": "X"\n');
  failedWith(await scan(ws.path('not-json.cdx'), '--db', osvDir), 'JSON_MALFORMED');
  failedWith(await scan(ws.path('other.json'), '--db', osvDir), 'SBOM_MALFORMED');
  failedWith(await scan(ws.path('no-time.json'), '--db', osvDir, '--published-after', 'build'), 'USAGE');
  failedWith(await scan(vulnerable.ref, '--db', ws.path('missing')), 'FILE_NOT_FOUND');
  failedWith(await scan(vulnerable.ref, '--db', ws.path('bad.ndjson')), 'JSON_MALFORMED');
  failedWith(await scan(vulnerable.ref), 'USAGE');
  failedWith(await scan(vulnerable.ref, '--db', osvDir, '--severity', 'HIGH,SEVERE'), 'USAGE');
  failedWith(await scan(vulnerable.ref, '--db', osvDir, '--exit-code', 'one'), 'USAGE');
  failedWith(await scan(vulnerable.ref, '--db', osvDir, '--exit-code', '256'), 'USAGE');
  failedWith(await scan(vulnerable.ref, '--db', osvDir, '--format', 'xml'), 'USAGE');
  failedWith(await scan(vulnerable.ref, '--db', osvDir, '--published-after', 'last tuesday'), 'USAGE');
  // A clean SBOM with no packages scans to nothing.
  assert.equal((await scan(ws.path('no-time.json'), '--db', osvDir, '--exit-code', '1')).exit, 0);
});
