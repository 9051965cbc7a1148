#!/usr/bin/env node
// Runs one suite through `node --test` with the tsx loader.
//   unit:        every test/**/*.test.ts except *.integration.test.ts (Node and npm only)
//   integration: every test/**/*.integration.test.ts (needs the peers .ci/run installs)
// Extra arguments are file filters: `npm test -- dsse` runs the files whose path contains "dsse".
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const [suite = 'unit', ...filters] = process.argv.slice(2);
if (suite !== 'unit' && suite !== 'integration') {
  console.error(`error[USAGE]: unknown suite "${suite}" (unit | integration)`);
  process.exit(2);
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const isIntegration = (f) => f.endsWith('.integration.test.ts');
const files = walk('test')
  .filter((f) => (suite === 'integration' ? isIntegration(f) : !isIntegration(f)))
  .filter((f) => filters.length === 0 || filters.some((q) => f.includes(q)))
  .map((f) => relative('.', f))
  .sort();

if (files.length === 0) {
  console.error(`error[USAGE]: no ${suite} test files matched`);
  process.exit(2);
}

const concurrency = suite === 'integration' ? 2 : Math.max(2, availableParallelism());
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
  { stdio: 'inherit', env: { ...process.env, PROVENANT_TEST_SUITE: suite } },
);
process.exit(result.status ?? 1);
