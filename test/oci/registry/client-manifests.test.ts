import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { sha256Digest } from '../../../src/core/digest.js';
import { RegistryClient, type RegistryClientOptions } from '../../../src/oci/registry/client.js';
import { imageManifest, MemoryRegistry } from './memory-registry.js';
import { send, sendError, startScripted, type Handler, type Scripted } from './scripted-server.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;

async function scripted(handler: Handler, options: Partial<RegistryClientOptions> = {}): Promise<{ s: Scripted; client: RegistryClient; done(): Promise<void> }> {
  const s = await startScripted(handler);
  const client = new RegistryClient({ registry: s.host, repository: 'team/app', tag: 'v1', retry: { maxAttempts: 3, baseDelayMs: 5 }, ...options });
  return { s, client, done: async () => (await client.close(), await s.close()) };
}

test('scripted registry: push blobs and a manifest, then resolve by tag and by digest, HEAD, fetchTag and delete', async () => {
  const mem = new MemoryRegistry();
  const { s, client, done } = await scripted(mem.handler);
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const layer = Buffer.from('layer bytes');
  await client.pushBlob(config, 'application/vnd.oci.image.config.v1+json');
  await client.pushBlob(layer, 'application/vnd.oci.image.layer.v1.tar');
  const bytes = imageManifest(config, [layer]);
  const digest = sha256Digest(bytes);
  await client.pushManifest({ mediaType: OCI_MANIFEST, digest, bytes }, 'v1');
  const put = s.requests.find((r) => r.method === 'PUT' && r.url.includes('/manifests/'));
  assert.equal(put?.url, '/v2/team/app/manifests/v1');
  assert.equal(put?.headers['content-type'], OCI_MANIFEST);

  const byTag = await client.resolve();
  assert.deepEqual([byTag.mediaType, byTag.digest, byTag.bytes.equals(bytes)], [OCI_MANIFEST, digest, true]);
  const byDigest = new RegistryClient({ registry: s.host, repository: 'team/app', digest });
  assert.equal((await byDigest.resolve()).digest, digest);
  assert.equal(byDigest.describe(), `${s.host}/team/app@${digest}`);
  await byDigest.close();
  assert.deepEqual(await client.headManifest('v1'), { mediaType: OCI_MANIFEST, digest, size: bytes.length });
  assert.equal(await client.headManifest('nope'), undefined);
  assert.equal((await client.fetchTag('v1'))?.digest, digest);
  assert.equal(await client.fetchTag('missing'), undefined);
  assert.equal((await client.fetchManifest(digest)).digest, digest);

  await client.deleteManifest(digest);
  await assert.rejects(client.fetchManifest(digest), isCode('MANIFEST_NOT_FOUND'));
  await assert.rejects(client.resolve(), isCode('MANIFEST_NOT_FOUND'));
  await assert.rejects(client.deleteManifest(digest), isCode('MANIFEST_NOT_FOUND'));
  await done();
});

test('scripted registry: a manifest whose bytes do not match the requested digest is DIGEST_MISMATCH', async () => {
  const real = imageManifest(Buffer.from('{}'), []);
  const claimed = sha256Digest('something else');
  const { client, done } = await scripted((_req, res) => send(res, 200, real, { 'content-type': OCI_MANIFEST, 'docker-content-digest': claimed }));
  await assert.rejects(client.fetchManifest(claimed), isCode('DIGEST_MISMATCH'));
  await done();
});

test('scripted registry: a Docker-Content-Digest that does not name the body is DIGEST_MISMATCH; a malformed one REGISTRY_PROTOCOL', async () => {
  const real = imageManifest(Buffer.from('{}'), []);
  let header = sha256Digest('other');
  const { client, done } = await scripted((_req, res) => send(res, 200, real, { 'content-type': OCI_MANIFEST, 'docker-content-digest': header }));
  await assert.rejects(client.resolve(), isCode('DIGEST_MISMATCH'));
  header = 'sha256:XYZ';
  await assert.rejects(client.resolve(), isCode('REGISTRY_PROTOCOL'));
  header = sha256Digest(real);
  assert.equal((await client.resolve()).digest, header);
  await done();
});

test('scripted registry: an oversize manifest is INPUT_TOO_LARGE, with or without Content-Length', async () => {
  const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
  let chunked = false;
  const { client, done } = await scripted((_req, res) => {
    if (!chunked) return send(res, 200, big, { 'content-type': OCI_MANIFEST });
    res.writeHead(200, { 'content-type': OCI_MANIFEST });
    res.end(big);
  });
  await assert.rejects(client.resolve(), isCode('INPUT_TOO_LARGE'));
  chunked = true;
  await assert.rejects(client.resolve(), isCode('INPUT_TOO_LARGE'));
  await done();
  const small = await scripted((_req, res) => send(res, 200, imageManifest(Buffer.alloc(0), []), { 'content-type': OCI_MANIFEST }), {
    maxManifestBytes: 100,
  });
  await assert.rejects(small.client.resolve(), isCode('INPUT_TOO_LARGE'));
  await small.done();
});

