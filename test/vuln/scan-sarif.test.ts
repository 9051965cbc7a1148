import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { AttributedPackage } from '../../src/formats/sbom-package.js';
import { parseOsvRecord } from '../../src/vuln/osv-record.js';
import { scanData } from '../../src/vuln/scan-findings.js';
import { buildScanReport, type ScanReportInput } from '../../src/vuln/scan-report.js';
import { scanSarif } from '../../src/vuln/scan-sarif.js';

/** The official SARIF 2.1.0 schema (test/fixtures/sarif/SOURCE.md): draft-04, read by ajv 8 as SOURCE.md says. */
function sarifValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  const { id, ...rest } = schema;
  delete rest.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile({ $id: id as string, ...rest });
}
const validate = sarifValidator();

// Real records (test/fixtures/osv/SOURCE.md).
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/osv/${name}`, import.meta.url), 'utf8');
const data = scanData([parseOsvRecord(fixture('GHSA-jf85-cpcp-j695.json')), parseOsvRecord(fixture('GHSA-j8r2-6x86-q33q.json'))]);
const pkg = (ecosystem: 'npm' | 'pypi', name: string, version: string, locations: string[]): AttributedPackage => ({
  package: { ecosystem, name, version, purl: `pkg:${ecosystem}/${name}@${version}`, locations },
});
const INPUT: ScanReportInput = {
  toolVersion: '0.1.0',
  createdAt: '2024-06-01T00:00:00.000Z',
  target: { kind: 'image', reference: 'oci:/images/app:v1', name: 'app', digest: `sha256:${'b'.repeat(64)}` },
  packages: [
    pkg('npm', 'lodash', '4.17.11', ['app/node_modules/lodash/package.json']),
    pkg('npm', 'lodash', '4.17.10', ['srv/a b/node_modules/lodash/package.json']),
    pkg('pypi', 'requests', '2.30.0', ['usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA']),
  ],
  dataset: { digest: `sha256:${'c'.repeat(64)}`, advisories: 2, newestModified: '2024-04-22T19:49:41Z', source: 'dir' },
  loadedAt: '2024-06-01T00:00:00.000Z',
  data,
  filters: {},
};

type Sarif = {
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; help: { text: string }; properties: Record<string, unknown> }[] } };
    results: { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
  }[];
};

test('the SARIF validates against the official SARIF 2.1.0 schema and has what GitHub code scanning reads', () => {
  const sarif = scanSarif(buildScanReport(INPUT)) as unknown as Sarif;
  assert.equal(validate(sarif), true, JSON.stringify(validate.errors, null, 2));
  const run = sarif.runs[0]!;
  assert.deepEqual([run.tool.driver.name, run.tool.driver.version], ['provenant', '0.1.0']);
  // One rule per vulnerability id, one result per finding.
  assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ['CVE-2019-10744', 'CVE-2023-32681']);
  assert.deepEqual(run.results.map((r) => [r.ruleId, r.ruleIndex, r.level]), [
    ['CVE-2019-10744', 0, 'error'],
    ['CVE-2019-10744', 0, 'error'],
    ['CVE-2023-32681', 1, 'warning'],
  ]);
  assert.deepEqual(run.tool.driver.rules.map((r) => r.properties['security-severity']), ['9.1', '6.1']);
  assert.ok(run.tool.driver.rules.every((r) => r.help.text.length > 0));
  assert.deepEqual(run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri), [
    'srv/a%20b/node_modules/lodash/package.json',
    'app/node_modules/lodash/package.json',
    'usr/lib/python3/dist-packages/requests-2.30.0.dist-info/METADATA',
  ]);
});

test('for an SBOM, packages without file locations are located at the SBOM file', () => {
  const sbom: ScanReportInput = {
    ...INPUT,
    target: { kind: 'sbom', path: 'out/sbom.cdx.json', digest: `sha256:${'d'.repeat(64)}`, format: 'cyclonedx', specVersion: '1.6' },
    packages: [pkg('pypi', 'requests', '2.30.0', [])],
  };
  const sarif = scanSarif(buildScanReport(sbom)) as unknown as Sarif;
  assert.equal(validate(sarif), true, JSON.stringify(validate.errors, null, 2));
  assert.equal(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, 'out/sbom.cdx.json');
});

test('the schema check is real: a result without a message, or a wrong version, fails it', () => {
  const sarif = scanSarif(buildScanReport(INPUT)) as unknown as Sarif & { runs: { results: Record<string, unknown>[] }[] };
  const noMessage = structuredClone(sarif);
  delete noMessage.runs[0]!.results[0]!.message;
  assert.equal(validate(noMessage), false);
  assert.equal(validate({ ...structuredClone(sarif), version: '2.0.0' }), false);
});
