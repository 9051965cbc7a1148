import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenantError } from '../../../src/core/errors.js';
import { runCredentialHelper } from '../../../src/oci/registry/credential-helper.js';
import { dockerConfigCredentials } from '../../../src/oci/registry/docker-config.js';

const failed = (e: unknown) => e instanceof ProvenantError && e.code === 'CREDENTIAL_HELPER_FAILED';

/** Fake docker-credential-<name> programs, written as Node scripts into a temp dir that becomes PATH. */
const HELPERS: Record<string, string> = {
  good: `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{process.stdout.write(JSON.stringify({ServerURL:s,Username:'u-'+s,Secret:'pw'}))})`,
  token: `process.stdin.resume();process.stdin.on('end',()=>console.log(JSON.stringify({ServerURL:'x',Username:'<token>',Secret:'refresh'})))`,
  none: `console.log('credentials not found in native keychain');process.exit(1)`,
  broken: `console.error('boom');process.exit(2)`,
  garbage: `console.log('not json')`,
  wrongtypes: `console.log(JSON.stringify({Username:1,Secret:2}))`,
  hang: `setInterval(()=>{},1000)`,
  flood: `const b='x'.repeat(65536);function w(){while(process.stdout.write(b));process.stdout.once('drain',w)}w()`,
  noread: `console.log(JSON.stringify({Username:'a',Secret:'b'}))`,
};

function helperDir(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-credhelper-'));
  for (const [name, body] of Object.entries(HELPERS)) {
    const path = join(dir, `docker-credential-${name}`);
    writeFileSync(path, `#!${process.execPath}\n${body}\n`);
    chmodSync(path, 0o755);
  }
  return { dir, env: { PATH: dir } };
}

test('credential helper protocol: server URL on stdin, Username/Secret out, "<token>" means identity token', async () => {
  const { dir, env } = helperDir();
  try {
    assert.deepEqual(await runCredentialHelper('good', 'reg.example:5000', { env }), { kind: 'basic', username: 'u-reg.example:5000', password: 'pw' });
    assert.deepEqual(await runCredentialHelper('token', 'x', { env }), { kind: 'identityToken', token: 'refresh' });
    assert.deepEqual(await runCredentialHelper('noread', 'x', { env }), { kind: 'basic', username: 'a', password: 'b' });
    assert.equal(await runCredentialHelper('none', 'x', { env }), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('credential helpers that fail, lie, hang, flood or are missing are CREDENTIAL_HELPER_FAILED', async () => {
  const { dir, env } = helperDir();
  try {
    for (const name of ['broken', 'garbage', 'wrongtypes', 'missing', '../evil', '']) {
      await assert.rejects(runCredentialHelper(name, 'x', { env }), failed, name);
    }
    const started = Date.now();
    await assert.rejects(runCredentialHelper('hang', 'x', { env, timeoutMs: 300 }), failed);
    assert.ok(Date.now() - started < 3_000);
    await assert.rejects(runCredentialHelper('flood', 'x', { env, maxOutputBytes: 1024 }), failed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dockerConfigCredentials runs the configured helper with the Docker Hub server URL', async () => {
  const { dir, env } = helperDir();
  try {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'docker.io': 'good' }, credsStore: 'none' }));
    const source = dockerConfigCredentials({ env: { ...env, DOCKER_CONFIG: dir } });
    assert.deepEqual(await source('docker.io', 'library/alpine'), { kind: 'basic', username: 'u-https://index.docker.io/v1/', password: 'pw' });
    assert.equal(await source('other.example', 'x'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
