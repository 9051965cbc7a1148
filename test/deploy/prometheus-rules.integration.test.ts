// The shipped alert rules (deploy/prometheus/rules.yml) pass Prometheus's own checks and unit tests
// (rules.test.yml: each alert fires on the series that should fire it and stays silent otherwise), run with the real
// promtool; a copy with one threshold changed fails those tests, so this test can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireProgram } from '../helpers/registry.js';

const DIR = new URL('../../deploy/prometheus/', import.meta.url).pathname;

function promtool(args: string[], cwd: string): { status: number | null; out: string } {
  const bin = requireProgram('promtool', 'apt-get install prometheus');
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('promtool checks the rules and passes their unit tests', () => {
  const check = promtool(['check', 'rules', 'rules.yml'], DIR);
  assert.equal(check.status, 0, check.out);
  assert.match(check.out, /SUCCESS: 6 rules found/);
  const unit = promtool(['test', 'rules', 'rules.test.yml'], DIR);
  assert.equal(unit.status, 0, unit.out);
});

test('a rule with a changed threshold fails the unit tests', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-rules-'));
  try {
    await copyFile(join(DIR, 'rules.test.yml'), join(dir, 'rules.test.yml'));
    const rules = await readFile(join(DIR, 'rules.yml'), 'utf8');
    await writeFile(join(dir, 'rules.yml'), rules.replace('provenant_reevaluation_images_now_failing > 0', 'provenant_reevaluation_images_now_failing > 5'));
    const unit = promtool(['test', 'rules', 'rules.test.yml'], dir);
    assert.notEqual(unit.status, 0, unit.out);
    assert.match(unit.out, /AdmittedImagesNowDenied/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
