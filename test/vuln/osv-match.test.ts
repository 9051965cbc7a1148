import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { JsonObject } from '../../src/core/json.js';
import { affectedBy, pep503 } from '../../src/vuln/osv-match.js';
import { advisoryFromJson, parseOsvRecord, type Advisory } from '../../src/vuln/osv-record.js';

// Real advisories; where each comes from is in test/fixtures/osv/SOURCE.md.
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/osv/${name}`, import.meta.url), 'utf8');
const lodash = parseOsvRecord(fixture('GHSA-jf85-cpcp-j695.json'));
const requests = parseOsvRecord(fixture('GHSA-j8r2-6x86-q33q.json'));
const npm = (name: string, version: string) => ({ ecosystem: 'npm', name, version });
const pypi = (name: string, version: string) => ({ ecosystem: 'PyPI', name, version });

/** A copy of a real record with its first affected entry's ranges (or other fields) replaced, for cases no fixture has. */
function derived(name: string, change: (record: JsonObject, first: JsonObject) => void): Advisory {
  const record = JSON.parse(fixture(name)) as JsonObject;
  change(record, (record.affected as JsonObject[])[0] as JsonObject);
  return advisoryFromJson(record);
}

test('osv-match: lodash (npm) below, at and above the fixed version 4.17.12', () => {
  const below = affectedBy(lodash, npm('lodash', '4.17.11'));
  assert.equal(below.affected, true);
  assert.equal(below.comparable, true);
  assert.deepEqual(below.fixed, ['4.17.12']);
  assert.deepEqual(below.range, { affectedIndex: 0, rangeIndex: 0, type: 'ECOSYSTEM', introduced: '0', fixed: '4.17.12' });
  assert.equal(affectedBy(lodash, npm('lodash', '0.1.0')).affected, true, 'introduced "0" is from the beginning');
  assert.equal(affectedBy(lodash, npm('lodash', '4.17.12-pre')).affected, true, 'a pre-release orders before its release');
  for (const v of ['4.17.12', '4.17.13', '4.17.21']) {
    const r = affectedBy(lodash, npm('lodash', v));
    assert.equal(r.affected, false, v);
    assert.equal(r.comparable, true, v);
    assert.equal(r.packageListed, true, v);
  }
});

test('osv-match: each affected package of a record keeps its own range; npm names match exactly', () => {
  assert.equal(affectedBy(lodash, npm('lodash-es', '4.17.13')).affected, true);
  assert.equal(affectedBy(lodash, npm('lodash-es', '4.17.14')).affected, false);
  assert.equal(affectedBy(lodash, npm('lodash.defaultsdeep', '4.6.0')).range?.affectedIndex, 3);
  const other = affectedBy(lodash, npm('Lodash', '4.17.11'));
  assert.equal(other.affected, false);
  assert.equal(other.packageListed, false);
  assert.equal(affectedBy(lodash, pypi('lodash', '4.17.11')).packageListed, false, 'another ecosystem');
});

test('osv-match: requests (PyPI) at the introduced boundary 2.3.0 and around the fixed 2.31.0', () => {
  const cases: [string, boolean][] = [
    ['2.2.1', false],
    ['2.3.0', true],
    ['2.3', true], // PEP 440: 2.3 == 2.3.0
    ['2.30.0', true],
    ['2.31.0rc1', true], // PEP 440: a release candidate precedes its release
    ['2.31.0', false],
    ['2.31.0.post1', false],
    ['2.32.3', false],
  ];
  for (const [version, expected] of cases) {
    const r = affectedBy(requests, pypi('requests', version));
    assert.equal(r.affected, expected, version);
    assert.equal(r.comparable, true, version);
  }
  assert.deepEqual(affectedBy(requests, pypi('requests', '2.30.0')).fixed, ['2.31.0']);
});

test('osv-match: PyPI names are compared after PEP 503 normalisation', () => {
  assert.equal(pep503('Foo__Bar.-baz'), 'foo-bar-baz');
  assert.equal(affectedBy(requests, pypi('Requests', '2.30.0')).affected, true);
  const renamed = derived('GHSA-j8r2-6x86-q33q.json', (_r, first) => {
    first.package = { ecosystem: 'PyPI', name: 'zope.interface' };
  });
  assert.equal(affectedBy(renamed, pypi('Zope_Interface', '2.30.0')).affected, true);
  assert.equal(affectedBy(renamed, pypi('zopeinterface', '2.30.0')).affected, false);
});

test('osv-match: a last_affected bound includes that version and nothing above it', () => {
  const lastAffected = derived('GHSA-j8r2-6x86-q33q.json', (_r, first) => {
    first.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '2.3.0' }, { last_affected: '2.30.0' }] }];
  });
  assert.equal(affectedBy(lastAffected, pypi('requests', '2.30.0')).affected, true);
  assert.deepEqual(affectedBy(lastAffected, pypi('requests', '2.30.0')).range?.lastAffected, '2.30.0');
  assert.deepEqual(affectedBy(lastAffected, pypi('requests', '2.30.0')).fixed, []);
  assert.equal(affectedBy(lastAffected, pypi('requests', '2.30.1')).affected, false);
  assert.equal(affectedBy(lastAffected, pypi('requests', '2.2.0')).affected, false);
});

test('osv-match: events are evaluated sorted, several intervals in one range, and limit bounds the range', () => {
  const unsorted = derived('GHSA-jf85-cpcp-j695.json', (_r, first) => {
    first.ranges = [{ type: 'SEMVER', events: [{ fixed: '3.2.5' }, { introduced: '3.0.0' }, { fixed: '1.0.2' }, { introduced: '1.0.0' }] }];
  });
  const expected: [string, boolean][] = [['0.9.0', false], ['1.0.1', true], ['1.0.2', false], ['3.1.0', true], ['3.2.5', false]];
  for (const [v, want] of expected) assert.equal(affectedBy(unsorted, npm('lodash', v)).affected, want, v);
  assert.deepEqual(affectedBy(unsorted, npm('lodash', '3.1.0')).range?.introduced, '3.0.0');

  const limited = derived('GHSA-jf85-cpcp-j695.json', (_r, first) => {
    first.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { limit: '4.0.0' }] }];
  });
  assert.equal(affectedBy(limited, npm('lodash', '3.10.1')).affected, true);
  assert.equal(affectedBy(limited, npm('lodash', '4.0.0')).affected, false);
  const star = derived('GHSA-jf85-cpcp-j695.json', (_r, first) => {
    first.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '1.0.0' }, { limit: '*' }] }];
  });
  assert.equal(affectedBy(star, npm('lodash', '99.0.0')).affected, true);
});

test('osv-match: an explicit versions list counts; GIT ranges are not evaluated and are counted', () => {
  const listed = derived('GHSA-jf85-cpcp-j695.json', (_r, first) => {
    first.ranges = [{ type: 'GIT', repo: 'https://github.com/lodash/lodash', events: [{ introduced: '0' }] }];
    first.versions = ['4.17.11'];
  });
  const hit = affectedBy(listed, npm('lodash', '4.17.11'));
  assert.equal(hit.affected, true);
  assert.equal(hit.inVersionsList, true);
  assert.equal(hit.gitRangesIgnored, 1);
  const miss = affectedBy(listed, npm('lodash', '4.17.10'));
  assert.equal(miss.affected, false);
  assert.equal(miss.gitRangesIgnored, 1);
});

test('osv-match: a withdrawn advisory never matches', () => {
  const withdrawn = derived('GHSA-jf85-cpcp-j695.json', (record) => {
    record.withdrawn = '2024-05-01T00:00:00Z';
  });
  const r = affectedBy(withdrawn, npm('lodash', '4.17.11'));
  assert.equal(r.affected, false);
  assert.equal(r.withdrawn, true);
});

test('osv-match: a version the scheme cannot read is not comparable, never silently unaffected', () => {
  for (const [advisory, pkg] of [
    [lodash, npm('lodash', 'latest')],
    [lodash, npm('lodash', '4.17')],
    [requests, pypi('requests', 'two.thirty')],
  ] as const) {
    const r = affectedBy(advisory, pkg);
    assert.equal(r.affected, false, pkg.version);
    assert.equal(r.comparable, false, pkg.version);
    assert.equal(typeof r.reason, 'string');
  }
  const badEvent = derived('GHSA-jf85-cpcp-j695.json', (_r, first) => {
    first.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.x' }] }];
  });
  assert.equal(affectedBy(badEvent, npm('lodash', '4.17.11')).comparable, false);
  const unknownEcosystem = derived('GHSA-jf85-cpcp-j695.json', (_r, first) => {
    first.package = { ecosystem: 'Hex', name: 'lodash' };
  });
  assert.equal(affectedBy(unknownEcosystem, { ecosystem: 'Hex', name: 'lodash', version: '4.17.11' }).comparable, false);
});

test('osv-match: distribution ecosystems match with their release suffix; Go versions gain their "v"', () => {
  const debian = derived('GHSA-jf85-cpcp-j695.json', (_r, first) => {
    first.package = { ecosystem: 'Debian:12', name: 'node-lodash' };
    first.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.17.21+dfsg+~cs8.31.198.20210220-9' }] }];
  });
  const deb = (ecosystem: string, version: string) => ({ ecosystem, name: 'node-lodash', version });
  assert.equal(affectedBy(debian, deb('Debian:12', '4.17.21+dfsg+~cs8.31.198.20210220-8')).affected, true);
  assert.equal(affectedBy(debian, deb('Debian:12', '4.17.21+dfsg+~cs8.31.198.20210220-9')).affected, false);
  assert.equal(affectedBy(debian, deb('Debian:11', '4.17.21+dfsg+~cs8.31.198.20210220-8')).packageListed, false);
  const go = derived('GHSA-jf85-cpcp-j695.json', (_r, first) => {
    first.package = { ecosystem: 'Go', name: 'golang.org/x/net' };
    first.ranges = [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.17.0' }] }];
  });
  const goPkg = (version: string) => ({ ecosystem: 'Go', name: 'golang.org/x/net', version });
  assert.equal(affectedBy(go, goPkg('v0.16.0')).affected, true);
  assert.equal(affectedBy(go, goPkg('0.16.0')).affected, true);
  assert.equal(affectedBy(go, goPkg('v0.17.0')).affected, false);
  assert.deepEqual(affectedBy(go, goPkg('v0.16.0')).fixed, ['0.17.0']);
});
