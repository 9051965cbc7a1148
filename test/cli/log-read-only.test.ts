// Reading the embedded log needs no log key: without PROVENANT_LOG_PASSWORD (and even without the key file) every
// read command works and still verifies the checkpoint against the trusted key; writes still need the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { failedWith, keyFiles, succeeded } from './cli-helpers.js';
import { storeWorkspace } from './store-fixtures.js';

interface RecordOut {
  index: string;
  entryDigest: string;
}

const ws = await storeWorkspace('log-read-only');
const recorded: RecordOut[] = [];
for (let i = 0; i < 3; i++) {
  const file = ws.path(`disk-${i}.raw`);
  await writeFile(file, `disk ${i}\n`);
  recorded.push(succeeded<RecordOut>(await ws.run(['record', file, '--line', 'acme/ro', '--key', ws.key.key, '--json', '--data', ws.data])));
}
const noPassword = { PROVENANT_LOG_PASSWORD: undefined };

test('log info, get, prove, verify --full, search and history work without PROVENANT_LOG_PASSWORD or the key file', async () => {
  // A copy of the data directory without its log key: nothing could unlock it even with the password.
  const keyless = ws.path('keyless');
  await cp(ws.data, keyless, { recursive: true });
  await rm(join(keyless, 'log.key'));
  for (const data of [ws.data, keyless]) {
    const store = ['--data', data];
    const info = succeeded<{ size: string; verifierKey: string }>(await ws.run(['log', 'info', '--json', ...store], noPassword));
    assert.equal(info.size, '3');
    const entry = succeeded<{ index: string; entryDigest: string; kind: string }>(await ws.run(['log', 'get', '1', '--json', ...store], noPassword));
    assert.deepEqual([entry.index, entry.entryDigest, entry.kind], ['1', recorded[1]?.entryDigest, 'lineage']);
    const proof = succeeded<{ verified: boolean; size: string }>(await ws.run(['log', 'prove', '2', '--json', ...store], noPassword));
    assert.deepEqual([proof.verified, proof.size], [true, '3']);
    const audit = succeeded<{ audit: { ok: boolean; checked: string } }>(await ws.run(['log', 'verify', '--full', '--json', ...store], noPassword));
    assert.deepEqual([audit.audit.ok, audit.audit.checked], [true, '3']);
    const history = succeeded<{ verified: boolean; records: unknown[] }>(await ws.run(['history', 'acme/ro', '--json', ...store], noPassword));
    assert.deepEqual([history.verified, history.records.length], [true, 3]);
    const found = succeeded<{ entries: { entryDigest: string }[] }>(await ws.run(['log', 'search', '--line', 'acme/ro', '--json', ...store], noPassword));
    assert.deepEqual(found.entries.map((e) => e.entryDigest), recorded.map((r) => r.entryDigest));
  }
});

test('the checkpoint a reader shows is still checked against the trusted key', async () => {
  const other = await storeWorkspace('log-read-only-other');
  const file = other.path('other.raw');
  await writeFile(file, 'other\n');
  succeeded(await other.run(['record', file, '--line', 'acme/other', '--key', other.key.key, '--json', '--data', other.data]));
  const otherKey = succeeded<{ verifierKey: string }>(await other.run(['log', 'info', '--json', '--data', other.data])).verifierKey;
  failedWith(await ws.run(['log', 'info', '--data', ws.data, '--trust-dir', ws.path('pinned'), '--log-key-pub', otherKey], noPassword), 'LOG_KEY_MISMATCH');
});

test('record, attest-record and revoke without PROVENANT_LOG_PASSWORD are still PASSWORD_REQUIRED', async () => {
  const file = ws.path('disk-new.raw');
  await writeFile(file, 'disk new\n');
  const store = ['--data', ws.data];
  failedWith(await ws.run(['record', file, '--line', 'acme/ro', '--key', ws.key.key, ...store], noPassword), 'PASSWORD_REQUIRED');
  const auditor = await keyFiles(ws.path('auditor'));
  const attest = ['attest-record', '0', '--auditor', 'qa', '--type', 'compliance', '--result', 'pass', '--key', auditor.key, ...store];
  failedWith(await ws.run(attest, noPassword), 'PASSWORD_REQUIRED');
  failedWith(await ws.run(['revoke', '0', '--reason', 'test', '--key', ws.key.key, ...store], noPassword), 'PASSWORD_REQUIRED');
  assert.equal(succeeded<{ size: string }>(await ws.run(['log', 'info', '--json', ...store], noPassword)).size, '3');
});
