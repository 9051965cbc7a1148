import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError } from '../../src/core/errors.js';
import type { JsonObject } from '../../src/core/json.js';
import { advisoryFromJson, parseOsvRecord, type Advisory } from '../../src/vuln/osv-record.js';
import { advisorySeverity, cvss2BaseScore, cvss3BaseScore, cvss3Rating } from '../../src/vuln/severity.js';

// Real vectors with the base scores published for them: NVD's CVE pages, the GitHub advisories in
// test/fixtures/osv/, and FIRST's "CVSS v3.1 Examples" document where NVD scored the CVE differently or not at all.
const CVSS3: readonly [string, string, number][] = [
  ['CVE-2021-44228 (NVD)', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
  ['CVE-2014-0160 (NVD)', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
  ['CVE-2014-6271 (NVD)', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
  ['CVE-2020-1472 (NVD)', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0],
  ['CVE-2021-4034 (NVD)', 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.8],
  ['CVE-2017-5754 (NVD, v3.0)', 'CVSS:3.0/AV:L/AC:H/PR:L/UI:N/S:C/C:H/I:N/A:N', 5.6],
  ['CVE-2019-10744 (GHSA-jf85-cpcp-j695)', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H', 9.1],
  ['CVE-2023-32681 (GHSA-j8r2-6x86-q33q)', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N', 6.1],
  ['CVE-2012-1516 (FIRST examples)', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
  ['CVE-2013-1937 (FIRST examples)', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
  ['CVE-2013-0375 (FIRST examples)', 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
  ['CVE-2008-1447 (FIRST examples)', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:N/I:H/A:N', 6.8],
  ['CVE-2014-0224 (FIRST examples)', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', 7.4],
  ['CVE-2014-3566 (FIRST examples)', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
  ['CVE-2009-0783 (FIRST examples)', 'CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2],
  ['CVE-2014-2019 (FIRST examples)', 'CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', 4.6],
];

test('CVSS v3 base scores equal the published scores of real vectors', () => {
  for (const [name, vector, score] of CVSS3) {
    const result = cvss3BaseScore(vector);
    assert.equal(result.score, score, name);
    assert.equal(result.version, vector.slice(5, 8));
    assert.equal(result.rating, cvss3Rating(score), name);
  }
});

test('CVSS v3 arithmetic edges: no impact scores 0.0 (NONE), and the rating bands of section 5', () => {
  assert.deepEqual(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N'), { version: '3.1', score: 0, rating: 'NONE' });
  // The smallest non-zero base score: Roundup lifts it to 1.6 from 1.53.
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N').score, 1.6);
  const bands: [number, string][] = [[0, 'NONE'], [0.1, 'LOW'], [3.9, 'LOW'], [4, 'MEDIUM'], [6.9, 'MEDIUM'], [7, 'HIGH'], [8.9, 'HIGH'], [9, 'CRITICAL'], [10, 'CRITICAL']];
  for (const [score, rating] of bands) assert.equal(cvss3Rating(score), rating, String(score));
});

test('CVSS v3 vectors: metrics in any order, temporal and environmental metrics do not change the base score', () => {
  assert.equal(cvss3BaseScore('CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N').score, 9.8);
  assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R/CR:L/MAV:P/MC:N').score, 9.8);
});

test('malformed CVSS vectors are CVSS_MALFORMED', () => {
  const bad = [
    '',
    'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H',
    'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/',
    'CVSS:3.1/av:n/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/Au:N',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/__proto__:X',
  ];
  for (const vector of bad) assert.throws(() => cvss3BaseScore(vector), (e) => e instanceof ProvenantError && e.code === 'CVSS_MALFORMED', vector);
  assert.throws(() => cvss2BaseScore('AV:N/AC:L/Au:N/C:P/I:P'), (e) => e instanceof ProvenantError && e.code === 'CVSS_MALFORMED');
  assert.throws(() => cvss2BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), (e) => e instanceof ProvenantError && e.code === 'CVSS_MALFORMED');
});

test('CVSS v2 base scores equal NVD scores of real vectors, rated with NVD v2 bands', () => {
  const cases: [string, string, number, string][] = [
    ['CVE-2014-0160', 'AV:N/AC:L/Au:N/C:P/I:N/A:N', 5.0, 'MEDIUM'],
    ['CVE-2014-6271', 'AV:N/AC:L/Au:N/C:C/I:C/A:C', 10.0, 'HIGH'],
    ['CVE-2021-44228', 'AV:N/AC:M/Au:N/C:C/I:C/A:C', 9.3, 'HIGH'],
    ['CVE-2021-4034', 'AV:L/AC:L/Au:N/C:C/I:C/A:C', 7.2, 'HIGH'],
  ];
  for (const [name, vector, score, rating] of cases) assert.deepEqual(cvss2BaseScore(vector), { version: '2.0', score, rating }, name);
  assert.equal(cvss2BaseScore('AV:N/AC:L/Au:N/C:N/I:N/A:N').score, 0);
  assert.equal(cvss2BaseScore('AV:N/AC:L/Au:N/C:P/I:N/A:N/E:POC/RL:OF/RC:C/CDP:N/TD:H/CR:H/IR:M/AR:L').score, 5.0);
});

// Real records (test/fixtures/osv/SOURCE.md) and copies of the lodash record with severity fields replaced.
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/osv/${name}`, import.meta.url), 'utf8');
const lodash = parseOsvRecord(fixture('GHSA-jf85-cpcp-j695.json'));
const requests = parseOsvRecord(fixture('GHSA-j8r2-6x86-q33q.json'));

function derived(change: (record: JsonObject & { affected: JsonObject[] }) => void): Advisory {
  const record = JSON.parse(fixture('GHSA-jf85-cpcp-j695.json')) as JsonObject & { affected: JsonObject[] };
  change(record);
  return advisoryFromJson(record);
}
const LOW_V3 = 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N';

test('severity sources in order: the affected entry CVSS, the record CVSS, GHSA database severity, the distribution', () => {
  assert.deepEqual(advisorySeverity(lodash, 0), {
    rating: 'CRITICAL',
    score: 9.1,
    source: 'cvss-record',
    value: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H',
    cvssVersion: '3.1',
    ignored: [],
  });
  assert.equal(advisorySeverity(requests, 0).rating, 'MEDIUM');
  assert.equal(advisorySeverity(requests, 0).source, 'cvss-record');

  const perEntry = derived((r) => {
    r.affected[0]!.severity = [{ type: 'CVSS_V3', score: LOW_V3 }];
  });
  assert.deepEqual([advisorySeverity(perEntry, 0).source, advisorySeverity(perEntry, 0).score], ['cvss-affected', 3.1]);
  // Another entry's vector says nothing about this package: the record's vector applies.
  assert.equal(advisorySeverity(perEntry, 1).source, 'cvss-record');
  assert.equal(advisorySeverity(perEntry).source, 'cvss-record');

  const databaseOnly = derived((r) => {
    r.severity = [];
    (r.database_specific as JsonObject).severity = 'MODERATE';
  });
  assert.deepEqual(advisorySeverity(databaseOnly, 0), { rating: 'MEDIUM', source: 'ghsa-database', value: 'MODERATE', ignored: [] });

  const distributionOnly = derived((r) => {
    r.severity = [];
    delete r.database_specific;
    r.affected[0]!.ecosystem_specific = { urgency: 'high' };
  });
  assert.deepEqual(advisorySeverity(distributionOnly, 0), { rating: 'HIGH', source: 'distribution', value: 'high', ignored: [] });
  assert.deepEqual(advisorySeverity(distributionOnly), { rating: 'UNKNOWN', source: 'none', ignored: [] });
});

test('within one list a v3 vector is preferred to a v2 vector; a v2 vector alone rates the finding', () => {
  const both = derived((r) => {
    r.severity = [{ type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:N/A:N' }, { type: 'CVSS_V3', score: LOW_V3 }];
  });
  assert.equal(advisorySeverity(both, 0).cvssVersion, '3.1');
  const v2 = derived((r) => {
    r.severity = [{ type: 'CVSS_V2', score: 'AV:N/AC:M/Au:N/C:C/I:C/A:C' }];
  });
  assert.deepEqual([advisorySeverity(v2, 0).rating, advisorySeverity(v2, 0).score, advisorySeverity(v2, 0).cvssVersion], ['HIGH', 9.3, '2.0']);
});

test('a bad vector or a CVSS v4 vector is skipped and reported, never thrown', () => {
  const badVector = 'CVSS:3.1/AV:N/AC:Q/PR:N/UI:N/S:U/C:H/I:H/A:H';
  const bad = derived((r) => {
    r.severity = [{ type: 'CVSS_V3', score: badVector }];
  });
  const result = advisorySeverity(bad, 0);
  assert.equal(result.source, 'ghsa-database');
  assert.equal(result.rating, 'CRITICAL');
  assert.equal(result.ignored.length, 1);
  assert.equal(result.ignored[0]!.source, 'cvss-record');
  assert.equal(result.ignored[0]!.value, badVector);

  const v4 = derived((r) => {
    r.severity = [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' }];
    delete r.database_specific;
  });
  const v4Result = advisorySeverity(v4, 0);
  assert.equal(v4Result.rating, 'UNKNOWN');
  assert.equal(v4Result.source, 'none');
  assert.deepEqual(v4Result.ignored.map((i) => i.source), ['cvss-record']);
});

test('distribution ratings: Debian urgencies and Ubuntu priorities, unrated urgencies give UNKNOWN with a reason', () => {
  const withUrgency = (urgency: string): Advisory =>
    derived((r) => {
      r.severity = [];
      delete r.database_specific;
      r.affected[0]!.ecosystem_specific = { urgency };
    });
  const cases: [string, string][] = [
    ['unimportant', 'LOW'],
    ['low', 'LOW'],
    ['low**', 'LOW'],
    ['medium', 'MEDIUM'],
    ['high', 'HIGH'],
    ['not yet assigned', 'UNKNOWN'],
    ['end-of-life', 'UNKNOWN'],
    ['whatever', 'UNKNOWN'],
  ];
  for (const [urgency, rating] of cases) {
    const result = advisorySeverity(withUrgency(urgency), 0);
    assert.equal(result.rating, rating, urgency);
    assert.equal(result.ignored.length, rating === 'UNKNOWN' ? 1 : 0, urgency);
  }
  const ubuntu = derived((r) => {
    r.severity = [{ type: 'Ubuntu', score: 'negligible' }];
    delete r.database_specific;
  });
  assert.deepEqual(advisorySeverity(ubuntu), { rating: 'LOW', source: 'distribution', value: 'negligible', ignored: [] });
});
