import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError } from '../../../src/core/errors.js';
import { APK_MAX_LENGTH, apkVersions } from '../../../src/vuln/versions/apk.js';

// Pairs are [a, relation, b] with relation "<", "=" or ">"; where each comes from is in the fixtures' SOURCE.md.
interface PairTable {
  pairs: [string, '<' | '=' | '>', string][];
  valid: string[];
  invalid: string[];
}
const table = JSON.parse(
  readFileSync(new URL('../../fixtures/version-pairs/apk.json', import.meta.url), 'utf8'),
) as PairTable;
const scheme = apkVersions;
const isVersionInvalid = (e: unknown): boolean => e instanceof ProvenantError && e.code === 'VERSION_INVALID';
const expected = { '<': -1, '=': 0, '>': 1 } as const;

test('apk: every pair of the table has its order, in both directions', () => {
  assert.ok(table.pairs.length >= 40);
  for (const [a, rel, b] of table.pairs) {
    assert.equal(Math.sign(scheme.compare(a, b)), expected[rel], `${a} ${rel} ${b}`);
    assert.equal(Math.sign(scheme.compare(b, a)), -expected[rel] || 0, `${b} vs ${a}`);
  }
});

test('apk: versions apk-tools validates are valid; malformed ones are refused with VERSION_INVALID', () => {
  for (const good of table.valid) assert.equal(scheme.isValid(good), true, good);
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

test('apk: the order is antisymmetric and transitive over every version of the table', () => {
  const versions = [...new Set(table.pairs.flatMap(([a, , b]) => [a, b]))];
  const sorted = [...versions].sort((a, b) => scheme.compare(a, b));
  // Ranks from neighbours in the sorted list; the order is a total preorder exactly when every pair compares as
  // its ranks do, which covers antisymmetry and transitivity without a cubic walk.
  const rank = new Map<string, number>();
  sorted.forEach((v, i) => {
    const up = i === 0 ? 0 : rank.get(sorted[i - 1]!)! + (scheme.compare(sorted[i - 1]!, v) < 0 ? 1 : 0);
    rank.set(v, up);
  });
  for (const a of versions) {
    for (const b of versions) {
      assert.equal(Math.sign(scheme.compare(a, b)), Math.sign(rank.get(a)! - rank.get(b)!), `${a} vs ${b}`);
    }
  }
});
