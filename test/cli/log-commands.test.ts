// `provenant log info | get | prove | verify` against the embedded log and against a real service over HTTP (with
// tokens, and over TLS with a private CA): the same answers either way, each verified locally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildServer } from '../../src/server/app.js';
import { TokenStore } from '../../src/server/tokens.js';
import { openEmbeddedLog } from '../../src/cli/store-access.js';
import { LOG_PASSWORD_ENV } from '../../src/cli/log-key.js';
import { leafHash, verifyInclusion } from '../../src/merkle/index.js';
import { selfSignedCertificate } from '../server/server-fixture.js';
import { failedWith, succeeded } from './cli-helpers.js';
import { createLog, LOG_PASSWORD, serveData, storeWorkspace, type StoreWorkspace } from './store-fixtures.js';

interface InfoOut {
  origin: string;
  size: string;
  rootHash: string;
  verifierKey: string;
  checkpoint: string;
  trustedBefore: string | null;
}

interface EntryOut {
  index: string;
  leafHash: string;
  entryDigest: string;
  kind: string;
  entryBytes: string;
}

interface ProofOut {
  index: string;
  size: string;
  leafHash: string;
  rootHash: string;
  hashes: string[];
  verified: boolean;
}

/** Appends `count` lineage records of small files to `line`. */
async function recordFiles(ws: StoreWorkspace, store: string[], line: string, count: number, env: NodeJS.ProcessEnv = {}): Promise<void> {
  for (let i = 0; i < count; i++) {
    const file = ws.path(`${line.replace('/', '-')}-${i}.raw`);
    await writeFile(file, `disk ${line} ${i}\n`);
    succeeded(await ws.run(['record', file, '--line', line, '--key', ws.key.key, '--json', ...store], env));
  }
}

/** Checks the proof the CLI printed, independently of it. */
function assertProof(proof: ProofOut, entry: EntryOut): void {
  assert.equal(proof.verified, true);
  assert.equal(proof.leafHash, leafHash(Buffer.from(entry.entryBytes, 'base64')).toString('hex'));
  verifyInclusion(Buffer.from(proof.leafHash, 'hex'), BigInt(proof.index), BigInt(proof.size), proof.hashes.map((h) => Buffer.from(h, 'hex')), Buffer.from(proof.rootHash, 'hex'));
}

test('log info, get, prove and verify on the embedded log', async () => {
  const ws = await storeWorkspace('log-embedded');
  const store = ['--data', ws.data];
  await recordFiles(ws, store, 'acme/disk', 5);

  const info = await ws.run(['log', 'info', '--json', ...store, '--trust-dir', ws.path('fresh-trust')]);
  const shown = succeeded<InfoOut>(info);
  assert.equal(shown.size, '5');
  assert.match(shown.origin, /^provenant\.local\/log\/[0-9a-f]{8}$/);
  assert.ok(shown.verifierKey.startsWith(`${shown.origin}+`));
  assert.equal(shown.trustedBefore, null);
  assert.match(info.stderr, /on first use/);
  // The second look trusts what the first stored, and says nothing about first use.
  const again = await ws.run(['log', 'info', '--json', ...store, '--trust-dir', ws.path('fresh-trust')]);
  assert.equal(succeeded<InfoOut>(again).trustedBefore, '5');
  assert.equal(again.stderr, '');

  const byIndex = succeeded<EntryOut>(await ws.run(['log', 'get', '3', '--json', ...store]));
  assert.equal(byIndex.kind, 'lineage');
  assert.equal(byIndex.leafHash, leafHash(Buffer.from(byIndex.entryBytes, 'base64')).toString('hex'));
  const byHash = succeeded<EntryOut>(await ws.run(['log', 'get', '--leaf-hash', byIndex.leafHash, '--json', ...store]));
  assert.deepEqual(byHash, byIndex);

  const proof = succeeded<ProofOut>(await ws.run(['log', 'prove', '3', '--json', ...store]));
  assert.equal(proof.size, '5');
  assertProof(proof, byIndex);
  const older = succeeded<ProofOut>(await ws.run(['log', 'prove', '3', '--size', '4', '--json', ...store]));
  assert.equal(older.size, '4');
  assertProof(older, byIndex);
  const entryFile = ws.path('entry.json');
  await writeFile(entryFile, JSON.stringify(JSON.parse(Buffer.from(byIndex.entryBytes, 'base64').toString('utf8')), null, 2));
  const byFile = succeeded<ProofOut>(await ws.run(['log', 'prove', '--entry', entryFile, '--json', ...store]));
  assert.equal(byFile.index, '3');

  const verified = succeeded<{ size: string; audit: { ok: boolean; checked: string } }>(await ws.run(['log', 'verify', '--full', '--json', ...store]));
  assert.deepEqual(verified.audit, { ...verified.audit, ok: true, checked: '5' });

  failedWith(await ws.run(['log', 'get', '99', ...store]), 'LOG_ENTRY_NOT_FOUND');
  failedWith(await ws.run(['log', 'prove', '3', '--size', '3', ...store]), 'USAGE');
  failedWith(await ws.run(['log', 'get', 'three', ...store]), 'USAGE');
});

