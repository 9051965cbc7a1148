// Interoperability with skopeo: an image skopeo pushes resolves to the digest skopeo reports, and an image
// this client pushes is read back byte for byte (and copied, which verifies every blob) by skopeo.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { digestHex, sha256Digest } from '../../../src/core/digest.js';
import { RegistryClient } from '../../../src/oci/registry/client.js';
import { requireProgram, startRegistry, type RunningRegistry } from '../../helpers/registry.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
let registry: RunningRegistry;
let dir: string;
let skopeo: string;

before(async () => {
  skopeo = requireProgram('skopeo', 'Debian package skopeo');
  dir = mkdtempSync(join(tmpdir(), 'provenant-skopeo-'));
  registry = await startRegistry();
});
after(async () => {
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runSkopeo(...args: string[]): Buffer {
  const r = spawnSync(skopeo, ['--insecure-policy', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`skopeo ${args.join(' ')} failed (${r.status}): ${r.stderr?.toString()}`);
  return r.stdout;
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mtime: new Date(0) }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A one-layer OCI image written by hand into an OCI layout (image-spec image-layout.md). */
async function writeLayout(layoutDir: string, tag: string): Promise<{ manifest: Buffer }> {
  const layer = await tarOf({ 'hello.txt': 'hello from provenant\n' });
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] } }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256Digest(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256Digest(layer), size: layer.length }],
    }),
  );
  mkdirSync(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  for (const blob of [layer, config, manifest]) writeFileSync(join(layoutDir, 'blobs', 'sha256', digestHex(sha256Digest(blob))), blob);
  writeFileSync(join(layoutDir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: OCI_MANIFEST, digest: sha256Digest(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  };
  writeFileSync(join(layoutDir, 'index.json'), JSON.stringify(index));
  return { manifest };
}

test('real registry: an image skopeo pushed resolves to the digest skopeo reports', async () => {
  const layout = join(dir, 'layout');
  await writeLayout(layout, 'v1');
  const target = `docker://${registry.host}/skopeo/pushed:v1`;
  runSkopeo('copy', '--dest-tls-verify=false', `oci:${layout}:v1`, target);
  const raw = runSkopeo('inspect', '--tls-verify=false', '--raw', target);
  const reported = JSON.parse(runSkopeo('inspect', '--tls-verify=false', target).toString()) as { Digest: string };

  const client = new RegistryClient({ registry: registry.host, repository: 'skopeo/pushed', tag: 'v1' });
  const resolved = await client.resolve();
  assert.equal(resolved.digest, sha256Digest(raw));
  assert.equal(resolved.digest, reported.Digest);
  assert.ok(resolved.bytes.equals(raw));
  const layer = (JSON.parse(resolved.bytes.toString()) as { layers: [{ mediaType: string; digest: `sha256:${string}`; size: number }] }).layers[0];
  // skopeo compresses layers it pushes to a registry.
  assert.equal(layer.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  assert.ok(gunzipSync(await client.readBlob(layer)).includes(Buffer.from('hello from provenant')));
  await client.close();
});

test('real registry: an image this client pushed is read back unchanged and copied by skopeo', async () => {
  const client = new RegistryClient({ registry: registry.host, repository: 'provenant/pushed', tag: 'v2' });
  const layerTar = await tarOf({ 'a.txt': 'pushed by the client\n' });
  const layer = gzipSync(layerTar);
  const config = Buffer.from(JSON.stringify({ architecture: 'arm64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256Digest(layerTar)] } }));
  const configDesc = await client.pushBlob(config, 'application/vnd.oci.image.config.v1+json');
  const layerDesc = await client.pushBlob(layer, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDesc, layers: [layerDesc] }));
  await client.pushManifest({ mediaType: OCI_MANIFEST, digest: sha256Digest(bytes), bytes }, 'v2');
  await client.close();

  const source = `docker://${registry.host}/provenant/pushed:v2`;
  assert.ok(runSkopeo('inspect', '--tls-verify=false', '--raw', source).equals(bytes));
  const copy = join(dir, 'copy');
  runSkopeo('copy', '--src-tls-verify=false', source, `oci:${copy}:v2`);
  const index = JSON.parse(readFileSync(join(copy, 'index.json'), 'utf8')) as { manifests: [{ digest: string }] };
  assert.equal(index.manifests[0].digest, sha256Digest(bytes));
  assert.ok(readFileSync(join(copy, 'blobs', 'sha256', digestHex(layerDesc.digest))).equals(layer));
});
