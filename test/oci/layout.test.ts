import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { digestHex, sha256Digest, type Digest } from '../../src/core/digest.js';
import { OciLayout } from '../../src/oci/layout.js';
import { parseRawManifest } from '../../src/oci/manifest.js';
import { MediaType } from '../../src/oci/media-types.js';
import { buildImage, buildIndex, writeOciLayout, type TestImage } from '../helpers/oci-image.js';

const root = await mkdtemp(join(tmpdir(), 'provenant-layout-'));
test.after(() => rm(root, { recursive: true, force: true }));
let counter = 0;
const image = await buildImage();
const other = await buildImage({ layers: [{ files: { 'x.txt': 'other' }, createdBy: 'RUN other' }] });

async function layoutWith(entries: { image: TestImage; name?: string }[]): Promise<string> {
  const dir = join(root, `l${counter++}`);
  const blobs = new Map(entries.flatMap((e) => [...e.image.blobs]));
  await writeOciLayout(dir, blobs, entries.map((e) => ({ manifest: e.image.manifest, ...(e.name ? { name: e.name } : {}) })));
  return dir;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const blobPath = (dir: string, digest: Digest) => join(dir, 'blobs', 'sha256', digestHex(digest));

test('an image is read from oci:DIR:NAME with verified manifest, config and layers', async () => {
  const dir = await layoutWith([{ image, name: 'v1' }, { image: other, name: 'v2' }]);
  const layout = await OciLayout.fromSpec(`oci:${dir}:v1`);
  assert.equal(layout.describe(), `oci:${dir}:v1`);
  const raw = await layout.resolve();
  assert.deepEqual(raw, image.manifest);
  const m = parseRawManifest(raw);
  assert.ok(m.kind === 'manifest');
  assert.deepEqual(await layout.readBlob(m.config), image.config.bytes);
  for (const [i, layer] of m.layers.entries()) assert.deepEqual(await drain(await layout.openBlob(layer)), image.layers[i]!.compressed);
  assert.deepEqual(await layout.fetchManifest(other.manifest.digest), other.manifest);
  assert.deepEqual(await layout.fetchTag('v2'), other.manifest);
  assert.equal(await layout.fetchTag('v3'), undefined);
});

test('selection: the only image without a name; IMAGE_AMBIGUOUS or MANIFEST_NOT_FOUND otherwise', async () => {
  const single = await layoutWith([{ image }]);
  assert.deepEqual(await (await OciLayout.open(single)).resolve(), image.manifest);
  const two = await layoutWith([{ image, name: 'a' }, { image: other, name: 'b' }]);
  await assert.rejects((await OciLayout.open(two)).resolve(), { code: 'IMAGE_AMBIGUOUS' });
  await assert.rejects((await OciLayout.open(two, 'c')).resolve(), { code: 'MANIFEST_NOT_FOUND' });
  const sameTwice = await layoutWith([{ image, name: 'a' }, { image, name: 'b' }]);
  assert.deepEqual(await (await OciLayout.open(sameTwice)).resolve(), image.manifest);
  await assert.rejects(OciLayout.fromSpec(`oci:${single}:bad name`), { code: 'REFERENCE_INVALID' });
  await assert.rejects(OciLayout.fromSpec('oci:'), { code: 'REFERENCE_INVALID' });
});

test('a manifest reachable only through an index is fetched by digest', async () => {
  const index = buildIndex([{ image, platform: { os: 'linux', architecture: 'amd64' } }]);
  const dir = join(root, `l${counter++}`);
  await writeOciLayout(dir, image.blobs, [{ manifest: index, name: 'multi' }]);
  const layout = await OciLayout.open(dir, 'multi');
  assert.equal(parseRawManifest(await layout.resolve()).kind, 'index');
  assert.deepEqual(await layout.fetchManifest(image.manifest.digest), image.manifest);
  await assert.rejects(layout.fetchManifest(sha256Digest('absent')), { code: 'MANIFEST_NOT_FOUND' });
});

test('the layout files themselves are checked', async () => {
  await assert.rejects(OciLayout.open(join(root, 'nope')), { code: 'FILE_NOT_FOUND' });
  const dir = await layoutWith([{ image, name: 'v1' }]);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
  await assert.rejects(OciLayout.open(dir), { code: 'LAYOUT_MALFORMED' });
  await rm(join(dir, 'oci-layout'));
  await assert.rejects(OciLayout.open(dir), { code: 'LAYOUT_MALFORMED' });
  const cases: [string, string][] = [
    ['{"schemaVersion":2,"manifests":[', 'LAYOUT_MALFORMED'],
    ['{"schemaVersion":2,"manifests":[],"manifests":[]}', 'LAYOUT_MALFORMED'],
    [image.manifest.bytes.toString(), 'LAYOUT_MALFORMED'],
    ['{"schemaVersion":2,"manifests":[{"mediaType":"x/y","digest":"sha256:../../etc","size":1}]}', 'LAYOUT_MALFORMED'],
  ];
  const good = await layoutWith([{ image, name: 'v1' }]);
  for (const [content, code] of cases) {
    await writeFile(join(good, 'index.json'), content);
    await assert.rejects((await OciLayout.open(good, 'v1')).resolve(), { code }, content.slice(0, 40));
  }
  await rm(join(good, 'index.json'));
  await assert.rejects((await OciLayout.open(good, 'v1')).resolve(), { code: 'LAYOUT_MALFORMED' });
});

test('blob corruption: DIGEST_MISMATCH, ARCHIVE_TRUNCATED, INPUT_TOO_LARGE, BLOB_NOT_FOUND', async () => {
  const dir = await layoutWith([{ image, name: 'v1' }]);
  const layout = await OciLayout.open(dir, 'v1');
  const [first, second] = image.layers;
  const flipped = Buffer.from(first!.compressed);
  flipped[flipped.length - 1] ^= 0xff;
  await writeFile(blobPath(dir, first!.desc.digest), flipped);
  await assert.rejects(drain(await layout.openBlob(first!.desc)), { code: 'DIGEST_MISMATCH' });
  await truncate(blobPath(dir, second!.desc.digest), second!.desc.size - 1);
  await assert.rejects(drain(await layout.openBlob(second!.desc)), { code: 'ARCHIVE_TRUNCATED' });
  await writeFile(blobPath(dir, image.config.desc.digest), Buffer.concat([image.config.bytes, Buffer.from(' ')]));
  await assert.rejects(layout.readBlob(image.config.desc), { code: 'INPUT_TOO_LARGE' });
  await assert.rejects(layout.openBlob({ ...first!.desc, digest: sha256Digest('absent') }), { code: 'BLOB_NOT_FOUND' });
  await assert.rejects(layout.openBlob({ ...first!.desc, digest: 'sha256:../../../etc/passwd' as Digest }), { code: 'DIGEST_MALFORMED' });
  await assert.rejects(layout.readBlob(image.config.desc, 10), { code: 'INPUT_TOO_LARGE' });
  await rm(blobPath(dir, first!.desc.digest));
  await mkdir(blobPath(dir, first!.desc.digest));
  await assert.rejects(layout.openBlob(first!.desc), { code: 'LAYOUT_MALFORMED' });
  const manifestBytes = Buffer.from(image.manifest.bytes.toString().replace('"schemaVersion":2', '"schemaVersion":2 '));
  await writeFile(blobPath(dir, image.manifest.digest), manifestBytes.subarray(0, image.manifest.bytes.length));
  await assert.rejects(layout.resolve(), { code: 'DIGEST_MISMATCH' });
  await rm(blobPath(dir, image.manifest.digest));
  await assert.rejects(layout.resolve(), { code: 'MANIFEST_NOT_FOUND' });
});

test('index.json entries are checked against the manifest they name', async () => {
  const dir = await layoutWith([{ image, name: 'v1' }]);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { mediaType: string }[] };
  index.manifests[0]!.mediaType = MediaType.dockerManifest;
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  await assert.rejects((await OciLayout.open(dir, 'v1')).resolve(), { code: 'MANIFEST_MALFORMED' });
  index.manifests[0]!.mediaType = MediaType.ociLayerGzip;
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  await assert.rejects((await OciLayout.open(dir, 'v1')).resolve(), { code: 'MEDIA_TYPE_UNSUPPORTED' });
});

test('metadata and blobs must be regular files: directories and devices are LAYOUT_MALFORMED, never read', async () => {
  const dir = await layoutWith([{ image, name: 'v1' }]);
  const layer = image.layers[0]!.desc;
  await rm(blobPath(dir, layer.digest));
  await symlink('/dev/zero', blobPath(dir, layer.digest));
  await assert.rejects((await OciLayout.open(dir)).openBlob(layer), { code: 'LAYOUT_MALFORMED' });
  await rm(join(dir, 'index.json'));
  await mkdir(join(dir, 'index.json'));
  await assert.rejects((await OciLayout.open(dir)).resolve(), { code: 'LAYOUT_MALFORMED' });
});
