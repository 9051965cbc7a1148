import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isProvenantError } from '../../src/core/errors.js';
import { MAX_RANGE_LENGTH, parseVersionRange, schemeForEcosystem } from '../../src/policy/version-range.js';

function contains(range: string, ecosystem: string, cases: Record<string, boolean>): void {
  const parsed = parseVersionRange(range, ecosystem);
  for (const [version, expected] of Object.entries(cases)) {
    assert.deepEqual(parsed.test(version), { comparable: true, contains: expected }, `${version} in ${range} (${ecosystem})`);
  }
}

test('comparators order versions by the ecosystem: dpkg epochs and tildes', () => {
  contains('<3.0.7', 'deb', { '3.0.2-1': true, '3.0.7~rc1': true, '3.0.7': false, '3.0.7-1': false, '1:1.0': false, '3.0.11-1~deb12u2': false });
  contains('>=2.36 <2.36.1-8', 'Debian:12', { '2.36.1-7': true, '2.36.1-8': false, '2.35': false });
});

test('Maven intervals, as Maven writes version ranges', () => {
  contains('[2.0,2.17.1)', 'maven', { '2.0': true, '2.14.1': true, '2.17.0': true, '2.17.1': false, '2.0-beta9': false, '1.2.17': false });
  contains('(,1.0]', 'Maven', { '0.9': true, '1.0': true, '1.0.1': false });
  contains('[1.5,)', 'maven', { '1.5': true, '99': true, '1.4.9': false });
  contains('[1.0]', 'maven', { '1.0': true, '1.0.1': false });
  contains('[1.0,2.0),[3.0,)', 'maven', { '1.5': true, '2.5': false, '3.1': true });
});

test('npm and PyPI ranges with alternatives', () => {
  contains('>=1.0.0 <2.0.0 || >=3.0.0', 'npm', { '1.2.3': true, '2.0.0': false, '3.0.0': true, '1.0.0-rc.1': false });
  contains('<2.31.0', 'pypi', { '2.30.0': true, '2.31.0rc1': true, '2.31.0': false, '2.31.0.post1': false });
  contains('=1.2.3', 'npm', { '1.2.3': true, '1.2.4': false });
  contains('1.2.3', 'npm', { '1.2.3': true, '1.2.30': false });
});

test('"*" holds every version the scheme can order, and an unorderable version is reported, not excluded', () => {
  contains('*', 'npm', { '0.0.1': true, '10.0.0': true });
  const star = parseVersionRange('*', 'npm').test('not a version');
  assert.equal(star.comparable, false);
  const bounded = parseVersionRange('<2.0.0', 'npm').test('banana');
  assert.equal(bounded.comparable, false);
});

test('ecosystems are named as the catalog or OSV names them', () => {
  for (const name of ['deb', 'Debian', 'Debian:12', 'apk', 'Alpine:v3.19', 'rpm', 'npm', 'pypi', 'PyPI', 'golang', 'Go', 'maven', 'Maven']) {
    assert.doesNotThrow(() => schemeForEcosystem(name), name);
  }
  assert.throws(() => schemeForEcosystem('cargo'), (e) => isProvenantError(e, 'POLICY_INVALID') && e.details?.['ecosystem'] === 'cargo');
  assert.throws(() => parseVersionRange('<1', 'cargo'), (e) => isProvenantError(e, 'POLICY_INVALID') && e.details?.['ecosystem'] === 'cargo');
});

test('refuses malformed ranges', () => {
  const bad: [string, string][] = [
    ['', 'npm'],
    ['   ', 'npm'],
    ['x'.repeat(MAX_RANGE_LENGTH + 1), 'npm'],
    ['<not-a-version', 'npm'],
    ['~1.2.3', 'npm'],
    ['>= 1.0.0', 'npm'],
    ['!=1.0.0', 'npm'],
    ['>=1.0.0 >=2.0.0', 'npm'],
    ['<1.0.0 ||', 'npm'],
    ['[1.0,2.0', 'maven'],
    ['(1.0]', 'maven'],
    ['[,]', 'maven'],
    ['[1,2,3]', 'maven'],
    ['[1.0,2.0),', 'maven'],
    ['[1.0,2.0) x', 'maven'],
  ];
  for (const [range, ecosystem] of bad) {
    assert.throws(
      () => parseVersionRange(range, ecosystem),
      (e) => isProvenantError(e, 'POLICY_INVALID') && e.details?.['range'] === range,
      JSON.stringify(range),
    );
  }
});
