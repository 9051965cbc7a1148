// The arguments of `provenant serve` and `provenant token create`, which fail before anything is started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isProvenantError } from '../../src/core/errors.js';
import { parseListen, parsePositive, parseRegistryMap } from '../../src/cli/serve-args.js';
import { failedWith, succeeded } from './cli-helpers.js';
import { storeWorkspace } from './store-fixtures.js';

test('--listen takes host:port, [v6]:port, :port and a bare port', () => {
  assert.deepEqual(parseListen('0.0.0.0:8080'), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListen('[::1]:9000'), { host: '::1', port: 9000 });
  assert.deepEqual(parseListen(':0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListen('8443'), { host: '127.0.0.1', port: 8443 });
  for (const bad of ['localhost', 'host:99999', '::1:80', 'host:port', '']) {
    assert.throws(() => parseListen(bad), (e: unknown) => isProvenantError(e, 'USAGE'), bad);
  }
});

test('numbers and registry maps are checked', () => {
  assert.equal(parsePositive('4096', '--max-body'), 4096);
  assert.equal(parsePositive('0', '--batch-delay', true), 0);
  for (const bad of ['0', '-1', '1e3', '']) assert.throws(() => parsePositive(bad, '--batch-size'), (e: unknown) => isProvenantError(e, 'USAGE'), bad);
  assert.deepEqual(parseRegistryMap(['Registry.Example:5000=http://10.0.0.5:5000']), { 'registry.example:5000': 'http://10.0.0.5:5000' });
  assert.throws(() => parseRegistryMap(['registry.example']), (e: unknown) => isProvenantError(e, 'USAGE'));
  assert.throws(() => parseRegistryMap(['a=http://x', 'A=http://y']), (e: unknown) => isProvenantError(e, 'USAGE'));
});

test('serve refuses bad options before opening anything', async () => {
  const ws = await storeWorkspace('serve-options');
  failedWith(await ws.run(['serve', '--data', ws.data, '--read-auth', 'maybe']), 'USAGE');
  failedWith(await ws.run(['serve', '--data', ws.data, '--tls-cert', ws.path('cert.pem')]), 'USAGE');
  failedWith(await ws.run(['serve', '--data', ws.data, '--listen', 'nowhere']), 'USAGE');
  for (const kube of [['--kube-api', 'http://10.0.0.1:6443'], ['--kube-api', 'cluster'], ['--kube-api', 'https://10.0.0.1/api'], ['--kube-token-file', ws.path('token')]]) {
    failedWith(await ws.run(['serve', '--data', ws.data, ...kube]), 'USAGE');
  }
  // In a pod (the service host is set) without the service account's CA: refused, not run without labels.
  failedWith(await ws.run(['serve', '--data', ws.data], { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }), 'CLUSTER_API_UNAVAILABLE');
  failedWith(await ws.run(['serve', '--data', ws.data, '--listen', '127.0.0.1:0'], { PROVENANT_LOG_PASSWORD: undefined }), 'PASSWORD_REQUIRED');
});

test('token create stores only a hash, with write implying read, and refuses a name twice', async () => {
  const ws = await storeWorkspace('token-create');
  const made = succeeded<{ token: string; scopes: string[]; file: string }>(await ws.run(['token', 'create', 'deploy', '--data', ws.data, '--json']));
  assert.deepEqual(made.scopes, ['read', 'write']);
  assert.equal(made.file, join(ws.data, 'tokens.json'));
  const file = await readFile(made.file, 'utf8');
  assert.ok(!file.includes(made.token));
  const reader = succeeded<{ scopes: string[] }>(await ws.run(['token', 'create', 'dashboard', '--scope', 'read', '--tokens', made.file, '--json']));
  assert.deepEqual(reader.scopes, ['read']);
  failedWith(await ws.run(['token', 'create', 'deploy', '--data', ws.data]), 'USAGE');
  failedWith(await ws.run(['token', 'create', 'x', '--scope', 'admin', '--data', ws.data]), 'USAGE');
});