for (const [name, contentType, body, code] of [
  ['schema1 media type', 'application/vnd.docker.distribution.manifest.v1+prettyjws', '{"schemaVersion":1}', 'MEDIA_TYPE_UNSUPPORTED'],
  ['JSON without a manifest media type', 'application/json', '{"schemaVersion":2}', 'MEDIA_TYPE_UNSUPPORTED'],
  ['Content-Type disagreeing with mediaType', 'application/vnd.oci.image.index.v1+json', `{"mediaType":"${OCI_MANIFEST}"}`, 'MANIFEST_MALFORMED'],
  ['body that is not JSON', OCI_MANIFEST, 'not json', 'MANIFEST_MALFORMED'],
  ['duplicate keys', OCI_MANIFEST, `{"mediaType":"${OCI_MANIFEST}","mediaType":"x"}`, 'MANIFEST_MALFORMED'],
  ['mediaType of the wrong type', OCI_MANIFEST, '{"mediaType":7}', 'MANIFEST_MALFORMED'],
] as const) {
  test(`scripted registry: manifest with ${name} is ${code}`, async () => {
    const { client, done } = await scripted((_req, res) => send(res, 200, body, { 'content-type': contentType }));
    await assert.rejects(client.resolve(), isCode(code));
    await done();
  });
}

test('scripted registry: OCI manifest without a mediaType field takes the Content-Type', async () => {
  const body = Buffer.from('{"schemaVersion":2}');
  const { client, done } = await scripted((_req, res) => send(res, 200, body, { 'content-type': `${OCI_MANIFEST}; charset=utf-8` }));
  assert.equal((await client.resolve()).mediaType, OCI_MANIFEST);
  await done();
});

test('scripted registry: 500 on every attempt is REGISTRY_SERVER_ERROR after the retries', async () => {
  const { s, client, done } = await scripted((_req, res) => sendError(res, 500, 'UNKNOWN'));
  await assert.rejects(client.resolve(), (e: unknown) => isCode('REGISTRY_SERVER_ERROR')(e) && (e as ProvenantError).details?.status === 500);
  assert.equal(s.requests.length, 3);
  await done();
});

test('scripted registry: 429 on every attempt is REGISTRY_RATE_LIMITED; 404 is MANIFEST_NOT_FOUND', async () => {
  const { client, done } = await scripted((req, res) => (req.url.endsWith('/v1') ? sendError(res, 429, 'TOOMANYREQUESTS') : sendError(res, 404, 'MANIFEST_UNKNOWN')));
  await assert.rejects(client.resolve(), isCode('REGISTRY_RATE_LIMITED'));
  await assert.rejects(client.fetchManifest(sha256Digest('x')), isCode('MANIFEST_NOT_FOUND'));
  await done();
});

test('scripted registry: HEAD without Docker-Content-Digest falls back to GET', async () => {
  const body = imageManifest(Buffer.from('{}'), []);
  const { s, client, done } = await scripted((req, res) => {
    if (req.method !== 'HEAD') return send(res, 200, body, { 'content-type': OCI_MANIFEST });
    res.writeHead(200, { 'content-type': OCI_MANIFEST });
    res.end();
  });
  assert.deepEqual(await client.headManifest('v1'), { mediaType: OCI_MANIFEST, digest: sha256Digest(body), size: body.length });
  assert.deepEqual(s.requests.map((r) => r.method), ['HEAD', 'GET']);
  await done();
});

test('pushManifest refuses bytes that do not hash to the digest, before any request', async () => {
  const { s, client, done } = await scripted((_req, res) => send(res, 201));
  const bytes = imageManifest(Buffer.from('{}'), []);
  await assert.rejects(client.pushManifest({ mediaType: OCI_MANIFEST, digest: sha256Digest('x'), bytes }), isCode('DIGEST_MISMATCH'));
  await assert.rejects(client.pushManifest({ mediaType: 'bad type', digest: sha256Digest(bytes), bytes }), isCode('MEDIA_TYPE_UNSUPPORTED'));
  assert.equal(s.requests.length, 0);
  await done();
});

test('scripted registry: push errors map from the distribution error body', async () => {
  let code = 'MANIFEST_BLOB_UNKNOWN';
  const { client, done } = await scripted((_req, res) => sendError(res, 400, code));
  const bytes = imageManifest(Buffer.from('{}'), []);
  const push = () => client.pushManifest({ mediaType: OCI_MANIFEST, digest: sha256Digest(bytes), bytes }, 'v1');
  await assert.rejects(push(), isCode('BLOB_NOT_FOUND'));
  code = 'MANIFEST_INVALID';
  await assert.rejects(push(), isCode('MANIFEST_MALFORMED'));
  code = 'SOMETHING_NEW';
  await assert.rejects(push(), isCode('REGISTRY_PROTOCOL'));
  await done();
});

test('an unreachable registry is REGISTRY_UNREACHABLE; bad names are REFERENCE_INVALID', async () => {
  const s = await startScripted(() => undefined);
  await s.close();
  const client = new RegistryClient({ registry: s.host, repository: 'a', tag: 'b' });
  await assert.rejects(client.resolve(), isCode('REGISTRY_UNREACHABLE'));
  await client.close();
  for (const options of [
    { registry: 'host/evil', repository: 'a' },
    { registry: 'host', repository: '../a' },
    { registry: 'host', repository: 'A' },
    { registry: 'host', repository: 'a', tag: 'x/../../y' },
    { registry: 'host', repository: 'a', digest: 'sha256:abc' },
    { registry: 'host:99999', repository: 'a' },
  ]) {
    assert.throws(() => new RegistryClient(options), (e: unknown) => e instanceof ProvenantError, JSON.stringify(options));
  }
  await assert.rejects(new RegistryClient({ registry: 'h', repository: 'a' }).fetchTag('bad tag'), isCode('REFERENCE_INVALID'));
});
