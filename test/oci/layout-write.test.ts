import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestHex, sha256Digest } from '../../src/core/digest.js';
import { createLayout, OciLayout } from '../../src/oci/layout.js';
import { MediaType } from '../../src/oci/media-types.js';
import type { RawManifest } from '../../src/oci/types.js';
import { buildImage, type TestImage } from '../helpers/oci-image.js';

const root = await mkdtemp(join(tmpdir(), 'provenant-layout-write-'));
test.after(() => rm(root, { recursive: true, force: true }));
let counter = 0;
const fresh = () => createLayout(join(root, `w${counter++}`, 'layout'));

async function push(layout: OciLayout, image: TestImage, tag?: string): Promise<void> {
  for (const [digest, bytes] of image.blobs) if (digest !== image.manifest.digest) await layout.pushBlob(bytes, 'application/octet-stream');
  await layout.pushManifest(image.manifest, tag);
}

async function indexEntries(layout: OciLayout): Promise<{ digest: string; annotations?: Record<string, string> }[]> {
  return (JSON.parse(await readFile(join(layout.dir, 'index.json'), 'utf8')) as { manifests: [] }).manifests;
}

test('createLayout makes an empty layout and reopens an existing one; refuses a foreign directory', async () => {
  const layout = await fresh();
  assert.deepEqual((await readdir(layout.dir)).sort(), ['blobs', 'index.json', 'oci-layout']);
  assert.equal((await layout.readIndex()).index.manifests.length, 0);
  await assert.rejects(layout.resolve(), { code: 'MANIFEST_NOT_FOUND' });
  assert.equal((await createLayout(layout.dir)).dir, layout.dir);
  const foreign = join(root, 'foreign');
  await mkdir(foreign);
  await writeFile(join(foreign, 'notes.txt'), 'mine');
  await assert.rejects(createLayout(foreign), { code: 'LAYOUT_MALFORMED' });
});

test('pushBlob stores content by digest, is idempotent and repairs a corrupt copy', async () => {
  const layout = await fresh();
  const data = Buffer.from('signature payload');
  const desc = await layout.pushBlob(data, 'application/vnd.dev.cosign.simplesigning.v1+json');
  assert.deepEqual(desc, { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: sha256Digest(data), size: data.length });
  const path = join(layout.dir, 'blobs', 'sha256', digestHex(desc.digest));
  await writeFile(path, 'garbage');
  await layout.pushBlob(data, desc.mediaType);
  assert.deepEqual(await readFile(path), data);
  assert.deepEqual(await layout.readBlob(desc), data);
  assert.deepEqual((await readdir(join(layout.dir, 'blobs', 'sha256'))).length, 1);
});

test('pushManifest with a tag moves the tag; without one adds the digest once', async () => {
  const layout = await fresh();
  const a = await buildImage();
  const b = await buildImage({ layers: [{ files: { f: 'b' }, createdBy: 'b' }] });
  await push(layout, a, 'latest');
  await push(layout, b, 'latest');
  assert.deepEqual(await layout.fetchTag('latest'), b.manifest);
  await push(layout, a);
  await push(layout, a);
  const entries = await indexEntries(layout);
  assert.deepEqual(entries.map((e) => [e.digest, e.annotations?.['org.opencontainers.image.ref.name']]), [
    [b.manifest.digest, 'latest'],
    [a.manifest.digest, undefined],
  ]);
  assert.deepEqual(await (await OciLayout.open(layout.dir, 'latest')).resolve(), b.manifest);
  assert.ok((await readdir(layout.dir)).every((n) => !n.endsWith('.tmp')));
});

test('pushManifest refuses bytes that do not match the digest or do not parse, leaving index.json alone', async () => {
  const layout = await fresh();
  const image = await buildImage();
  const before = await readFile(join(layout.dir, 'index.json'));
  await assert.rejects(layout.pushManifest({ ...image.manifest, digest: sha256Digest('other') }, 'x'), { code: 'DIGEST_MISMATCH' });
  const junk = Buffer.from('{"schemaVersion":1}');
  await assert.rejects(layout.pushManifest({ mediaType: MediaType.ociManifest, digest: sha256Digest(junk), bytes: junk }), { code: 'MEDIA_TYPE_UNSUPPORTED' });
  await assert.rejects(layout.pushManifest(image.manifest, 'bad tag'), { code: 'REFERENCE_INVALID' });
  assert.deepEqual(await readFile(join(layout.dir, 'index.json')), before);
});

test('concurrent pushes to one layout all land in index.json', async () => {
  const layout = await fresh();
  const image = await buildImage();
  const second = await OciLayout.open(layout.dir);
  await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? layout : second).pushManifest(image.manifest, `t${i}`)));
  const names = (await indexEntries(layout)).map((e) => e.annotations?.['org.opencontainers.image.ref.name']).sort();
  assert.deepEqual(names, Array.from({ length: 12 }, (_, i) => `t${i}`).sort());
});

test('rewriting index.json keeps properties Provenant does not model', async () => {
  const layout = await fresh();
  const doc = { schemaVersion: 2, manifests: [], annotations: { 'org.example.keep': 'yes' } };
  await writeFile(join(layout.dir, 'index.json'), JSON.stringify(doc));
  await push(layout, await buildImage(), 'v1');
  const after = JSON.parse(await readFile(join(layout.dir, 'index.json'), 'utf8')) as typeof doc;
  assert.deepEqual(after.annotations, doc.annotations);
});

test('listReferrers finds manifests whose subject is the image, filtered by artifact type', async () => {
  const layout = await fresh();
  const image = await buildImage();
  await push(layout, image, 'app');
  const subject = { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.bytes.length };
  const sig = await buildImage({ layers: [], subject, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', annotations: { k: 'v' } });
  const sbom = await buildImage({ layers: [], subject });
  const unrelated = await buildImage({ layers: [], subject: { ...subject, digest: sha256Digest('elsewhere') } });
  for (const m of [sig, sbom, unrelated]) await push(layout, m);
  const all = await layout.listReferrers(image.manifest.digest);
  assert.deepEqual(
    all.map((d) => [d.digest, d.artifactType, d.size]).sort(),
    [
      [sig.manifest.digest, 'application/vnd.dev.sigstore.bundle.v0.3+json', sig.manifest.bytes.length],
      [sbom.manifest.digest, MediaType.ociConfig, sbom.manifest.bytes.length],
    ].sort(),
  );
  assert.deepEqual(all.find((d) => d.digest === sig.manifest.digest)?.annotations, { k: 'v' });
  const bundles = await layout.listReferrers(image.manifest.digest, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.deepEqual(bundles.map((d) => d.digest), [sig.manifest.digest]);
  assert.deepEqual(await layout.listReferrers(sha256Digest('nothing')), []);
  assert.equal(await layout.supportsReferrersApi(), true);
  await assert.rejects(layout.listReferrers('sha256:zz' as typeof subject.digest), { code: 'DIGEST_MALFORMED' });
});

test('listReferrers verifies what it reads', async () => {
  const layout = await fresh();
  const image = await buildImage();
  const subject = { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.bytes.length };
  const sig: RawManifest = (await buildImage({ layers: [], subject })).manifest;
  await layout.pushManifest(sig);
  const tampered = Buffer.from(sig.bytes);
  tampered[tampered.length - 2] = 0x20;
  await writeFile(join(layout.dir, 'blobs', 'sha256', digestHex(sig.digest)), tampered);
  await assert.rejects(layout.listReferrers(image.manifest.digest), { code: 'DIGEST_MISMATCH' });
});
