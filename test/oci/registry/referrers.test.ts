import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { sha256Digest, type Digest } from '../../../src/core/digest.js';
import { RegistryClient } from '../../../src/oci/registry/client.js';
import { referrersTag } from '../../../src/oci/registry/referrers.js';
import type { RawManifest } from '../../../src/oci/types.js';
import { MemoryRegistry } from './memory-registry.js';
import { send, sendError, startScripted, type Handler, type Scripted } from './scripted-server.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest('{}'), size: 2 };
const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;
const SUBJECT = sha256Digest('the image');

function artifact(subject: Digest, fields: Record<string, unknown>): RawManifest {
  const bytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [], subject: { mediaType: OCI_MANIFEST, digest: subject, size: 10 }, ...fields }),
  );
  return { mediaType: OCI_MANIFEST, digest: sha256Digest(bytes), bytes };
}

async function scripted(handler: Handler): Promise<{ s: Scripted; client: RegistryClient; done(): Promise<void> }> {
  const s = await startScripted(handler);
  const client = new RegistryClient({ registry: s.host, repository: 'team/app', retry: { maxAttempts: 1 } });
  return { s, client, done: async () => (await client.close(), await s.close()) };
}

const referrersCalls = (s: Scripted) => s.requests.filter((r) => r.url.includes('/referrers/')).length;

test('scripted registry without the referrers API: pushManifest maintains the sha256-<hex> index and listReferrers reads it', async () => {
  const mem = new MemoryRegistry();
  const { s, client, done } = await scripted(mem.handler);
  const sig = artifact(SUBJECT, { artifactType: 'application/vnd.example.sig', annotations: { 'org.example': 'v' } });
  const sbom = artifact(SUBJECT, { config: { ...EMPTY, mediaType: 'application/vnd.example.sbom.config' } });
  await client.pushManifest(sig);
  await client.pushManifest(sbom);
  await client.pushManifest(sig);

  const digest = mem.tags.get(referrersTag(SUBJECT));
  assert.ok(digest !== undefined, 'fallback tag written');
  const index = JSON.parse(mem.manifests.get(digest)!.bytes.toString()) as { mediaType: string; manifests: unknown[] };
  assert.equal(index.mediaType, OCI_INDEX);
  assert.deepEqual(index.manifests, [
    { mediaType: OCI_MANIFEST, digest: sig.digest, size: sig.bytes.length, artifactType: 'application/vnd.example.sig', annotations: { 'org.example': 'v' } },
    { mediaType: OCI_MANIFEST, digest: sbom.digest, size: sbom.bytes.length, artifactType: 'application/vnd.example.sbom.config' },
  ]);

  assert.deepEqual((await client.listReferrers(SUBJECT)).map((d) => d.digest), [sig.digest, sbom.digest]);
  assert.deepEqual((await client.listReferrers(SUBJECT, 'application/vnd.example.sig')).map((d) => d.digest), [sig.digest]);
  assert.deepEqual(await client.listReferrers(sha256Digest('no referrers')), []);
  assert.equal(referrersCalls(s), 1, 'the 404 is remembered');
  assert.equal(await client.supportsReferrersApi(), false);
  await done();
});

test('scripted registry with the referrers API: OCI-Subject means no fallback tag, and listing uses the API', async () => {
  const mem = new MemoryRegistry({ referrersApi: true });
  const { s, client, done } = await scripted(mem.handler);
  assert.equal(await client.supportsReferrersApi(), true);
  const sig = artifact(SUBJECT, { artifactType: 'application/vnd.example.sig' });
  await client.pushManifest(sig);
  assert.equal(mem.tags.has(referrersTag(SUBJECT)), false);
  const listed = await client.listReferrers(SUBJECT, 'application/vnd.example.sig');
  assert.deepEqual(listed.map((d) => [d.digest, d.artifactType]), [[sig.digest, 'application/vnd.example.sig']]);
  assert.equal(await client.listReferrers(SUBJECT, 'other/type').then((l) => l.length), 0);
  const last = s.requests.filter((r) => r.url.includes('/referrers/')).at(-1);
  assert.equal(new URL(last!.url, 'http://x').searchParams.get('artifactType'), 'other/type');
  assert.equal(last?.headers.accept, OCI_INDEX);
  await done();
});

