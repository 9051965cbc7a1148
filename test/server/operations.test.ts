// Health, readiness, Prometheus metrics and the OpenAPI document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { authorization, servedLog, signatureProposal } from './server-fixture.js';
import { parseExposition, sampleValue } from './prometheus-text.js';

test('healthz and readyz answer; readyz is 503 once the store is closed', async (t) => {
  const { app, log } = await servedLog(t);
  assert.deepEqual((await app.inject({ url: '/healthz' })).json(), { status: 'ok' });
  assert.deepEqual((await app.inject({ url: '/readyz' })).json(), { status: 'ready' });
  await log.close();
  const notReady = await app.inject({ url: '/readyz' });
  assert.equal(notReady.statusCode, 503);
  assert.equal(notReady.json().code, 'SERVICE_UNAVAILABLE');
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
});

test('/metrics is Prometheus text and counts appends, duplicates, batches and requests', async (t) => {
  const { app, writeToken } = await servedLog(t);
  const before = parseExposition((await app.inject({ url: '/metrics' })).body);
  assert.equal(sampleValue(before, 'provenant_log_appends_total'), 0);

  const proposal = JSON.stringify(await signatureProposal(1));
  const headers = { ...authorization(writeToken), 'content-type': 'application/json' };
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/log/entries', headers, payload: proposal })).statusCode, 201);
  assert.equal((await app.inject({ method: 'POST', url: '/api/v1/log/entries', headers, payload: proposal })).statusCode, 200);
  await app.inject({ url: '/api/v1/log/entries/zero' });

  const res = await app.inject({ url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4; charset=utf-8$/);
  const metrics = parseExposition(res.body);
  assert.equal(metrics.types.get('provenant_http_requests_total'), 'counter');
  assert.equal(metrics.types.get('provenant_http_request_duration_seconds'), 'histogram');
  assert.equal(sampleValue(metrics, 'provenant_log_appends_total'), 1);
  assert.equal(sampleValue(metrics, 'provenant_log_duplicates_total'), 1);
  assert.equal(sampleValue(metrics, 'provenant_log_batches_total'), 1);
  assert.equal(sampleValue(metrics, 'provenant_log_size'), 1);
  assert.equal(sampleValue(metrics, 'provenant_log_pending_appends'), 0);
  assert.equal(sampleValue(metrics, 'provenant_log_batch_size_count'), 1);
  assert.equal(sampleValue(metrics, 'provenant_http_requests_total', { method: 'POST', route: '/api/v1/log/entries', status: '201' }), 1);
  assert.equal(sampleValue(metrics, 'provenant_http_requests_total', { method: 'POST', route: '/api/v1/log/entries', status: '200' }), 1);
  // The route label is the pattern, not the URL asked for.
  assert.equal(sampleValue(metrics, 'provenant_http_requests_total', { route: '/api/v1/log/entries/:index', status: '400' }), 1);
  assert.equal(sampleValue(metrics, 'provenant_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/log/entries', status: '201' }), 1);
  assert.ok(metrics.types.has('provenant_process_cpu_seconds_total'), 'default process metrics');

  // Counters keep their totals across scrapes rather than adding them again.
  const again = parseExposition((await app.inject({ url: '/metrics' })).body);
  assert.equal(sampleValue(again, 'provenant_log_appends_total'), 1);
  assert.equal(sampleValue(again, 'provenant_log_batch_size_count'), 1);
});

test('/openapi.json describes every route with valid JSON Schema 2020-12', async (t) => {
  const { app } = await servedLog(t);
  const res = await app.inject({ url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json<{ openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, unknown> } }>();
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(Object.keys(doc.paths).sort(), [
    '/api/v1/blobs/{digest}',
    '/api/v1/log',
    '/api/v1/log/entries',
    '/api/v1/log/entries/{index}',
    '/api/v1/log/proof/consistency',
    '/api/v1/log/proof/inclusion',
    '/api/v1/search',
    '/healthz',
    '/log/checkpoint',
    '/log/tile/{path}',
    '/metrics',
    '/openapi.json',
    '/readyz',
  ]);
  assert.deepEqual(Object.keys(doc.paths['/api/v1/log/entries']!).sort(), ['get', 'post']);
  const post = doc.paths['/api/v1/log/entries']!.post!;
  assert.deepEqual(post.security, [{ bearer: ['write'] }]);
  assert.ok(post.requestBody !== undefined);
  const byIndex = doc.paths['/api/v1/log/entries/{index}']!.get!;
  assert.deepEqual((byIndex.parameters as { name: string; in: string }[]).map((p) => [p.name, p.in]), [['index', 'path']]);

  const ajv = new Ajv2020({ strict: false });
  let schemas = 0;
  const check = (schema: unknown): void => {
    ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/Error', 'https://provenant.test/error')) as object);
    schemas++;
  };
  ajv.addSchema(doc.components.schemas.Error as object, 'https://provenant.test/error');
  for (const operations of Object.values(doc.paths)) {
    for (const op of Object.values(operations)) {
      for (const p of (op.parameters ?? []) as { schema: unknown }[]) check(p.schema);
      for (const response of Object.values(op.responses as Record<string, { content?: Record<string, { schema: unknown }> }>)) {
        for (const media of Object.values(response.content ?? {})) check(media.schema);
      }
    }
  }
  assert.ok(schemas > 30);
});

test('the request log carries request ids, never tokens or bodies; unexpected errors are logged in full', async (t) => {
  const lines: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  const { app, writeToken } = await servedLog(t, {
    logger: { level: 'info', stream },
    extraRoutes: [
      async (scope) => {
        scope.get('/broken', { config: { access: 'public' } }, async () => {
          throw new Error('disk quota exceeded on /srv/data');
        });
      },
    ],
  });
  const proposal = await signatureProposal(4);
  const marker = String((proposal.spec as { signature: string }).signature);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/log/entries',
    headers: { ...authorization(writeToken), 'content-type': 'application/json', 'x-request-id': 'build-42' },
    payload: JSON.stringify(proposal),
  });
  assert.equal(res.statusCode, 201);
  assert.equal(res.headers['x-request-id'], 'build-42');
  const generated = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'not ok\u0000' } });
  assert.match(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  assert.equal((await app.inject({ url: '/broken' })).statusCode, 500);

  const text = lines.map((l) => JSON.stringify(l)).join('\n');
  assert.ok(lines.some((l) => l.reqId === 'build-42'));
  assert.ok(!text.includes(writeToken.slice(4)), 'no token in the log');
  assert.ok(!text.includes(marker), 'no request body in the log');
  assert.ok(text.includes('disk quota exceeded'), 'the unexpected error is logged');
});