test('the same commands against a service that requires tokens for reads', async (t) => {
  const ws = await storeWorkspace('log-remote');
  const service = await serveData(ws.data, { readAuth: 'token' });
  t.after(() => service.stop());
  const remote = ['--server', service.url];

  failedWith(await ws.run(['log', 'info', ...remote]), 'UNAUTHENTICATED');
  await recordFiles(ws, remote, 'acme/remote', 3, { PROVENANT_TOKEN: service.writeToken });
  // A read token reads but does not append.
  const reader = { PROVENANT_TOKEN: service.readToken };
  const file = ws.path('refused.raw');
  await writeFile(file, 'refused');
  failedWith(await ws.run(['record', file, '--line', 'acme/remote', '--key', ws.key.key, ...remote], reader), 'FORBIDDEN');

  const info = succeeded<InfoOut>(await ws.run(['log', 'info', '--json', ...remote, '--token', service.readToken]));
  assert.equal(info.size, '3');
  assert.equal(info.origin, service.origin);
  const entry = succeeded<EntryOut>(await ws.run(['log', 'get', '1', '--json', ...remote], reader));
  const proof = succeeded<ProofOut>(await ws.run(['log', 'prove', '1', '--json', ...remote], reader));
  assertProof(proof, entry);
  const history = succeeded<{ verified: boolean; records: unknown[] }>(await ws.run(['history', 'acme/remote', '--json', ...remote], reader));
  assert.equal(history.verified, true);
  assert.equal(history.records.length, 3);
  const audit = succeeded<{ audit: { ok: boolean; checked: string } }>(await ws.run(['log', 'verify', '--full', '--json', ...remote], reader));
  assert.deepEqual(audit.audit, { ...audit.audit, ok: true, checked: '3' });
  failedWith(await ws.run(['log', 'get', '7', ...remote], reader), 'LOG_ENTRY_NOT_FOUND');
});

test('a service over TLS with a private CA is reached with --cacert, and refused without it', async (t) => {
  const ws = await storeWorkspace('log-tls');
  const tls = await selfSignedCertificate(ws.dir);
  const caFile = ws.path('ca.pem');
  await writeFile(caFile, tls.cert);
  const { log } = await openEmbeddedLog({ location: { dataDir: ws.data }, keyPath: join(ws.data, 'log.key'), env: { [LOG_PASSWORD_ENV]: LOG_PASSWORD } });
  const app = await buildServer({ log, tokens: TokenStore.empty(), readAuth: 'open', logger: false, tls });
  t.after(async () => {
    await app.close();
    await log.close();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;

  failedWith(await ws.run(['log', 'info', '--server', url]), 'SERVICE_UNREACHABLE');
  const info = succeeded<InfoOut>(await ws.run(['log', 'info', '--json', '--server', url, '--cacert', caFile]));
  assert.equal(info.origin, log.origin);
  assert.equal(info.size, '0');
});

test('an address where no service listens is SERVICE_UNREACHABLE', async (t) => {
  const ws = await storeWorkspace('log-unreachable');
  const service = await serveData(ws.data);
  const url = service.url;
  await service.stop();
  t.after(() => service.stop());
  failedWith(await ws.run(['log', 'info', '--server', url]), 'SERVICE_UNREACHABLE');
});

test('the trust file lands in $XDG_STATE_HOME/provenant/checkpoints when no trust directory is given', async () => {
  const ws = await storeWorkspace('log-xdg');
  const state = ws.path('state');
  await createLog(ws.data);
  const result = await ws.run(['log', 'info', '--json', '--data', ws.data], { PROVENANT_TRUST_DIR: undefined, XDG_STATE_HOME: state });
  const info = succeeded<InfoOut>(result);
  const files = await readdir(join(state, 'provenant', 'checkpoints'));
  assert.equal(files.length, 1);
  const stored = JSON.parse(await readFile(join(state, 'provenant', 'checkpoints', files[0] as string), 'utf8')) as { origin: string; verifierKey: string; checkpoint: string };
  assert.deepEqual(stored, { origin: info.origin, verifierKey: info.verifierKey, checkpoint: info.checkpoint });
});
