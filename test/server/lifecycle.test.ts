// Starting and stopping the service: draining refuses new work, requests in flight finish, and every append that
// was acknowledged with 2xx is in the store when it is opened again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { JsonObject } from '../../src/core/json.js';
import { startServer } from '../../src/server/lifecycle.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { postJson } from './http-client.js';
import { authorization, openLog, servedLog, signatureProposal, tempDir } from './server-fixture.js';

async function started(t: { after(fn: () => Promise<void>): void }, handleSignals = false, logOptions: Parameters<typeof openLog>[1] = {}) {
  const dir = await tempDir(t);
  const dataDir = join(dir, 'data');
  const tokenFile = join(dir, 'tokens.json');
  const token = await createToken(tokenFile, 'writer', ['write']);
  const log = await openLog(dataDir, logOptions);
  const server = await startServer({ log, tokens: await TokenStore.open(tokenFile), readAuth: 'open', logger: false, port: 0, handleSignals });
  t.after(() => server.stop());
  return { server, dataDir, token };
}

test('a draining server is not ready and refuses new requests, but still answers health checks', async (t) => {
  const { app } = await servedLog(t);
  app.drain.startDraining();
  const ready = await app.inject({ url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.equal(ready.json().code, 'SERVICE_UNAVAILABLE');
  const read = await app.inject({ url: '/api/v1/log' });
  assert.equal(read.statusCode, 503);
  assert.equal(read.json().code, 'SERVICE_UNAVAILABLE');
  assert.equal(read.headers.connection, 'close');
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
});

interface Outcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** POSTs every proposal at once, each on its own connection; a connection refused or cut is status 0. */
function appendAll(url: string, token: string, proposals: readonly JsonObject[], onAck: () => void = () => undefined): Promise<Outcome>[] {
  return proposals.map(async (proposal) => {
    try {
      const res = await postJson(`${url}/api/v1/log/entries`, proposal, authorization(token));
      if (res.status === 201) onAck();
      return { status: res.status, body: res.json() };
    } catch (e) {
      return { status: 0, body: { code: (e as NodeJS.ErrnoException).code } };
    }
  });
}

/** Every append acknowledged with 2xx is in the store, at the index it was acknowledged with. */
async function assertDurable(t: { after(fn: () => Promise<void>): void }, dataDir: string, acknowledged: readonly Outcome[]): Promise<void> {
  const reopened = await openLog(dataDir);
  t.after(() => reopened.close());
  for (const { body } of acknowledged) {
    const view = await reopened.entryByLeafHash(String(body.leafHash));
    assert.equal(view.index.toString(), body.index);
  }
}

test('stop() while 200 appends are in flight: each is answered 201 and is in the reopened store', async (t) => {
  // Batches that wait for company, so appends queue up in the sequencer while requests arrive.
  const { server, dataDir, token } = await started(t, false, { maxBatch: 64, maxDelayMs: 100 });
  const proposals = await Promise.all(Array.from({ length: 200 }, (_, n) => signatureProposal(n)));
  // Stop once the server has received every request: those not answered yet are in flight.
  let received = 0;
  const allReceived = new Promise<void>((resolve) =>
    server.app.server.on('request', () => {
      if (++received === proposals.length) resolve();
    }),
  );
  const outcomes = appendAll(server.url, token, proposals);
  await allReceived;
  await server.stop();
  const results = await Promise.all(outcomes);
  assert.deepEqual(results.filter((r) => r.status !== 201), []);
  await assertDurable(t, dataDir, results);
  assert.equal((await openLogSize(dataDir)), 200n);
});

test('stop() while clients are still connecting: acknowledged appends are durable, the rest refused cleanly', async (t) => {
  const { server, dataDir, token } = await started(t);
  const proposals = await Promise.all(Array.from({ length: 200 }, (_, n) => signatureProposal(n)));
  let firstAck!: () => void;
  const acked = new Promise<void>((resolve) => (firstAck = resolve));
  const outcomes = appendAll(server.url, token, proposals, () => firstAck());
  await acked;
  await server.stop();
  await server.stopped;
  const results = await Promise.all(outcomes);
  const acknowledged = results.filter((r) => r.status === 201);
  assert.ok(acknowledged.length >= 1);
  for (const r of results.filter((x) => x.status !== 201)) {
    // Refused while draining, or never accepted: the listener had closed, or the connection waited in its backlog.
    assert.ok(
      (r.status === 503 && r.body.code === 'SERVICE_UNAVAILABLE') || (r.status === 0 && ['ECONNREFUSED', 'ECONNRESET'].includes(String(r.body.code))),
      JSON.stringify(r),
    );
  }
  await assertDurable(t, dataDir, acknowledged);
});

async function openLogSize(dataDir: string): Promise<bigint> {
  const log = await openLog(dataDir);
  try {
    return (await log.info()).size;
  } finally {
    await log.close();
  }
}

test('SIGTERM stops the service gracefully', async (t) => {
  const { server, dataDir, token } = await started(t, true);
  const res = await postJson(`${server.url}/api/v1/log/entries`, await signatureProposal(1), authorization(token));
  assert.equal(res.status, 201);
  process.kill(process.pid, 'SIGTERM');
  await server.stopped;
  const reopened = await openLog(dataDir);
  t.after(() => reopened.close());
  assert.equal((await reopened.entryByLeafHash(String(res.json().leafHash))).index, 0n);
  assert.equal(process.listenerCount('SIGTERM'), 0);
});

test('a port already taken is IO_ERROR, and the log handed over is closed', async (t) => {
  const { server } = await started(t);
  const dir = await tempDir(t);
  const log = await openLog(join(dir, 'data'));
  const port = Number(new URL(server.url).port);
  await assert.rejects(
    startServer({ log, tokens: TokenStore.empty(), readAuth: 'open', logger: false, port, handleSignals: false }),
    (e: unknown) => (e as { code?: string }).code === 'IO_ERROR',
  );
  await assert.rejects(log.append(await signatureProposal(1)), (e: unknown) => (e as { code?: string }).code === 'LOG_CLOSED');
});