test('scripted registry: referrers API pages are followed; entries the filter excludes are dropped even if the registry sent them', async () => {
  const d = (n: number, artifactType: string) => ({ mediaType: OCI_MANIFEST, digest: sha256Digest(String(n)), size: n, artifactType });
  const { client, done } = await scripted((req, res) => {
    const page = req.url.includes('page=2') ? [d(2, 'a/b')] : [d(1, 'a/b'), d(3, 'c/d')];
    const headers: Record<string, string> = { 'content-type': OCI_INDEX };
    if (!req.url.includes('page=2')) headers.link = `<${new URL(req.url, 'http://x').pathname}?page=2>; rel="next"`;
    send(res, 200, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: page }), headers);
  });
  assert.deepEqual((await client.listReferrers(SUBJECT)).map((x) => x.size), [1, 3, 2]);
  assert.deepEqual((await client.listReferrers(SUBJECT, 'a/b')).map((x) => x.size), [1, 2]);
  await done();
});

test('scripted registry: a 404 NAME_UNKNOWN from the referrers endpoint proves nothing and is not remembered', async () => {
  const { s, client, done } = await scripted((_req, res) => sendError(res, 404, 'NAME_UNKNOWN'));
  assert.deepEqual(await client.listReferrers(SUBJECT), []);
  assert.deepEqual(await client.listReferrers(SUBJECT), []);
  assert.equal(referrersCalls(s), 2);
  await done();
});

for (const [name, contentType, body, code] of [
  ['a non-index Content-Type', 'application/json', { manifests: [] }, 'REGISTRY_PROTOCOL'],
  ['a descriptor without digest', OCI_INDEX, { manifests: [{ mediaType: OCI_MANIFEST, size: 1 }] }, 'MANIFEST_MALFORMED'],
  ['a negative size', OCI_INDEX, { manifests: [{ mediaType: OCI_MANIFEST, digest: SUBJECT, size: -1 }] }, 'MANIFEST_MALFORMED'],
  ['non-string annotations', OCI_INDEX, { manifests: [{ mediaType: OCI_MANIFEST, digest: SUBJECT, size: 1, annotations: { a: 1 } }] }, 'MANIFEST_MALFORMED'],
  ['no manifests list', OCI_INDEX, { schemaVersion: 2 }, 'MANIFEST_MALFORMED'],
] as const) {
  test(`scripted registry: referrers answer with ${name} is ${code}`, async () => {
    const { client, done } = await scripted((_req, res) => send(res, 200, JSON.stringify(body), { 'content-type': contentType }));
    await assert.rejects(client.listReferrers(SUBJECT), isCode(code));
    await done();
  });
}

test('scripted registry: a fallback tag that is not an OCI index is MANIFEST_MALFORMED, for listing and for pushing', async () => {
  const mem = new MemoryRegistry();
  const { client, done } = await scripted(mem.handler);
  const other = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [] }));
  mem.putManifest(other, OCI_MANIFEST, referrersTag(SUBJECT));
  await assert.rejects(client.listReferrers(SUBJECT), isCode('MANIFEST_MALFORMED'));
  await assert.rejects(client.pushManifest(artifact(SUBJECT, {})), isCode('MANIFEST_MALFORMED'));
  await done();
});

test('scripted registry: the fallback index keeps its other fields when a referrer is added', async () => {
  const mem = new MemoryRegistry();
  const { client, done } = await scripted(mem.handler);
  const existing = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [], annotations: { keep: 'me' } }));
  mem.putManifest(existing, OCI_INDEX, referrersTag(SUBJECT));
  await client.pushManifest(artifact(SUBJECT, { artifactType: 'x/y' }));
  const index = JSON.parse(mem.manifests.get(mem.tags.get(referrersTag(SUBJECT))!)!.bytes.toString()) as Record<string, unknown>;
  assert.deepEqual(index.annotations, { keep: 'me' });
  assert.equal((index.manifests as unknown[]).length, 1);
  await done();
});

test('manifests without a subject, and maintainReferrersTag: false, leave the fallback tag alone', async () => {
  const mem = new MemoryRegistry();
  const s = await startScripted(mem.handler);
  const off = new RegistryClient({ registry: s.host, repository: 'team/app', maintainReferrersTag: false });
  await off.pushManifest(artifact(SUBJECT, {}));
  const plain = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY, layers: [] }));
  await off.pushManifest({ mediaType: OCI_MANIFEST, digest: sha256Digest(plain), bytes: plain }, 'plain');
  assert.deepEqual([...mem.tags.keys()], ['plain']);
  const bad = artifact(SUBJECT, { subject: { digest: 'md5:abc' } });
  const on = new RegistryClient({ registry: s.host, repository: 'team/app' });
  await assert.rejects(on.pushManifest(bad), (e: unknown) => e instanceof ProvenantError && e.code === 'UNSUPPORTED');
  await off.close();
  await on.close();
  await s.close();
});
