// vulnerabilities rule: real advisories (test/fixtures/osv, see SOURCE.md) and copies of the lodash record with
// fields replaced, for cases no real record has; each derived record says what it changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { JsonObject } from '../../../../src/core/json.js';
import type { Rule } from '../../../../src/policy/policy.js';
import { advisoryFromJson, type Advisory } from '../../../../src/vuln/osv-record.js';
import { buildFact, decide, evaluationData, imageFacts, layersAttestation, osvFixture, pkg, rule, slsaAttestation } from '../policy-fixtures.js';

const lodash = osvFixture('GHSA-jf85-cpcp-j695.json');
const requests = osvFixture('GHSA-j8r2-6x86-q33q.json');

function derived(change: (record: JsonObject) => void): Advisory {
  const record = JSON.parse(readFileSync(new URL('../../../fixtures/osv/GHSA-jf85-cpcp-j695.json', import.meta.url), 'utf8')) as JsonObject;
  change(record);
  return advisoryFromJson(record);
}

// Derived: no CVSS vector and no GHSA severity, so no rating at all.
const unrated = derived((r) => {
  r.id = 'GHSA-test-unrated';
  r.aliases = ['CVE-2099-0001'];
  r.severity = [];
  r.database_specific = {};
});
// Derived: the same vulnerability under its CVE id, as another database would publish it.
const cveRecord = derived((r) => {
  r.id = 'CVE-2019-10744';
  r.aliases = ['GHSA-jf85-cpcp-j695'];
});
// Derived: no fixed version yet.
const unfixed = derived((r) => {
  r.id = 'GHSA-test-unfixed';
  r.aliases = ['CVE-2099-0002'];
  r.affected = [{ package: { ecosystem: 'npm', name: 'lodash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }];
});

const vulns = (change: Partial<Extract<Rule, { kind: 'vulnerabilities' }>> = {}) =>
  rule({ kind: 'vulnerabilities', severity: 'HIGH', fixedOnly: false, ignore: [], ...change });

function withPackages(packages = [pkg('npm', 'lodash', '4.17.11'), pkg('pypi', 'requests', '2.30.0', { purl: 'pkg:pypi/requests@2.30.0' })], build = buildFact()) {
  return imageFacts({ attestations: [slsaAttestation('v', build), layersAttestation('v', packages)] });
}

test('vulnerabilities: findings at or above the threshold fail; below it pass', () => {
  const data = evaluationData({ advisories: [lodash, requests] });
  const high = decide(vulns(), withPackages(), data).result;
  assert.equal(high.passed, false);
  assert.match(high.reason, /found 1: CVE-2019-10744 in lodash 4\.17\.11 \(CRITICAL, fixed in 4\.17\.12, published 2019-07-10T19:45:23Z in GHSA-jf85-cpcp-j695\)/);
  const medium = decide(vulns({ severity: 'MEDIUM' }), withPackages(), data).result;
  assert.match(medium.reason, /found 2: /);
  assert.ok(medium.facts.some((f) => f.name === 'vulnerability.CVE-2023-32681' && f.value === 'pkg:pypi/requests@2.30.0 MEDIUM published 2023-05-22T20:36:32Z'));
  const fixedLodash = decide(vulns(), withPackages([pkg('npm', 'lodash', '4.17.21')]), data).result;
  assert.equal(fixedLodash.passed, true);
  assert.match(fixedLodash.reason, /^no vulnerabilities at or above HIGH among 1 package \(inventory sha256:[0-9a-f]{64}\)$/);
});

test('vulnerabilities: an unrated finding reaches no threshold and is listed in the facts', () => {
  const { result } = decide(vulns({ severity: 'LOW' }), withPackages([pkg('npm', 'lodash', '4.17.11')]), evaluationData({ advisories: [unrated] }));
  assert.equal(result.passed, true);
  assert.deepEqual(result.facts.find((f) => f.name === 'vulnerability.unrated')?.value, 'CVE-2099-0001 in pkg:npm/lodash@4.17.11');
});

test('vulnerabilities: aliases are merged, one vulnerability per package and CVE', () => {
  const { result } = decide(vulns(), withPackages([pkg('npm', 'lodash', '4.17.11')]), evaluationData({ advisories: [lodash, cveRecord] }));
  assert.match(result.reason, /; found 1: CVE-2019-10744 in lodash/);
});

test('vulnerabilities: a version that cannot be ordered counts, failing closed, and says so', () => {
  const { result } = decide(vulns(), withPackages([pkg('npm', 'lodash', 'not.a.version')]), evaluationData({ advisories: [lodash] }));
  assert.equal(result.passed, false);
  assert.match(result.reason, /CVE-2019-10744 in lodash not\.a\.version \(CRITICAL, fixed in .+, version not comparable \(.+\): counted, failing closed\)/);
});

test('vulnerabilities: publishedAfter the build time or a date; no build time fails', () => {
  const data = evaluationData({ advisories: [lodash] });
  const before = withPackages(undefined, buildFact({ startedOn: '2019-06-01T00:00:00Z', finishedOn: undefined }));
  assert.equal(decide(vulns({ publishedAfter: { kind: 'build' } }), before, data).result.passed, false, 'startedOn when finishedOn is absent');
  assert.equal(decide(vulns({ publishedAfter: { kind: 'build' } }), withPackages(), data).result.passed, true, 'built 2024, published 2019');
  assert.equal(decide(vulns({ publishedAfter: { kind: 'date', at: '2019-07-01T00:00:00Z' } }), withPackages(), data).result.passed, false);
  assert.equal(decide(vulns({ publishedAfter: { kind: 'date', at: '2019-07-11T00:00:00Z' } }), withPackages(), data).result.passed, true);
  const undated = withPackages(undefined, buildFact({ startedOn: undefined, finishedOn: undefined }));
  const noTime = decide(vulns({ publishedAfter: { kind: 'build' } }), undated, data).result;
  assert.equal(noTime.passed, false);
  assert.match(noTime.reason, /^publishedAfter: build needs the build time, and the provenance sha256:[0-9a-f]{64} has none$/);
  const noBuild = imageFacts({ attestations: [layersAttestation('no build', [pkg('npm', 'lodash', '4.17.21')])] });
  assert.match(decide(vulns({ publishedAfter: { kind: 'build' } }), noBuild, data).result.reason, /no trusted build provenance gives one/);
});

test('vulnerabilities: fixedOnly leaves out findings without a fix', () => {
  const data = evaluationData({ advisories: [unfixed] });
  const facts = withPackages([pkg('npm', 'lodash', '4.17.21')]);
  assert.equal(decide(vulns({ fixedOnly: false }), facts, data).result.passed, false);
  assert.equal(decide(vulns({ fixedOnly: true }), facts, data).result.passed, true);
});

test('vulnerabilities: an ignore entry (id or alias) applies until it expires, which bounds validUntil', () => {
  const data = evaluationData({ advisories: [lodash] });
  const facts = withPackages([pkg('npm', 'lodash', '4.17.11')]);
  const ignore = (id: string, expires: string) => vulns({ ignore: [{ id, owner: 'payments-team@acme.example', expires, reason: 'not reachable' }] });
  const byAlias = decide(ignore('CVE-2019-10744', '2024-07-01T00:00:00Z'), facts, data);
  assert.equal(byAlias.result.passed, true);
  assert.equal(byAlias.decision.validUntil, '2024-07-01T00:00:00.001Z');
  assert.match(byAlias.result.reason, /1 ignored until their expiry/);
  assert.equal(decide(ignore('GHSA-jf85-cpcp-j695', '2024-07-01T00:00:00Z'), facts, data).result.passed, true);
  const expired = decide(ignore('CVE-2019-10744', '2024-05-01T00:00:00Z'), facts, data);
  assert.equal(expired.result.passed, false);
  assert.equal(expired.decision.validUntil, undefined);
  assert.ok(expired.result.facts.some((f) => f.name === 'vulnerability.ignoreExpired'));
  assert.equal(decide(ignore('CVE-2000-0000', '2025-01-01T00:00:00Z'), facts, data).result.passed, false);
});

test('vulnerabilities: no trusted inventory fails', () => {
  const { result } = decide(vulns(), imageFacts({ attestations: [slsaAttestation('build only')] }), evaluationData({ advisories: [lodash] }));
  assert.equal(result.passed, false);
  assert.match(result.reason, /^no trusted package inventory/);
});
