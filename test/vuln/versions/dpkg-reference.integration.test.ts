// The dpkg scheme against dpkg itself: every pair of the fixture table, and pairs of the versions of the packages
// installed on this Debian system, are ordered as `dpkg --compare-versions` orders them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dpkgVersions } from '../../../src/vuln/versions/dpkg.js';

interface PairTable {
  pairs: [string, '<' | '=' | '>', string][];
}
const table = JSON.parse(readFileSync(new URL('../../fixtures/version-pairs/dpkg.json', import.meta.url), 'utf8')) as PairTable;

function dpkgSays(a: string, op: 'lt' | 'eq' | 'gt', b: string): boolean {
  const run = spawnSync('dpkg', ['--compare-versions', a, op, b], { encoding: 'utf8' });
  if (run.error !== undefined) throw new Error(`dpkg could not be run (is this a Debian system?): ${run.error.message}`);
  if (run.status !== 0 && run.status !== 1) throw new Error(`dpkg --compare-versions failed: ${run.stderr}`);
  return run.status === 0;
}

const relation = (a: string, b: string): '<' | '=' | '>' => (dpkgSays(a, 'lt', b) ? '<' : dpkgSays(a, 'eq', b) ? '=' : '>');

test('every pair of the fixture table is ordered as dpkg --compare-versions orders it', () => {
  for (const [a, , b] of table.pairs) {
    const ours = Math.sign(dpkgVersions.compare(a, b));
    assert.equal(['<', '=', '>'][ours + 1], relation(a, b), `${a} vs ${b}`);
  }
});

test('versions of the installed packages are ordered as dpkg orders them', () => {
  const run = spawnSync('dpkg-query', ['-W', '-f', '${Version}\\n'], { encoding: 'utf8' });
  if (run.error !== undefined) throw new Error(`dpkg-query could not be run: ${run.error.message}`);
  const versions = [...new Set(run.stdout.split('\n').filter((v) => v !== ''))].slice(0, 40);
  assert.ok(versions.length >= 20, `only ${versions.length} installed package versions`);
  for (let i = 0; i < versions.length; i++) {
    const a = versions[i] as string;
    const b = versions[(i * 7 + 3) % versions.length] as string;
    assert.equal(['<', '=', '>'][Math.sign(dpkgVersions.compare(a, b)) + 1], relation(a, b), `${a} vs ${b}`);
  }
});
