// The registry client against a real CNCF distribution registry (docker-registry 2.8).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { digestHex, sha256Digest } from '../../../src/core/digest.js';
import { RegistryClient } from '../../../src/oci/registry/client.js';
import { referrersTag } from '../../../src/oci/registry/referrers.js';
import type { RawManifest } from '../../../src/oci/types.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry.js';
import { imageManifest } from './memory-registry.js';
import { startScripted, send, type Scripted } from './scripted-server.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;

let registry: RunningRegistry;
let events: Scripted;
before(async () => {
  events = await startScripted((_req, res) => send(res, 200));
  registry = await startRegistry({ notificationsUrl: `${events.origin}/events` });
});
after(async () => {
  await registry.stop();
  await events.close();
});

const client = (repository: string, extra: { tag?: string; digest?: string } = {}) => new RegistryClient({ registry: registry.host, repository, ...extra });

async function pushImage(c: RegistryClient, tag: string, layerText: string): Promise<RawManifest> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = Buffer.from(layerText);
  await c.pushBlob(config, 'application/vnd.oci.image.config.v1+json');
  await c.pushBlob(layer, 'application/vnd.oci.image.layer.v1.tar');
  const bytes = imageManifest(config, [layer]);
  const manifest = { mediaType: OCI_MANIFEST, digest: sha256Digest(bytes), bytes };
  await c.pushManifest(manifest, tag);
  return manifest;
}

test('real registry: push blobs and a manifest, then resolve by tag and digest, HEAD, read blobs, list tags, delete', async () => {
  const c = client('it/basic', { tag: 'v1' });
  const manifest = await pushImage(c, 'v1', 'layer one');
  await c.pushManifest(manifest, 'v1-alias');
  const resolved = await c.resolve();
  assert.equal(resolved.digest, manifest.digest);
  assert.ok(resolved.bytes.equals(manifest.bytes));
  assert.equal(resolved.mediaType, OCI_MANIFEST);
  const byDigest = client('it/basic', { digest: manifest.digest });
  assert.equal((await byDigest.resolve()).digest, manifest.digest);
  assert.deepEqual(await c.headManifest('v1'), { mediaType: OCI_MANIFEST, digest: manifest.digest, size: manifest.bytes.length });
  assert.equal(await c.fetchTag('absent'), undefined);

  const layerDesc = (JSON.parse(manifest.bytes.toString()) as { layers: [{ mediaType: string; digest: `sha256:${string}`; size: number }] }).layers[0];
  assert.equal((await c.readBlob(layerDesc)).toString(), 'layer one');
  assert.equal(await c.hasBlob(layerDesc.digest), true);
  assert.deepEqual((await c.listTags({ pageSize: 1 })).sort(), ['v1', 'v1-alias']);

  await c.deleteManifest(manifest.digest);
  await assert.rejects(c.resolve(), isCode('MANIFEST_NOT_FOUND'));
  await assert.rejects(c.fetchManifest(manifest.digest), isCode('MANIFEST_NOT_FOUND'));
  await c.close();
  await byDigest.close();
});

test('real registry: content altered in its storage is caught (manifest by digest, blob stream)', async () => {
  const c = client('it/tamper');
  const manifest = await pushImage(c, 'v1', 'original layer');
  const layer = (JSON.parse(manifest.bytes.toString()) as { layers: [{ mediaType: string; digest: `sha256:${string}`; size: number }] }).layers[0];
  const blobPath = (digest: `sha256:${string}`) => join(registry.rootDir, 'docker/registry/v2/blobs/sha256', digestHex(digest).slice(0, 2), digestHex(digest), 'data');
  writeFileSync(blobPath(layer.digest), 'tampered layer');
  await assert.rejects(c.readBlob(layer), isCode('DIGEST_MISMATCH'));
  const original = readFileSync(blobPath(manifest.digest));
  // Still a valid manifest, so the registry serves it; only the bytes (hence the digest) differ.
  writeFileSync(blobPath(manifest.digest), Buffer.from(original.toString().replace('{"schemaVersion":2', '{ "schemaVersion":2')));
  await assert.rejects(c.fetchManifest(manifest.digest), isCode('DIGEST_MISMATCH'));
  await c.close();
});

test('real registry: no referrers API (GET /referrers is 404), so the sha256-<hex> tag index is kept and read', async () => {
  const c = client('it/referrers');
  const subject = await pushImage(c, 'app', 'app layer');
  const raw = await new Promise<number>((resolve, reject) =>
    http.get(`${registry.origin}/v2/it/referrers/referrers/${subject.digest}`, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject),
  );
  assert.equal(raw, 404);
  assert.equal(await c.supportsReferrersApi(), false);

  const empty = Buffer.from('{}');
  await c.pushBlob(empty, 'application/vnd.oci.empty.v1+json');
  const artifactBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.signature',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(empty), size: 2 },
      layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest(empty), size: 2 }],
      subject: { mediaType: OCI_MANIFEST, digest: subject.digest, size: subject.bytes.length },
      annotations: { 'org.example.kind': 'test' },
    }),
  );
  const artifact = { mediaType: OCI_MANIFEST, digest: sha256Digest(artifactBytes), bytes: artifactBytes };
  await c.pushManifest(artifact);

  const index = await c.fetchTag(referrersTag(subject.digest));
  assert.equal(index?.mediaType, OCI_INDEX);
  const fresh = client('it/referrers');
  const listed = await fresh.listReferrers(subject.digest);
  assert.deepEqual(listed, [
    { mediaType: OCI_MANIFEST, digest: artifact.digest, size: artifactBytes.length, artifactType: 'application/vnd.example.signature', annotations: { 'org.example.kind': 'test' } },
  ]);
  assert.deepEqual(await fresh.listReferrers(subject.digest, 'application/other'), []);
  assert.deepEqual(await fresh.listReferrers(sha256Digest('unrelated')), []);
  await c.close();
  await fresh.close();
});

test('real registry: notifications reach the configured endpoint', async () => {
  const c = client('it/events');
  await pushImage(c, 'v1', 'event layer');
  await c.close();
  const deadline = Date.now() + 10_000;
  while (!events.requests.some((r) => r.body.toString().includes('it/events')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const event = events.requests.find((r) => r.body.toString().includes('it/events'));
  assert.equal(event?.method, 'POST');
  assert.match(event?.headers['content-type'] ?? '', /application\/vnd\.docker\.distribution\.events\.v1\+json/);
});
