import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DPKG_MAX_LENGTH, dpkgVersions } from '../../../src/vuln/versions/dpkg.js';
import { isVersionInvalid, loadPairTable, testPairTable } from './pair-table.js';

const table = loadPairTable('dpkg');
const scheme = dpkgVersions;
testPairTable('dpkg', scheme, table);

test('dpkg: malformed versions and those dpkg only warns about are refused with VERSION_INVALID', () => {
  const bounds = [`1.${'0'.repeat(DPKG_MAX_LENGTH)}`, 'é1.0'];
  for (const bad of [...table.invalid, ...bounds]) {
    assert.equal(scheme.isValid(bad), false, JSON.stringify(bad));
    assert.throws(() => scheme.compare(bad, '1.0-1'), isVersionInvalid, JSON.stringify(bad));
    assert.throws(() => scheme.compare('1.0-1', bad), isVersionInvalid, JSON.stringify(bad));
  }
  assert.equal(scheme.isValid(`1.${'0'.repeat(DPKG_MAX_LENGTH - 2)}`), true);
  assert.equal(scheme.isValid('2147483647:1.0'), true);
});
