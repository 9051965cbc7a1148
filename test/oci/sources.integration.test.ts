// The local transports against the real tools: an image built with umoci, converted with skopeo 1.9, and
// pushed by skopeo into a CNCF distribution registry. Needs umoci, skopeo and docker-registry on PATH; a
// missing tool fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { sha256Digest } from '../../src/core/digest.js';
import { DockerArchive } from '../../src/oci/docker-archive.js';
import { parseImageConfig } from '../../src/oci/image-config.js';
import { OciLayout } from '../../src/oci/layout.js';
import { parseManifest, parseRawManifest, type ImageManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/media-types.js';
import type { ImageSource } from '../../src/oci/types.js';

const run = promisify(execFile);
const work = await mkdtemp(join(tmpdir(), 'provenant-sources-'));
test.after(() => rm(work, { recursive: true, force: true }));

async function tool(cmd: string, args: string[]): Promise<Buffer> {
  const { stdout } = await run(cmd, args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

const layoutDir = join(work, 'layout');
const archiveFile = join(work, 'image.tar');

/** A two-layer image: umoci init/new, then one unpack, change, repack per layer. */
async function buildWithUmoci(): Promise<void> {
  const image = `${layoutDir}:v1`;
  const bundle = join(work, 'bundle');
  await tool('umoci', ['init', '--layout', layoutDir]);
  await tool('umoci', ['new', '--image', image]);
  await tool('umoci', ['unpack', '--rootless', '--image', image, bundle]);
  await writeFile(join(bundle, 'rootfs', 'first.txt'), 'first layer\n');
  await tool('umoci', ['repack', '--refresh-bundle', '--image', image, bundle]);
  await mkdir(join(bundle, 'rootfs', 'etc'), { recursive: true });
  await writeFile(join(bundle, 'rootfs', 'etc', 'second.conf'), 'second layer\n');
  await tool('umoci', ['repack', '--refresh-bundle', '--image', image, bundle]);
}

async function manifestOf(source: ImageSource): Promise<ImageManifest> {
  const m = parseRawManifest(await source.resolve());
  assert.equal(m.kind, 'manifest');
  return m as ImageManifest;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

await buildWithUmoci();
await tool('skopeo', ['--insecure-policy', 'copy', `oci:${layoutDir}:v1`, `docker-archive:${archiveFile}:example.com/app:v1`]);

test('oci: reads the manifest skopeo reads, byte for byte', async () => {
  const layout = await OciLayout.fromSpec(`oci:${layoutDir}:v1`);
  const raw = await layout.resolve();
  const skopeoRaw = await tool('skopeo', ['inspect', '--raw', `oci:${layoutDir}:v1`]);
  assert.equal(raw.digest, sha256Digest(skopeoRaw));
  const m = await manifestOf(layout);
  assert.equal(m.layers.length, 2);
  const config = parseImageConfig(await layout.readBlob(m.config));
  assert.equal(config.history.filter((h) => !h.emptyLayer).length, 2);
  for (const [i, layer] of m.layers.entries()) {
    assert.equal(sha256Digest(gunzipSync(await drain(await layout.openBlob(layer)))), config.diffIds[i]);
  }
});

test('docker-archive: (as skopeo writes it) has the same config digest and layer diffIDs as oci:', async () => {
  const layout = await manifestOf(await OciLayout.open(layoutDir, 'v1'));
  const source = await DockerArchive.fromSpec(`docker-archive:${archiveFile}:example.com/app:v1`);
  try {
    assert.equal(source.shape, 'classic');
    const archived = await manifestOf(source);
    assert.equal(archived.config.digest, layout.config.digest);
    const diffIds = parseImageConfig(await source.readBlob(archived.config)).diffIds;
    assert.deepEqual(archived.layers.map((l) => l.digest), diffIds);
    for (const layer of archived.layers) assert.equal(sha256Digest(await drain(await source.openBlob(layer))), layer.digest);
    // skopeo synthesises the same document but labels the uncompressed layers tar.gzip.
    const skopeoRaw = (await tool('skopeo', ['inspect', '--raw', `docker-archive:${archiveFile}`])).toString();
    const ours = (await source.resolve()).bytes.toString();
    assert.equal(ours.replaceAll(`"${MediaType.dockerLayer}"`, `"${MediaType.dockerLayerGzip}"`), skopeoRaw);
  } finally {
    await source.close();
  }
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
}

test('a registry copy made by skopeo shares the config digest and diffIDs, not the manifest digest', async () => {
  const port = await freePort();
  const config = join(work, 'registry.yml');
  await writeFile(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, 'registry-data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`,
  );
  const registry = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  let spawnError: unknown;
  registry.once('error', (e) => (spawnError = e));
  const stopped = new Promise((resolve) => {
    registry.once('close', resolve);
    registry.once('error', resolve);
  });
  try {
    const deadline = Date.now() + 15_000;
    while (!(await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false))) {
      if (spawnError !== undefined) throw spawnError;
      assert.ok(Date.now() < deadline, 'docker-registry did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const target = `docker://127.0.0.1:${port}/app:v1`;
    await tool('skopeo', ['--insecure-policy', 'copy', '--dest-tls-verify=false', `docker-archive:${archiveFile}`, target]);
    const pushed = parseManifest(await tool('skopeo', ['inspect', '--tls-verify=false', '--raw', target]));
    assert.ok(pushed.kind === 'manifest' && pushed.format === 'docker-manifest');
    const source = await DockerArchive.open(archiveFile);
    const archived = await manifestOf(source);
    const archivedDigest = (await source.resolve()).digest;
    await source.close();
    assert.equal(pushed.config.digest, archived.config.digest);
    assert.ok(pushed.layers.every((l) => l.mediaType === MediaType.dockerLayerGzip));
    const pushedRaw = await tool('skopeo', ['inspect', '--tls-verify=false', '--raw', target]);
    assert.notEqual(sha256Digest(pushedRaw), archivedDigest);
    for (const [i, layer] of pushed.layers.entries()) {
      const blob = await fetch(`http://127.0.0.1:${port}/v2/app/blobs/${layer.digest}`);
      assert.equal(sha256Digest(gunzipSync(Buffer.from(await blob.arrayBuffer()))), archived.layers[i]!.digest);
    }
  } finally {
    registry.kill();
    await stopped;
  }
});
