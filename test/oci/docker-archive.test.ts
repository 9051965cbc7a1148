import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { digestHex, sha256Digest } from '../../src/core/digest.js';
import { DockerArchive } from '../../src/oci/docker-archive.js';
import { openLocalSource } from '../../src/oci/local.js';
import { parseRawManifest, type ImageManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/media-types.js';
import { buildImage, dockerArchiveEntries, tarBytes, writeDockerArchive, type ArchiveOptions, type TarSpecEntry } from '../helpers/oci-image.js';

const dir = await mkdtemp(join(tmpdir(), 'provenant-archive-'));
test.after(() => rm(dir, { recursive: true, force: true }));
let counter = 0;
const image = await buildImage({ emptySteps: [{ before: 1, createdBy: 'ENV A=1' }] });
const other = await buildImage({ layers: [{ files: { 'o.txt': 'other' }, createdBy: 'RUN other' }] });

async function archive(opts: ArchiveOptions, img = image): Promise<string> {
  const file = join(dir, `a${counter++}.tar`);
  await writeDockerArchive(file, img, opts);
  return file;
}

async function rawArchive(entries: TarSpecEntry[]): Promise<string> {
  const file = join(dir, `a${counter++}.tar`);
  await writeFile(file, await tarBytes(entries));
  return file;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function manifestOf(source: DockerArchive): Promise<ImageManifest> {
  const m = parseRawManifest(await source.resolve());
  assert.equal(m.kind, 'manifest');
  return m as ImageManifest;
}

test('classic shape: a Docker v2s2 manifest is synthesised over the config and the layer tars', async () => {
  const source = await DockerArchive.open(await archive({ shape: 'classic' }));
  try {
    assert.equal(source.shape, 'classic');
    assert.deepEqual(source.repoTags(), ['example.com/app:v1']);
    const raw = await source.resolve();
    assert.equal(raw.mediaType, MediaType.dockerManifest);
    assert.equal(raw.digest, sha256Digest(raw.bytes));
    const m = await manifestOf(source);
    assert.deepEqual(Object.keys(JSON.parse(raw.bytes.toString()) as object), ['schemaVersion', 'mediaType', 'config', 'layers']);
    assert.deepEqual(m.config, { mediaType: MediaType.dockerConfig, digest: image.config.desc.digest, size: image.config.desc.size });
    assert.deepEqual(m.layers, image.layers.map((l) => ({ mediaType: MediaType.dockerLayer, digest: l.diffId, size: l.uncompressed.length })));
    assert.deepEqual(await source.readBlob(m.config), image.config.bytes);
    for (const [i, layer] of m.layers.entries()) assert.deepEqual(await drain(await source.openBlob(layer)), image.layers[i]!.uncompressed);
    assert.deepEqual(await source.fetchManifest(raw.digest), raw);
    await assert.rejects(source.fetchManifest(image.manifest.digest), { code: 'MANIFEST_NOT_FOUND' });
    await assert.rejects(source.openBlob(image.layers[0]!.desc), { code: 'BLOB_NOT_FOUND' });
  } finally {
    await source.close();
  }
});

test("Docker's legacy <id>/layer.tar symlinks lead to the same manifest", async () => {
  const plain = await DockerArchive.open(await archive({ shape: 'classic' }));
  const legacy = await DockerArchive.open(await archive({ shape: 'classic', legacyLayerDirs: true }));
  assert.deepEqual(await legacy.resolve(), await plain.resolve());
  const layer = (await manifestOf(legacy)).layers[1]!;
  assert.deepEqual(await drain(await legacy.openBlob(layer)), image.layers[1]!.uncompressed);
  await Promise.all([plain.close(), legacy.close()]);
});

test('a gzip-compressed layer file is described by the digest of its compressed bytes', async () => {
  const entries = dockerArchiveEntries(image, { shape: 'classic' }).map((e) =>
    e.name === `${digestHex(image.layers[0]!.diffId)}.tar` ? { ...e, data: image.layers[0]!.compressed } : e,
  );
  const source = await DockerArchive.open(await rawArchive(entries));
  const layer = (await manifestOf(source)).layers[0]!;
  assert.deepEqual(layer, { mediaType: MediaType.dockerLayerGzip, digest: image.layers[0]!.desc.digest, size: image.layers[0]!.desc.size });
  assert.deepEqual(await drain(await source.openBlob(layer)), image.layers[0]!.compressed);
  await source.close();
});

test('OCI-shaped archives (Docker >= 25) return the stored manifest bytes unchanged', async () => {
  const file = await archive({ shape: 'oci-layout', repoTags: ['app:v1'] });
  const source = await DockerArchive.fromSpec(`docker-archive:${file}:docker.io/library/app:v1`);
  try {
    assert.equal(source.shape, 'oci-layout');
    assert.deepEqual(await source.resolve(), image.manifest);
    assert.deepEqual(source.repoTags(), ['docker.io/library/app:v1']);
    const m = await manifestOf(source);
    assert.deepEqual(await drain(await source.openBlob(m.layers[0]!)), image.layers[0]!.compressed);
    assert.deepEqual(await source.readBlob(m.config), image.config.bytes);
    await assert.rejects(source.fetchManifest(sha256Digest('absent')), { code: 'MANIFEST_NOT_FOUND' });
  } finally {
    await source.close();
  }
  assert.deepEqual(await (await DockerArchive.open(file)).resolve(), image.manifest);
  await assert.rejects(DockerArchive.open(file, 'app:v2'), { code: 'MANIFEST_NOT_FOUND' });
});

test('selecting one image of several: by RepoTag, by @N, or IMAGE_AMBIGUOUS', async () => {
  const first = dockerArchiveEntries(image, { shape: 'classic' });
  const second = dockerArchiveEntries(other, { shape: 'classic', repoTags: ['app:2'] });
  const manifests = [...first, ...second].filter((e) => e.name === 'manifest.json').map((e) => JSON.parse(String(e.data)) as object[]);
  const entries = [...first, ...second].filter((e) => e.name !== 'manifest.json');
  const file = await rawArchive([...entries, { name: 'manifest.json', data: JSON.stringify(manifests.flat()) }]);
  await assert.rejects(DockerArchive.open(file), { code: 'IMAGE_AMBIGUOUS' });
  const byTag = await DockerArchive.open(file, 'docker.io/library/app:2');
  assert.equal((await manifestOf(byTag)).config.digest, other.config.desc.digest);
  const byIndex = await DockerArchive.open(file, '@0');
  assert.equal((await manifestOf(byIndex)).config.digest, image.config.desc.digest);
  await Promise.all([byTag.close(), byIndex.close()]);
  await assert.rejects(DockerArchive.open(file, '@2'), { code: 'MANIFEST_NOT_FOUND' });
  await assert.rejects(DockerArchive.open(file, '@x'), { code: 'REFERENCE_INVALID' });
  await assert.rejects(DockerArchive.open(file, `app@${image.manifest.digest}`), { code: 'REFERENCE_INVALID' });
  const ociShaped = await rawArchive([
    ...dockerArchiveEntries(image, { shape: 'oci-layout', repoTags: ['a:1'] }).filter((e) => e.name !== 'index.json'),
    { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [image, other].map((i) => ({ mediaType: i.manifest.mediaType, digest: i.manifest.digest, size: i.manifest.bytes.length })) }) },
  ]);
  await assert.rejects(DockerArchive.open(ociShaped), { code: 'IMAGE_AMBIGUOUS' });
});

