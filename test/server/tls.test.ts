// HTTPS with a certificate made by openssl: the API answers over TLS, and only over TLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ProvenantError } from '../../src/core/errors.js';
import { buildServer } from '../../src/server/app.js';
import { startServer } from '../../src/server/lifecycle.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { call, postJson } from './http-client.js';
import { authorization, openLog, selfSignedCertificate, signatureProposal, tempDir } from './server-fixture.js';

test('with tls the service speaks HTTPS with the given certificate', async (t) => {
  const dir = await tempDir(t);
  const tls = await selfSignedCertificate(dir);
  const tokenFile = join(dir, 'tokens.json');
  const token = await createToken(tokenFile, 'writer', ['write']);
  const log = await openLog(join(dir, 'data'));
  const server = await startServer({ log, tokens: await TokenStore.open(tokenFile), readAuth: 'open', logger: false, tls, port: 0, handleSignals: false });
  t.after(() => server.stop());
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:[0-9]+$/);

  const info = await call(`${server.url}/api/v1/log`, { ca: tls.cert });
  assert.equal(info.status, 200);
  assert.equal(info.json().size, '0');
  const appended = await postJson(`${server.url}/api/v1/log/entries`, await signatureProposal(1), authorization(token), tls.cert);
  assert.equal(appended.status, 201);

  // Without the CA the certificate does not verify; plain HTTP gets no answer of the API.
  await assert.rejects(call(`${server.url}/healthz`), (e: NodeJS.ErrnoException) => e.code === 'DEPTH_ZERO_SELF_SIGNED_CERT');
  const plain = await call(server.url.replace('https:', 'http:') + '/healthz').then((r) => r.status, () => 'refused');
  assert.notEqual(plain, 200);
});

test('unusable TLS material is TLS_CONFIG_INVALID', async (t) => {
  const dir = await tempDir(t);
  const log = await openLog(join(dir, 'data'));
  t.after(() => log.close());
  const { cert } = await selfSignedCertificate(dir);
  await assert.rejects(
    buildServer({ log, tokens: TokenStore.empty(), readAuth: 'open', logger: false, tls: { cert, key: 'not a key' } }),
    (e: unknown) => e instanceof ProvenantError && e.code === 'TLS_CONFIG_INVALID',
  );
});
