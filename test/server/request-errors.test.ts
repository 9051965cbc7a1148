// Every refusal has our error body and the status of its code, and the service keeps answering after each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../../src/core/errors.js';
import { RegistryIngest, REGISTRY_EVENTS_MEDIA_TYPE } from '../../src/ingest/index.js';
import { authorization, entryKey, openLog, servedLog, signatureProposal, tempDir } from './server-fixture.js';
import { buildServer } from '../../src/server/app.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { join } from 'node:path';

async function expectError(app: FastifyInstance, request: InjectOptions, code: ErrorCode): Promise<void> {
  const res = await app.inject(request);
  const what = `${request.method ?? 'GET'} ${String(request.url)}`;
  assert.equal(res.statusCode, ERROR_CODES[code].status, `${what}: ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json<Record<string, unknown>>();
  assert.equal(body.code, code, what);
  assert.equal(typeof body.message, 'string');
  assert.deepEqual(Object.keys(body).filter((k) => !['code', 'message', 'details'].includes(k)), []);
  // The service keeps answering after the refusal.
  const after = await app.inject({ url: '/api/v1/log' });
  assert.equal(after.statusCode, 200);
}

/** Every route the OpenAPI document marks as needing the write scope. */
async function writeRoutes(app: FastifyInstance): Promise<{ method: string; url: string }[]> {
  const doc = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { security: unknown[] }>> }>();
  const out: { method: string; url: string }[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      if (JSON.stringify(op.security).includes('"write"')) out.push({ method: method.toUpperCase(), url: path });
    }
  }
  return out;
}

test('every write route is 401 without a token or with an unknown one, 403 with a read token', async (t) => {
  const dir = await tempDir(t);
  const log = await openLog(join(dir, 'data'));
  const tokenFile = join(dir, 'tokens.json');
  const readToken = await createToken(tokenFile, 'reader', ['read']);
  const writeToken = await createToken(tokenFile, 'writer', ['write']);
  const ingest = new RegistryIngest({ log, signer: entryKey, trustedKeys: [] });
  const app = await buildServer({ log, tokens: await TokenStore.open(tokenFile), readAuth: 'open', logger: false, registryNotifications: ingest });
  t.after(async () => {
    await app.close();
    await ingest.drain();
    await log.close();
  });

  const routes = await writeRoutes(app);
  assert.deepEqual(routes.map((r) => r.url).sort(), ['/api/v1/log/entries', '/api/v1/registry/notifications']);
  for (const { method, url } of routes) {
    const request = { method: method as 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{}' };
    const missing = await app.inject(request);
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.json().code, 'UNAUTHENTICATED');
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="provenant"');
    for (const header of ['Bearer pvt_' + 'A'.repeat(43), 'Bearer ' + writeToken.slice(0, -1), 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const bad = await app.inject({ ...request, headers: { ...request.headers, authorization: header } });
      assert.equal(bad.statusCode, 401, header);
      assert.equal(bad.json().code, 'UNAUTHENTICATED');
      assert.match(String(bad.headers['www-authenticate']), /^Bearer realm="provenant"/);
    }
    const forbidden = await app.inject({ ...request, headers: { ...request.headers, ...authorization(readToken) } });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.json().code, 'FORBIDDEN');
    assert.match(String(forbidden.headers['www-authenticate']), /error="insufficient_scope", scope="write"/);
  }

  const notified = await app.inject({
    method: 'POST',
    url: '/api/v1/registry/notifications',
    headers: { 'content-type': REGISTRY_EVENTS_MEDIA_TYPE, ...authorization(writeToken) },
    payload: JSON.stringify({ events: [] }),
  });
  assert.equal(notified.statusCode, 202, notified.body);

  const metrics = (await app.inject({ url: '/metrics' })).body;
  assert.match(metrics, /^provenant_auth_failures_total\{reason="missing"\} 2$/m);
  assert.match(metrics, /^provenant_auth_failures_total\{reason="scope"\} 2$/m);
});

test('malformed, oversized, mistyped and unknown requests are refused with their codes', async (t) => {
  const maxBodyBytes = 64 * 1024;
  const { app, writeToken } = await servedLog(t, { maxBodyBytes });
  const write = { ...authorization(writeToken), 'content-type': 'application/json' };
  const post = (payload: string, headers: Record<string, string> = write): InjectOptions => ({ method: 'POST', url: '/api/v1/log/entries', headers, payload });

  await expectError(app, post(`{"pad":"${'x'.repeat(maxBodyBytes)}"}`), 'INPUT_TOO_LARGE');
  await expectError(app, post('{"apiVersion":'), 'JSON_MALFORMED');
  await expectError(app, post(''), 'JSON_MALFORMED');
  await expectError(app, post('{"kind":"signature","kind":"attestation"}'), 'JSON_DUPLICATE_KEY');
  await expectError(app, post('['.repeat(100) + ']'.repeat(100)), 'JSON_TOO_DEEP');
  await expectError(app, post('[1,2]'), 'SCHEMA_INVALID');
  await expectError(app, post('{}', { ...write, 'content-type': 'text/plain' }), 'CONTENT_TYPE_UNSUPPORTED');
  await expectError(app, post('{}', { ...write, 'content-type': 'application/x-www-form-urlencoded' }), 'CONTENT_TYPE_UNSUPPORTED');
  const noType = authorization(writeToken);
  await expectError(app, post('{}', noType), 'CONTENT_TYPE_UNSUPPORTED');

  const proposal = await signatureProposal(1);
  await expectError(app, post(JSON.stringify({ ...proposal, extra: true })), 'ENTRY_MALFORMED');

  for (const index of ['abc', '12abc', '1e3', '-1', '01', '0x10', '1.0', '99999999999999999999', '123456789012345678901']) {
    await expectError(app, { url: `/api/v1/log/entries/${index}` }, 'SCHEMA_INVALID');
  }
  await expectError(app, { url: '/api/v1/log/proof/inclusion?index=1&index=2' }, 'SCHEMA_INVALID');
  await expectError(app, { url: '/api/v1/log/proof/inclusion?index=0&size=2x' }, 'SCHEMA_INVALID');
  await expectError(app, { url: '/api/v1/log/proof/inclusion' }, 'SCHEMA_INVALID');
  await expectError(app, { url: '/api/v1/log/proof/consistency?from=1&to=2&extra=1' }, 'SCHEMA_INVALID');
  await expectError(app, { url: '/api/v1/log/entries?leafHash=ABC' }, 'SCHEMA_INVALID');
  await expectError(app, { url: '/api/v1/search?limit=5' }, 'USAGE');
  await expectError(app, { url: '/api/v1/search?kind=signature&limit=1001' }, 'SCHEMA_INVALID');
  await expectError(app, { url: '/api/v1/search?subject=sha256:abc' }, 'SCHEMA_INVALID');
  await expectError(app, { url: '/api/v1/search?colour=red' }, 'SCHEMA_INVALID');
  await expectError(app, { url: '/api/v1/blobs/md5:abc' }, 'SCHEMA_INVALID');
  await expectError(app, { url: '/api/v1/nothing' }, 'ROUTE_NOT_FOUND');
  await expectError(app, { method: 'DELETE', url: '/api/v1/log/entries/0' }, 'ROUTE_NOT_FOUND');
  await expectError(app, { url: '/log/tile/0/1' }, 'TILE_PATH_INVALID');

  // And a good append still goes through.
  const ok = await app.inject(post(JSON.stringify(proposal)));
  assert.equal(ok.statusCode, 201, ok.body);
});

test('an unexpected failure is INTERNAL with nothing of the error in the answer', async (t) => {
  const { app } = await servedLog(t, {
    extraRoutes: [
      async (scope) => {
        scope.get('/broken', { config: { access: 'public' } }, async () => {
          throw new Error('database password is hunter2 at /srv/secret');
        });
      },
    ],
  });
  const res = await app.inject({ url: '/broken' });
  assert.equal(res.statusCode, 500);
  assert.deepEqual(res.json(), { code: 'INTERNAL', message: 'internal error' });
  assert.ok(!res.body.includes('hunter2'));
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
});

test('a route without config.access is refused when it is registered', async (t) => {
  await assert.rejects(
    servedLog(t, { extraRoutes: [async (scope) => void scope.get('/unguarded', async () => 'open')] }),
    (e: unknown) => (e as { code?: string }).code === 'INTERNAL',
  );
});

test('with readAuth "token", reads need a read or write token; health and metrics stay open', async (t) => {
  const { app, readToken, writeToken } = await servedLog(t, { readAuth: 'token' });
  for (const url of ['/api/v1/log', '/api/v1/log/entries/0', '/log/checkpoint', '/log/tile/0/000.p/1', '/api/v1/search?kind=x']) {
    const res = await app.inject({ url });
    assert.equal(res.statusCode, 401, url);
    assert.equal(res.json().code, 'UNAUTHENTICATED');
  }
  assert.equal((await app.inject({ url: '/api/v1/log', headers: authorization(readToken) })).statusCode, 200);
  assert.equal((await app.inject({ url: '/api/v1/log', headers: authorization(writeToken) })).statusCode, 200);
  assert.equal((await app.inject({ url: '/log/checkpoint', headers: authorization(readToken) })).statusCode, 200);
  for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
    assert.equal((await app.inject({ url })).statusCode, 200, url);
  }
});

test('a token added to the file while the server runs is accepted without a restart', async (t) => {
  const { app, tokenFile } = await servedLog(t);
  const proposal = JSON.stringify(await signatureProposal(9));
  const late = await createToken(tokenFile, 'late', ['write']);
  const res = await app.inject({ method: 'POST', url: '/api/v1/log/entries', headers: { ...authorization(late), 'content-type': 'application/json' }, payload: proposal });
  assert.equal(res.statusCode, 201, res.body);
});
