import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mavenVersions } from '../../../src/vuln/versions/maven.js';
import { testChainTable } from './chain-table.js';

const scheme = mavenVersions;
testChainTable('maven', scheme);

test('maven: the cycle of ComparableVersion around "1-0.alpha" is reproduced, not repaired', () => {
  // Maven 3.9 orders 1 < 1-sp (MNG-6964 puts 1-0.alpha below 1) yet a list item beats a string item, so
  // 1-sp < 1-0.alpha: a cycle in Maven itself. Agreeing with Maven matters more here than transitivity.
  assert.ok(scheme.compare('1', '1-sp') < 0);
  assert.ok(scheme.compare('1-sp', '1-0.alpha') < 0);
  assert.ok(scheme.compare('1-0.alpha', '1') < 0);
});