test('corrupted content is caught when read: DIGEST_MISMATCH', async () => {
  const entries = dockerArchiveEntries(image, { shape: 'classic' }).map((e) => {
    if (e.name !== `${digestHex(image.layers[1]!.diffId)}.tar`) return e;
    const altered = Buffer.from(image.layers[1]!.uncompressed);
    altered[600] ^= 1;
    return { ...e, data: altered };
  });
  const source = await DockerArchive.open(await rawArchive(entries));
  await assert.rejects(drain(await source.openBlob((await manifestOf(source)).layers[1]!)), { code: 'DIGEST_MISMATCH' });
  await source.close();
  const oci = dockerArchiveEntries(image, { shape: 'oci-layout' }).map((e) =>
    e.name === `blobs/sha256/${digestHex(image.manifest.digest)}` ? { ...e, data: Buffer.from(String(e.data).replace('"schemaVersion":2', '"schemaVersion":3')) } : e,
  );
  await assert.rejects((await DockerArchive.open(await rawArchive(oci))).resolve(), { code: 'DIGEST_MISMATCH' });
});

test('broken archives fail with stable codes', async () => {
  const whole = await tarBytes(dockerArchiveEntries(image, { shape: 'classic' }));
  const cut = join(dir, 'cut.tar');
  await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));
  await assert.rejects(DockerArchive.open(cut), { code: 'ARCHIVE_TRUNCATED' });
  const garbage = join(dir, 'garbage.tar');
  await writeFile(garbage, Buffer.alloc(2048, 'garbage'));
  await assert.rejects(DockerArchive.open(garbage), { code: 'ARCHIVE_MALFORMED' });
  const evil = await archive({ shape: 'classic', extraEntries: [{ name: '../x', data: 'x' }] });
  await assert.rejects(DockerArchive.open(evil), { code: 'ARCHIVE_PATH_UNSAFE' });
  await assert.rejects(DockerArchive.open(join(dir, 'absent.tar')), { code: 'FILE_NOT_FOUND' });

  const base = dockerArchiveEntries(image, { shape: 'classic' }).filter((e) => e.name !== 'manifest.json');
  const item = { Config: `${digestHex(image.config.desc.digest)}.json`, RepoTags: ['a:1'], Layers: image.layers.map((l) => `${digestHex(l.diffId)}.tar`) };
  const cases: [unknown, string][] = [
    ['{"a":1,"a":2}', 'ARCHIVE_MALFORMED'],
    ['{}', 'ARCHIVE_MALFORMED'],
    [[], 'ARCHIVE_MALFORMED'],
    [[{ ...item, Config: 7 }], 'ARCHIVE_MALFORMED'],
    [[{ ...item, Layers: item.Layers.slice(1) }], 'ARCHIVE_MALFORMED'],
    [[{ ...item, Layers: [item.Layers[0], 'missing.tar'] }], 'ARCHIVE_MALFORMED'],
    [[{ ...item, Layers: [item.Layers[0], '../../etc/passwd'] }], 'ARCHIVE_PATH_UNSAFE'],
    [[{ ...item, Config: 'nope.json' }], 'ARCHIVE_MALFORMED'],
    [[{ ...item, Config: item.Layers[0] }], 'JSON_MALFORMED'],
  ];
  for (const [manifest, code] of cases) {
    const data = typeof manifest === 'string' ? manifest : JSON.stringify(manifest);
    await assert.rejects(DockerArchive.open(await rawArchive([...base, { name: 'manifest.json', data }])), { code }, data.slice(0, 60));
  }
  await assert.rejects(DockerArchive.open(await rawArchive(base)), { code: 'ARCHIVE_MALFORMED' });
});

test('openLocalSource dispatches on the transport prefix', async () => {
  const file = await archive({ shape: 'classic' });
  const source = await openLocalSource(`docker-archive:${file}:example.com/app:v1`);
  assert.equal(source.transport, 'docker-archive');
  assert.equal(source.describe(), `docker-archive:${file}:example.com/app:v1`);
  await source.close?.();
  await assert.rejects(openLocalSource('docker://nginx'), { code: 'SOURCE_UNSUPPORTED' });
  await assert.rejects(openLocalSource('docker-archive:'), { code: 'REFERENCE_INVALID' });
});
