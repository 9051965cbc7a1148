// The HTTP client of the log service against answers a real service would not give: a scripted service that sends
// oversized, malformed or undescribed answers. Every one must end as a ProvenantError with a code, never a hang or a
// raw exception.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { sha256Digest } from '../../src/core/digest.js';
import { HttpLog } from '../../src/cli/remote/http-log.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function scriptedService(t: { after(fn: () => Promise<void>): void }, handler: Handler): Promise<{ log: HttpLog; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const log = new HttpLog({ url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`), token: 'pvt_test', timeoutMs: 5_000 });
  t.after(async () => {
    await log.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { log, seen };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => isProvenantError(e, code) || assert.fail(`expected ${code}, got ${String((e as { code?: string }).code)}: ${String(e)}`));
}

test('scripted service: requests go below the base path with the bearer token, and an error body comes back as its code and details', async (t) => {
  const { log, seen } = await scriptedService(t, (_req, res) => json(res, 404, { code: 'LOG_ENTRY_NOT_FOUND', message: 'no entry 7', details: { index: '7' } }));
  await assert.rejects(log.entry(7n), (e: unknown) => isProvenantError(e, 'LOG_ENTRY_NOT_FOUND') && e.details?.index === '7');
  assert.equal(seen[0]?.url, '/prefix/api/v1/log/entries/7');
  assert.equal(seen[0]?.headers.authorization, 'Bearer pvt_test');
});

test('scripted service: an error answer without a known code is SERVICE_PROTOCOL, or UNAUTHENTICATED / FORBIDDEN by status', async (t) => {
  let status = 500;
  const { log } = await scriptedService(t, (_req, res) => json(res, status, { code: 'NOT_A_CODE', message: 'x' }));
  await rejectsWith(log.info(), 'SERVICE_PROTOCOL');
  status = 401;
  await rejectsWith(log.info(), 'UNAUTHENTICATED');
  status = 403;
  await rejectsWith(log.info(), 'FORBIDDEN');
});

test('scripted service: answers of the wrong shape are SERVICE_PROTOCOL', async (t) => {
  let body: unknown = { origin: 'o', size: 12, rootHash: '00'.repeat(32), checkpoint: 'c', verifierKey: 'k' };
  const { log } = await scriptedService(t, (_req, res) => (typeof body === 'string' ? res.end(body) : json(res, 200, body)));
  await rejectsWith(log.info(), 'SERVICE_PROTOCOL');
  body = 'not json';
  await rejectsWith(log.info(), 'SERVICE_PROTOCOL');
  body = { from: '1', to: '2', hashes: ['xyz'] };
  await rejectsWith(log.consistencyProof(1n, 2n), 'SERVICE_PROTOCOL');
});

test('scripted service: an answer larger than the limit is cut off as SERVICE_PROTOCOL, with or without a Content-Length', async (t) => {
  let declare = true;
  const { log } = await scriptedService(t, (_req, res) => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    res.writeHead(200, declare ? { 'content-length': String(2 * 1024 * 1024) } : {});
    let sent = 0;
    const pump = (): void => {
      while (sent < 2 * 1024 * 1024 && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  });
  await rejectsWith(log.info(), 'SERVICE_PROTOCOL');
  declare = false;
  await rejectsWith(log.info(), 'SERVICE_PROTOCOL');
});

test('scripted service: a blob is checked against its digest; a missing one is null, a missing route is not', async (t) => {
  const data = Buffer.from('envelope bytes');
  let mode: 'ok' | 'wrong' | 'missing' | 'no-route' = 'ok';
  const { log } = await scriptedService(t, (_req, res) => {
    switch (mode) {
      case 'ok':
        return void res.writeHead(200, { 'content-type': 'application/vnd.dsse.envelope.v1+json' }).end(data);
      case 'wrong':
        return void res.writeHead(200).end('other bytes');
      case 'missing':
        return json(res, 404, { code: 'BLOB_NOT_FOUND', message: 'none' });
      case 'no-route':
        return json(res, 404, { code: 'ROUTE_NOT_FOUND', message: 'no route' });
    }
  });
  const digest = sha256Digest(data);
  assert.deepEqual(await log.blob(digest), { mediaType: 'application/vnd.dsse.envelope.v1+json', data });
  mode = 'wrong';
  await rejectsWith(log.blob(digest), 'DIGEST_MISMATCH');
  mode = 'missing';
  assert.equal(await log.blob(digest), null);
  mode = 'no-route';
  await rejectsWith(log.blob(digest), 'SERVICE_PROTOCOL');
});

test('scripted service: a service that never answers is SERVICE_UNREACHABLE once the deadline passes', async (t) => {
  const { log: slow } = await scriptedService(t, () => undefined);
  const log = new HttpLog({ url: new URL(slow.url), timeoutMs: 200 });
  t.after(() => log.close());
  await rejectsWith(log.info(), 'SERVICE_UNREACHABLE');
});

test('scripted service: a tile the service does not have is null', async (t) => {
  const { log, seen } = await scriptedService(t, (_req, res) => json(res, 404, { code: 'TILE_NOT_FOUND', message: 'none' }));
  assert.equal(await log.tile(0, 1234067n, 8), null);
  assert.equal(seen[0]?.url, '/prefix/log/tile/0/x001/x234/067.p/8');
});
