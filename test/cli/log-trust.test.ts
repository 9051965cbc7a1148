// Trust in a log across commands: the client keeps the last checkpoint it verified per origin, and a log that
// later shows a smaller tree (rollback), a tree that does not extend the trusted one (fork) or another key under
// the same name is refused, with the trusted file left as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { failedWith, succeeded } from './cli-helpers.js';
import { createLog, logKeyIn, serveData, storeWorkspace, type StoreWorkspace } from './store-fixtures.js';

interface InfoOut {
  origin: string;
  size: string;
  verifierKey: string;
}

async function record(ws: StoreWorkspace, data: string, name: string): Promise<void> {
  const file = ws.path(`${name}.raw`);
  await writeFile(file, `disk image ${name}\n`);
  succeeded(await ws.run(['record', file, '--line', 'acme/trust', '--key', ws.key.key, '--previous', 'none', '--json', '--data', data]));
}

/** The bytes of every file in the trust directory, by name. */
async function trustFiles(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(dir)) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

const ws = await storeWorkspace('log-trust');
// The log as it was after one entry, kept aside: same origin, same key, a prefix of what follows.
await record(ws, ws.data, 'one');
const snapshot = ws.path('snapshot');
await cp(ws.data, snapshot, { recursive: true });
await record(ws, ws.data, 'two');
await record(ws, ws.data, 'three');
const trusted = succeeded<InfoOut>(await ws.run(['log', 'info', '--json', '--data', ws.data]));
assert.equal(trusted.size, '3');

test('a service now reporting a smaller tree than the trusted checkpoint is LOG_ROLLBACK', async (t) => {
  const rolledBack = ws.path('rolled-back');
  await cp(snapshot, rolledBack, { recursive: true });
  const service = await serveData(rolledBack);
  t.after(() => service.stop());
  const before = await trustFiles(ws.trustDir);
  failedWith(await ws.run(['log', 'info', '--server', service.url]), 'LOG_ROLLBACK');
  assert.deepEqual(await trustFiles(ws.trustDir), before);
});

test('the same origin and key with another history is LOG_FORK', async () => {
  const forked = ws.path('forked');
  await cp(snapshot, forked, { recursive: true });
  // Another second, third and fourth entry: the tree outgrows the trusted one without extending it.
  for (const name of ['two-b', 'three-b', 'four-b']) await record({ ...ws, run: (argv, env) => ws.run(argv, { ...env, PROVENANT_TRUST_DIR: ws.path('trust-forked') }) }, forked, name);
  const before = await trustFiles(ws.trustDir);
  failedWith(await ws.run(['log', 'verify', '--data', forked]), 'LOG_FORK');
  assert.deepEqual(await trustFiles(ws.trustDir), before);
  // Still refused on the next try: nothing was replaced by the failed one.
  failedWith(await ws.run(['log', 'info', '--data', forked]), 'LOG_FORK');
});

test('the same origin under another key is LOG_KEY_MISMATCH', async () => {
  const impostor = ws.path('impostor');
  await logKeyIn(impostor);
  await createLog(impostor, trusted.origin);
  const before = await trustFiles(ws.trustDir);
  failedWith(await ws.run(['log', 'info', '--data', impostor, '--origin', trusted.origin]), 'LOG_KEY_MISMATCH');
  assert.deepEqual(await trustFiles(ws.trustDir), before);
});

test('--log-key-pub pins the key instead of trusting on first use', async () => {
  const pinnedTrust = ws.path('pinned-trust');
  const ok = await ws.run(['log', 'info', '--json', '--data', ws.data, '--trust-dir', pinnedTrust, '--log-key-pub', trusted.verifierKey]);
  assert.equal(succeeded<InfoOut>(ok).size, '3');
  assert.equal(ok.stderr, '');
  const other = ws.path('other');
  await logKeyIn(other);
  await createLog(other);
  const otherInfo = succeeded<InfoOut>(await ws.run(['log', 'info', '--json', '--data', other, '--trust-dir', ws.path('other-trust')]));
  failedWith(await ws.run(['log', 'info', '--data', ws.data, '--trust-dir', ws.path('third-trust'), '--log-key-pub', otherInfo.verifierKey]), 'LOG_KEY_MISMATCH');
  failedWith(await ws.run(['log', 'info', '--data', ws.data, '--trust-dir', ws.path('fourth-trust'), '--log-key-pub', 'not a key']), 'KEY_MALFORMED');
});

test('a trusted checkpoint that was edited is TRUST_STATE_INVALID', async () => {
  const editedTrust = ws.path('edited-trust');
  succeeded(await ws.run(['log', 'info', '--json', '--data', ws.data, '--trust-dir', editedTrust]));
  const [name] = await readdir(editedTrust);
  const file = join(editedTrust, name as string);
  const doc = JSON.parse(await readFile(file, 'utf8')) as { checkpoint: string };
  doc.checkpoint = doc.checkpoint.replace(/\n3\n/, '\n4\n');
  await writeFile(file, JSON.stringify(doc));
  failedWith(await ws.run(['log', 'info', '--data', ws.data, '--trust-dir', editedTrust]), 'TRUST_STATE_INVALID');
});

test('without PROVENANT_LOG_PASSWORD a write to the embedded log is PASSWORD_REQUIRED', async () => {
  const file = ws.path('unlogged.raw');
  await writeFile(file, 'not recorded\n');
  const write = (data: string) => ws.run(['record', file, '--line', 'acme/trust', '--key', ws.key.key, '--data', data], { PROVENANT_LOG_PASSWORD: undefined });
  failedWith(await write(ws.data), 'PASSWORD_REQUIRED');
  // The user's signing-key password does not unlock the log key, nor create one.
  failedWith(await write(ws.path('no-key-yet')), 'PASSWORD_REQUIRED');
});

test('a read of a data directory without a log is STORE_EMPTY and creates nothing there', async () => {
  const empty = ws.path('empty');
  failedWith(await ws.run(['log', 'info', '--data', empty], { PROVENANT_LOG_PASSWORD: undefined }), 'STORE_EMPTY');
  await assert.rejects(stat(empty), { code: 'ENOENT' });
  await logKeyIn(empty);
  failedWith(await ws.run(['history', 'acme/trust', '--data', empty]), 'STORE_EMPTY');
  assert.deepEqual(await readdir(empty), ['log.key']);
});

test('the log key is created encrypted, mode 0600, on first use, and the origin chosen then stays bound', async () => {
  const fresh = ws.path('fresh');
  const file = ws.path('first.raw');
  await writeFile(file, 'first record\n');
  succeeded(await ws.run(['record', file, '--line', 'acme/fresh', '--key', ws.key.key, '--json', '--data', fresh, '--origin', 'logs.example/team']));
  const keyFile = join(fresh, 'log.key');
  assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
  assert.match(await readFile(keyFile, 'utf8'), /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----/);
  assert.equal(succeeded<InfoOut>(await ws.run(['log', 'info', '--json', '--data', fresh])).origin, 'logs.example/team');
  failedWith(await ws.run(['log', 'info', '--data', fresh, '--origin', 'logs.example/other']), 'LOG_KEY_MISMATCH');
  failedWith(await ws.run(['record', file, '--line', 'acme/fresh', '--key', ws.key.key, '--data', fresh], { PROVENANT_LOG_PASSWORD: 'wrong' }), 'KEY_DECRYPT_FAILED');
});
