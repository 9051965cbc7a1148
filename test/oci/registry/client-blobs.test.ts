import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { sha256Digest } from '../../../src/core/digest.js';
import { RegistryClient } from '../../../src/oci/registry/client.js';
import type { Descriptor } from '../../../src/oci/types.js';
import { MemoryRegistry } from './memory-registry.js';
import { send, sendError, startScripted, type Handler, type Scripted } from './scripted-server.js';

const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;
const LAYER = 'application/vnd.oci.image.layer.v1.tar';
const descOf = (b: Buffer | string): Descriptor => ({ mediaType: LAYER, digest: sha256Digest(b), size: Buffer.byteLength(b) });

async function scripted(handler: Handler): Promise<{ s: Scripted; client: RegistryClient; done(): Promise<void> }> {
  const s = await startScripted(handler);
  const client = new RegistryClient({ registry: s.host, repository: 'team/app', retry: { maxAttempts: 2, baseDelayMs: 5 } });
  return { s, client, done: async () => (await client.close(), await s.close()) };
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('scripted registry: pushBlob does HEAD, POST, then PUT ?digest= to the relative Location, keeping its state parameters', async () => {
  const mem = new MemoryRegistry();
  const { s, client, done } = await scripted(mem.handler);
  const data = Buffer.from('hello layer');
  assert.deepEqual(await client.pushBlob(data, LAYER), descOf(data));
  assert.deepEqual(s.requests.map((r) => r.method), ['HEAD', 'POST', 'PUT']);
  const put = new URL(s.requests[2]!.url, 'http://x');
  assert.equal(put.searchParams.get('digest'), sha256Digest(data));
  assert.equal(put.searchParams.get('_state'), 'a+b=');
  assert.equal(s.requests[2]?.headers['content-type'], 'application/octet-stream');
  assert.ok(mem.blobs.get(sha256Digest(data))?.equals(data));
  // Already there: only the HEAD.
  await client.pushBlob(data, LAYER);
  assert.equal(s.requests.length, 4);
  assert.equal(await client.hasBlob(sha256Digest(data)), true);
  assert.equal(await client.hasBlob(sha256Digest('absent')), false);
  await done();
});

test('scripted registry: pushBlob follows an absolute Location', async () => {
  const mem = new MemoryRegistry();
  const { s, client, done } = await scripted(mem.handler);
  mem.absoluteLocationOrigin = s.origin;
  await client.pushBlob(Buffer.from('x'), LAYER);
  assert.equal(mem.blobs.size, 1);
  assert.match(s.requests[2]?.url ?? '', /^\/v2\/team\/app\/blobs\/uploads\/[^?]+\?_state=a%2Bb%3D&digest=sha256%3A[0-9a-f]{64}$/);
  await done();
});

test('scripted registry: a failed upload PUT starts a fresh upload session', async () => {
  const mem = new MemoryRegistry();
  let failures = 1;
  const { s, client, done } = await scripted((req, res) => (req.method === 'PUT' && failures-- > 0 ? sendError(res, 500, 'UNKNOWN') : mem.handler(req, res)));
  await client.pushBlob(Buffer.from('retry me'), LAYER);
  assert.deepEqual(s.requests.map((r) => r.method), ['HEAD', 'POST', 'PUT', 'HEAD', 'POST', 'PUT']);
  await done();
});

test('scripted registry: upload refused with DIGEST_INVALID is DIGEST_MISMATCH; POST without Location is REGISTRY_PROTOCOL', async () => {
  let mode = 'digest';
  const { client, done } = await scripted((req, res) => {
    if (req.method === 'HEAD') return sendError(res, 404, 'BLOB_UNKNOWN');
    if (req.method === 'POST') return mode === 'digest' ? send(res, 202, '', { location: '/v2/team/app/blobs/uploads/u' }) : send(res, 202);
    return sendError(res, 400, 'DIGEST_INVALID');
  });
  await assert.rejects(client.pushBlob(Buffer.from('x'), LAYER), isCode('DIGEST_MISMATCH'));
  mode = 'nolocation';
  await assert.rejects(client.pushBlob(Buffer.from('x'), LAYER), isCode('REGISTRY_PROTOCOL'));
  await done();
});

test('scripted registry: a blob with wrong bytes fails the stream with DIGEST_MISMATCH', async () => {
  const { client, done } = await scripted((_req, res) => send(res, 200, 'evil bytes'));
  const desc = descOf('good bytes');
  await assert.rejects(drain(await client.openBlob(desc)), isCode('DIGEST_MISMATCH'));
  await assert.rejects(client.readBlob(desc), isCode('DIGEST_MISMATCH'));
  await done();
});

test('scripted registry: a blob cut short is ARCHIVE_TRUNCATED; one longer than its descriptor is INPUT_TOO_LARGE', async () => {
  const good = Buffer.from('0123456789');
  let mode = 'cut';
  const { client, done } = await scripted((_req, res) => {
    if (mode === 'cut') {
      res.writeHead(200, { 'content-length': String(good.length) });
      res.write(good.subarray(0, 4));
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (mode === 'short-chunked') {
      res.writeHead(200);
      res.end(good.subarray(0, 4));
    } else if (mode === 'long-chunked') {
      res.writeHead(200);
      res.end(Buffer.concat([good, Buffer.from('more')]));
    } else if (mode === 'short-declared') {
      send(res, 200, good.subarray(0, 4));
    } else {
      send(res, 200, Buffer.concat([good, Buffer.from('more')]));
    }
  });
  await assert.rejects(drain(await client.openBlob(descOf(good))), isCode('ARCHIVE_TRUNCATED'));
  mode = 'short-chunked';
  await assert.rejects(drain(await client.openBlob(descOf(good))), isCode('ARCHIVE_TRUNCATED'));
  mode = 'long-chunked';
  await assert.rejects(drain(await client.openBlob(descOf(good))), isCode('INPUT_TOO_LARGE'));
  mode = 'long-declared';
  await assert.rejects(client.openBlob(descOf(good)), isCode('INPUT_TOO_LARGE'));
  mode = 'short-declared';
  await assert.rejects(client.openBlob(descOf(good)), isCode('ARCHIVE_TRUNCATED'));
  await done();
});

test('scripted registry: blob downloads follow the redirect to storage and verify there', async () => {
  const data = Buffer.from('stored elsewhere');
  const storage = await startScripted((_req, res) => send(res, 200, data));
  const { client, done } = await scripted((_req, res) => send(res, 307, '', { location: `${storage.origin}/bucket/object?X-Signature=abc` }));
  assert.ok((await client.readBlob(descOf(data))).equals(data));
  assert.equal(storage.requests.length, 1);
  await done();
  await storage.close();
});

test('readBlob refuses a descriptor over the limit without asking; missing blobs are BLOB_NOT_FOUND', async () => {
  const { s, client, done } = await scripted((_req, res) => sendError(res, 404, 'BLOB_UNKNOWN'));
  await assert.rejects(client.readBlob({ ...descOf('x'), size: 1000 }, 10), isCode('INPUT_TOO_LARGE'));
  assert.equal(s.requests.length, 0);
  await assert.rejects(client.readBlob(descOf('x')), isCode('BLOB_NOT_FOUND'));
  await assert.rejects(client.openBlob({ ...descOf('x'), size: -1 }), isCode('MANIFEST_MALFORMED'));
  await done();
});

test('scripted registry: a HEAD error answer is mapped at once (its empty body is not waited for); a HEAD redirect means present', async () => {
  let status = 500;
  const s = await startScripted((_req, res) => send(res, status, '', status === 307 ? { location: 'http://127.0.0.1:1/storage' } : {}));
  const client = new RegistryClient({ registry: s.host, repository: 'team/app', responseTimeoutMs: 10_000, retry: { maxAttempts: 1 } });
  const started = Date.now();
  await assert.rejects(client.hasBlob(sha256Digest('x')), isCode('REGISTRY_SERVER_ERROR'));
  status = 403;
  await assert.rejects(client.hasBlob(sha256Digest('x')), isCode('REGISTRY_FORBIDDEN'));
  assert.ok(Date.now() - started < 2_000, 'no wait for the response timeout');
  status = 307;
  assert.equal(await client.hasBlob(sha256Digest('x')), true);
  assert.equal(s.requests.length, 3);
  await client.close();
  await s.close();
});
