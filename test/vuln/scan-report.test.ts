import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError } from '../../src/core/errors.js';
import type { JsonObject } from '../../src/core/json.js';
import type { AttributedPackage, Package } from '../../src/formats/sbom-package.js';
import { advisoryFromJson, parseOsvRecord, type Advisory } from '../../src/vuln/osv-record.js';
import { parseSeverityList, utcInstant } from '../../src/vuln/scan-filters.js';
import { scanData } from '../../src/vuln/scan-findings.js';
import { buildScanReport, scanPackages, type ScanReportInput } from '../../src/vuln/scan-report.js';
import { formatScanTable } from '../../src/vuln/scan-table.js';

// Real records (test/fixtures/osv/SOURCE.md), and records derived from them in memory, with ids saying so.
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/osv/${name}`, import.meta.url), 'utf8');
const lodash = parseOsvRecord(fixture('GHSA-jf85-cpcp-j695.json'));
const requests = parseOsvRecord(fixture('GHSA-j8r2-6x86-q33q.json'));
function derived(change: (record: JsonObject) => void): Advisory {
  const record = JSON.parse(fixture('GHSA-jf85-cpcp-j695.json')) as JsonObject;
  change(record);
  return advisoryFromJson(record);
}
// No fix yet, no published date, a summary with terminal escapes.
const unfixed = derived((r) => {
  r.id = 'TEST-UNFIXED-1';
  r.aliases = [];
  delete r.published;
  r.summary = 'evil \u001b[31mred\u001b[0m title';
  r.severity = [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' }];
  r.affected = [{ package: { ecosystem: 'npm', name: 'left-pad' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }];
});
const data = scanData([lodash, requests, unfixed]);

const pkg = (ecosystem: Package['ecosystem'], name: string, version: string): AttributedPackage => ({
  package: { ecosystem, name, version, purl: `pkg:${ecosystem}/${name}@${version}`, locations: [`app/${name}`] },
});
const PACKAGES = [pkg('npm', 'lodash', '4.17.11'), pkg('pypi', 'requests', '2.30.0'), pkg('npm', 'left-pad', '1.3.0'), pkg('npm', 'lodash', 'bogus')];
const ids = (findings: readonly { vulnerabilityId: string; installedVersion: string }[]): string[] => findings.map((f) => `${f.vulnerabilityId}@${f.installedVersion}`);

test('filters: severities, published after an instant, ignore unfixed', () => {
  const all = scanPackages(PACKAGES, undefined, data);
  assert.equal(all.matched, 4);
  assert.deepEqual(ids(all.findings), ['TEST-UNFIXED-1@1.3.0', 'CVE-2019-10744@4.17.11', 'CVE-2019-10744@bogus', 'CVE-2023-32681@2.30.0']);
  assert.deepEqual(ids(scanPackages(PACKAGES, undefined, data, { severities: new Set(['HIGH', 'CRITICAL']) }).findings), ['CVE-2019-10744@4.17.11', 'CVE-2019-10744@bogus']);
  // lodash was published in 2019, requests at 2023-05-22T20:36:32Z (strictly after, to the fraction); a record
  // without a published date never passes.
  assert.deepEqual(ids(scanPackages(PACKAGES, undefined, data, { publishedAfter: '2020-01-01T00:00:00Z' }).findings), ['CVE-2023-32681@2.30.0']);
  assert.deepEqual(ids(scanPackages(PACKAGES, undefined, data, { publishedAfter: '2023-05-22T20:36:32Z' }).findings), []);
  assert.deepEqual(ids(scanPackages(PACKAGES, undefined, data, { publishedAfter: '2023-05-22T20:36:31.999Z' }).findings), ['CVE-2023-32681@2.30.0']);
  // The version that cannot be compared is kept: whether a fix applies to it is unknown.
  assert.deepEqual(ids(scanPackages(PACKAGES, undefined, data, { ignoreUnfixed: true }).findings), ['CVE-2019-10744@4.17.11', 'CVE-2019-10744@bogus', 'CVE-2023-32681@2.30.0']);
});

test('findings are sorted the same whatever the order of packages and advisories', () => {
  const reversed = scanPackages([...PACKAGES].reverse(), undefined, scanData([unfixed, requests, lodash]));
  assert.deepEqual(reversed.findings, scanPackages(PACKAGES, undefined, data).findings);
});

test('instants: dates, UTC times and offsets normalise to UTC; anything else is refused', () => {
  assert.equal(utcInstant('2024-01-01'), '2024-01-01T00:00:00Z');
  assert.equal(utcInstant('2024-01-01T10:00:00.123456789Z'), '2024-01-01T10:00:00.123456789Z');
  assert.equal(utcInstant('2024-01-01T10:00:00+02:00'), '2024-01-01T08:00:00.000Z');
  assert.equal(utcInstant('2024-01-01t10:00:00z'), '2024-01-01T10:00:00.000Z');
  assert.equal(utcInstant('2024-02-30T00:00:00+01:00'), undefined);
  for (const bad of ['2024-02-30', '2024-13-01T00:00:00Z', 'yesterday', '2024-01-01 10:00:00', '1704067200', '']) assert.equal(utcInstant(bad), undefined, bad);
});

test('severity lists: case-insensitive names; an unknown one is USAGE', () => {
  assert.deepEqual([...parseSeverityList('high, Critical')], ['HIGH', 'CRITICAL']);
  assert.throws(() => parseSeverityList('HIGH,SEVERE'), (e) => e instanceof ProvenantError && e.code === 'USAGE');
});

const INPUT: ScanReportInput = {
  toolVersion: '0.1.0',
  createdAt: '2024-06-01T00:00:00.000Z',
  target: { kind: 'image', reference: 'oci:/images/app:v1', name: 'app', digest: `sha256:${'b'.repeat(64)}` },
  packages: PACKAGES,
  release: { distro: 'debian', versionId: '12' },
  buildDate: { at: '2024-01-01T00:00:00Z', from: 'image-config' },
  dataset: { digest: `sha256:${'c'.repeat(64)}`, advisories: 3, newestModified: '2024-04-22T19:49:41Z', source: 'dir' },
  loadedAt: '2024-06-01T00:00:00.000Z',
  data,
  filters: { severities: new Set(['CRITICAL', 'MEDIUM', 'LOW']), ignoreUnfixed: true },
  notScanned: [{ purl: 'pkg:maven/org.example/app@1.0', reason: 'maven packages are not matched' }],
};

test('the report names target, data set, filters and counts', () => {
  const report = buildScanReport(INPUT);
  assert.equal(report.schema, 'https://provenant.dev/scan-report/v1');
  assert.deepEqual(report.filters, { severities: ['LOW', 'MEDIUM', 'CRITICAL'], publishedAfter: null, publishedAfterFrom: null, ignoreUnfixed: true });
  assert.deepEqual(report.summary, {
    packages: 5,
    packagesNotScanned: 1,
    matched: 4,
    findings: 3,
    notComparable: 1,
    bySeverity: { UNKNOWN: 0, NONE: 0, LOW: 0, MEDIUM: 1, HIGH: 0, CRITICAL: 2 },
  });
  assert.equal(report.dataset.digest, INPUT.dataset.digest);
  assert.deepEqual(report.osRelease, { distro: 'debian', versionId: '12' });
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
});

test('the table has Trivy columns, a total by severity, and no control characters from advisory text', () => {
  const table = formatScanTable(buildScanReport({ ...INPUT, filters: {} }));
  const lines = table.split('\n');
  assert.equal(lines[0], `oci:/images/app:v1 (sha256:${'b'.repeat(64)}) (debian 12)`);
  assert.equal(lines[2], 'Total: 4 (UNKNOWN: 0, LOW: 1, MEDIUM: 1, HIGH: 0, CRITICAL: 2)');
  assert.match(lines[4]!, /^PACKAGE\s+VULNERABILITY ID\s+SEVERITY\s+INSTALLED\s+FIXED\s+TITLE$/);
  assert.match(table, /^lodash\s+CVE-2019-10744\s+CRITICAL\s+4\.17\.11\s+4\.17\.12\s+Prototype Pollution in lodash$/m);
  assert.match(table, /^lodash\s+CVE-2019-10744\s+CRITICAL\s+bogus \(\?\)\s+4\.17\.12/m);
  assert.match(table, /^left-pad\s+TEST-UNFIXED-1\s+LOW\s+1\.3\.0\s+evil \uFFFD\[31mred/m);
  assert.equal(table.includes('\u001b'), false);
  assert.match(table, /1 package\(s\) not scanned/);
  const filtered = formatScanTable(buildScanReport(INPUT)).split('\n');
  assert.equal(filtered[2], 'Total: 3 (LOW: 0, MEDIUM: 1, CRITICAL: 2)');
});
