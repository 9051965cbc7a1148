// `provenant serve` as it is run: a child process started from the CLI on a free port, taking appends from the
// CLI with a token made by `provenant token create`, and stopping cleanly on SIGTERM with everything durable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { LOG_PASSWORD_ENV } from '../../src/cli/log-key.js';
import { succeeded } from './cli-helpers.js';
import { LOG_PASSWORD, storeWorkspace } from './store-fixtures.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

test('serve runs as a process: one line with URL, origin and key, health and appends verified on a worker thread, and exit 0 on SIGTERM', async (t) => {
  const ws = await storeWorkspace('serve-process');
  const token = (await ws.run(['token', 'create', 'ci', '--data', ws.data])).stdout.trim();
  assert.match(token, /^pvt_/);

  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--data', ws.data, '--listen', '127.0.0.1:0', '--origin', 'serve.test/log', '--verify-threads', '1'], {
    env: { PATH: process.env.PATH, HOME: ws.dir, [LOG_PASSWORD_ENV]: LOG_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = once(child, 'exit');
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    });
    void exited.then(([code]) => reject(new Error(`serve exited with ${String(code)} before listening: ${stderr}`)));
  });
  const m = /listening on (http:\/\/127\.0\.0\.1:[0-9]+), origin (\S+), verifier key (\S+)$/.exec(line);
  assert.ok(m !== null, line);
  const [, url, origin, verifierKey] = m as unknown as [string, string, string, string];
  assert.equal(origin, 'serve.test/log');
  assert.ok(verifierKey.startsWith('serve.test/log+'));

  assert.deepEqual(await get(`${url}/healthz`), { status: 200, body: JSON.stringify({ status: 'ok' }) });
  const file = ws.path('disk.raw');
  await writeFile(file, 'disk image\n');
  const recorded = succeeded<{ index: string }>(
    await ws.run(['record', file, '--line', 'acme/served', '--key', ws.key.key, '--server', url, '--log-key-pub', verifierKey, '--json'], { PROVENANT_TOKEN: token }),
  );
  assert.equal(recorded.index, '0');

  child.kill('SIGTERM');
  const [code, signal] = await exited;
  assert.equal(signal, null, stderr);
  assert.equal(code, 0, stderr);

  // What the service acknowledged is in the data directory, read now through the embedded log.
  const info = succeeded<{ size: string; origin: string }>(await ws.run(['log', 'info', '--json', '--data', ws.data]));
  assert.deepEqual(info, { ...info, size: '1', origin: 'serve.test/log' });
});
