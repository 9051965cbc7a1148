// The shared table tests of a version scheme whose fixture lists ascending chains, equal groups and invalid strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProvenantError } from '../../../src/core/errors.js';
import type { VersionScheme } from '../../../src/vuln/versions/scheme.js';

// Chains are strictly ascending, groups of "equal" compare equal, "invalid" are refused; "notTransitive" names
// versions whose reference order is itself cyclic, left out of the property test (see the fixtures' SOURCE.md).
export interface ChainTable {
  ascending: string[][];
  equal: string[][];
  invalid: string[];
  notTransitive?: string[];
}
const isVersionInvalid = (e: unknown): boolean => e instanceof ProvenantError && e.code === 'VERSION_INVALID';

export function loadChainTable(name: string): ChainTable {
  return JSON.parse(readFileSync(new URL(`../../fixtures/version-pairs/${name}.json`, import.meta.url), 'utf8')) as ChainTable;
}

export function testChainTable(name: string, scheme: VersionScheme, table: ChainTable = loadChainTable(name)): void {
  test(`${name}: every chain of the table is ascending, in both directions`, () => {
    for (const chain of table.ascending) {
      for (let i = 0; i < chain.length; i++) {
        for (let j = i + 1; j < chain.length; j++) {
          assert.ok(scheme.compare(chain[i]!, chain[j]!) < 0, `${chain[i]} < ${chain[j]}`);
          assert.ok(scheme.compare(chain[j]!, chain[i]!) > 0, `${chain[j]} > ${chain[i]}`);
        }
      }
    }
  });

  test(`${name}: spellings of one version compare equal`, () => {
    for (const group of table.equal) {
      for (const a of group) for (const b of group) assert.equal(scheme.compare(a, b), 0, `${a} == ${b}`);
    }
  });

  test(`${name}: malformed versions are refused with VERSION_INVALID`, () => {
    const good = table.ascending[0]![0]!;
    for (const bad of table.invalid) {
      assert.equal(scheme.isValid(bad), false, JSON.stringify(bad));
      assert.throws(() => scheme.compare(bad, good), isVersionInvalid, JSON.stringify(bad));
      assert.throws(() => scheme.compare(good, bad), isVersionInvalid, JSON.stringify(bad));
    }
  });

  test(`${name}: the order is antisymmetric and transitive over every version of the table`, () => {
    const skip = new Set(table.notTransitive ?? []);
    const versions = [...new Set([...table.ascending.flat(), ...table.equal.flat()])].filter((v) => !skip.has(v));
    for (const v of versions) assert.equal(scheme.isValid(v), true, v);
    const sign = versions.map((a) => versions.map((b) => Math.sign(scheme.compare(a, b))));
    const n = versions.length;
    for (let i = 0; i < n; i++) {
      assert.equal(sign[i]![i], 0, versions[i]);
      for (let j = 0; j < n; j++) {
        assert.equal(sign[i]![j], -sign[j]![i]! || 0, `${versions[i]} vs ${versions[j]}`);
        if (sign[i]![j]! > 0) continue;
        for (let k = 0; k < n; k++) {
          if (sign[j]![k]! <= 0 && sign[i]![k]! > 0) {
            assert.fail(`${versions[i]} <= ${versions[j]} <= ${versions[k]} but ${versions[i]} > ${versions[k]}`);
          }
        }
      }
    }
  });
}
