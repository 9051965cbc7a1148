import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APK_MAX_LENGTH, apkVersions } from '../../../src/vuln/versions/apk.js';
import { isVersionInvalid, loadPairTable, testPairTable } from './pair-table.js';

const table = loadPairTable('apk');
const scheme = apkVersions;
testPairTable('apk', scheme, table);

test('apk: versions apk-tools validates are valid; malformed ones are refused with VERSION_INVALID', () => {
  assert.ok((table.valid ?? []).length > 0);
  for (const good of table.valid ?? []) assert.equal(scheme.isValid(good), true, good);
  // apk reads numbers into a uint64_t that wraps; a number past it is refused rather than compared wrapped.
  const bounds = [`1.${'0'.repeat(APK_MAX_LENGTH)}`, '18446744073709551616', '1.0-r18446744073709551616', '1.0A'];
  for (const bad of [...table.invalid, ...bounds]) {
    assert.equal(scheme.isValid(bad), false, JSON.stringify(bad));
    assert.throws(() => scheme.compare(bad, '1.0-r0'), isVersionInvalid, JSON.stringify(bad));
    assert.throws(() => scheme.compare('1.0-r0', bad), isVersionInvalid, JSON.stringify(bad));
  }
  assert.equal(scheme.isValid('18446744073709551615'), true);
});

test('apk: pre-release suffixes sort before the bare version, post-release ones and revisions after it', () => {
  const ascending = ['1.0_alpha', '1.0_beta', '1.0_pre', '1.0_rc', '1.0', '1.0-r1', '1.0_cvs', '1.0_svn'];
  ascending.push('1.0_git', '1.0_hg', '1.0_p', '1.0a', '1.0.1', '1.01');
  for (let i = 0; i + 1 < ascending.length; i++) {
    assert.ok(scheme.compare(ascending[i]!, ascending[i + 1]!) < 0, `${ascending[i]} < ${ascending[i + 1]}`);
  }
  assert.equal(scheme.compare('006', '6'), 0);
  assert.ok(scheme.compare('1.0~abc', '1.0~abd') < 0);
});
