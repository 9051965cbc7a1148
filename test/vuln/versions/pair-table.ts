// The shared table tests of a version scheme whose fixture lists [a, relation, b] pairs (dpkg, apk, rpm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError } from '../../../src/core/errors.js';
import type { VersionScheme } from '../../../src/vuln/versions/scheme.js';

// Pairs are [a, relation, b] with relation "<", "=" or ">"; where each comes from is in the fixtures' SOURCE.md.
export interface PairTable {
  pairs: [string, '<' | '=' | '>', string][];
  valid?: string[];
  invalid: string[];
}

export const isVersionInvalid = (e: unknown): boolean => e instanceof ProvenantError && e.code === 'VERSION_INVALID';
const expected = { '<': -1, '=': 0, '>': 1 } as const;

export function loadPairTable(name: string): PairTable {
  return JSON.parse(readFileSync(new URL(`../../fixtures/version-pairs/${name}.json`, import.meta.url), 'utf8')) as PairTable;
}

export function testPairTable(name: string, scheme: VersionScheme, table: PairTable): void {
  test(`${name}: every pair of the table has its order, in both directions`, () => {
    assert.ok(table.pairs.length >= 40);
    for (const [a, rel, b] of table.pairs) {
      assert.equal(Math.sign(scheme.compare(a, b)), expected[rel], `${a} ${rel} ${b}`);
      assert.equal(Math.sign(scheme.compare(b, a)), -expected[rel] || 0, `${b} vs ${a}`);
    }
  });

  test(`${name}: the order is antisymmetric and transitive over every version of the table`, () => {
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
}
