import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProvenantError } from '../../src/core/errors.js';
import { spawnRunner } from '../../src/host/index.js';

const node = process.execPath;
const opts = { env: { PATH: '/usr/bin:/bin', GREETING: 'hello' }, timeoutMs: 5_000, maxOutputBytes: 64 * 1024 };
const failedWith = (reason: string) => (e: unknown) => isProvenantError(e, 'COMMAND_FAILED') && e.details?.reason === reason;

test('spawnRunner returns the exit status and both streams, with the environment it was given', async () => {
  const script = 'process.stdout.write(process.env.GREETING + " out"); process.stderr.write("err"); process.exit(3)';
  assert.deepEqual(await spawnRunner(node, ['-e', script], opts), { exitCode: 3, stdout: 'hello out', stderr: 'err' });
});

test('spawnRunner never goes through a shell: metacharacters arrive as literal arguments', async () => {
  const args = ['$(echo injected)', '; echo also', '*', '`id`', '"quoted" and \'single\''];
  const result = await spawnRunner(node, ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args], opts);
  assert.deepEqual(JSON.parse(result.stdout), args);
});

test('a program that hangs is COMMAND_FAILED (timeout), and what it started dies with it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-run-'));
  try {
    const pidFile = join(dir, 'grandchild.pid');
    const script = [
      'const { spawn } = require("node:child_process");',
      `const g = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "inherit" });`,
      `require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(g.pid));`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const started = Date.now();
    await assert.rejects(spawnRunner(node, ['-e', script], { ...opts, timeoutMs: 1_000 }), failedWith('timeout'));
    assert.ok(Date.now() - started < 4_000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    let alive = true;
    for (let i = 0; i < 40 && alive; i++) {
      try {
        process.kill(grandchild, 0);
        await sleep(50);
      } catch {
        alive = false;
      }
    }
    assert.equal(alive, false, 'the grandchild outlived the timeout');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('output over the limit on either stream is COMMAND_FAILED (output-limit)', async () => {
  for (const stream of ['stdout', 'stderr']) {
    const script = `const b = "x".repeat(65536); function w() { while (process.${stream}.write(b)); process.${stream}.once("drain", w); } w();`;
    await assert.rejects(spawnRunner(node, ['-e', script], { ...opts, maxOutputBytes: 1024 }), failedWith('output-limit'), stream);
  }
});

test('a program that cannot be started is COMMAND_FAILED (spawn)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-run-'));
  try {
    await assert.rejects(spawnRunner(join(dir, 'no-such-program'), [], opts), failedWith('spawn'));
    await assert.rejects(spawnRunner(node, ['-e', '1', 'nul\0byte'], opts), failedWith('spawn'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
