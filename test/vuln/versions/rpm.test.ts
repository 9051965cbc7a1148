import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RPM_MAX_LENGTH, rpmVersions } from '../../../src/vuln/versions/rpm.js';
import { isVersionInvalid, loadPairTable, testPairTable } from './pair-table.js';

const table = loadPairTable('rpm');
const scheme = rpmVersions;
testPairTable('rpm', scheme, table);

test('rpm: malformed EVRs, and characters rpmbuild refuses in Version or Release, give VERSION_INVALID', () => {
  const bounds = [`1.${'0'.repeat(RPM_MAX_LENGTH)}`];
  for (const bad of [...table.invalid, ...bounds]) {
    assert.equal(scheme.isValid(bad), false, JSON.stringify(bad));
    assert.throws(() => scheme.compare(bad, '1.0-1'), isVersionInvalid, JSON.stringify(bad));
    assert.throws(() => scheme.compare('1.0-1', bad), isVersionInvalid, JSON.stringify(bad));
  }
  assert.equal(scheme.isValid(`1.${'0'.repeat(RPM_MAX_LENGTH - 2)}`), true);
});

test('rpm: epochs compare as numbers of any length and a missing release sorts first', () => {
  assert.equal(scheme.compare('00:1.0', '1.0'), 0);
  assert.ok(scheme.compare('99999999999999999999:1.0', '9999999999999999999:2.0') > 0);
  assert.ok(scheme.compare('1.0', '1.0-0') < 0);
  assert.ok(scheme.compare('1.0~rc1-5', '1.0-1') < 0);
});
