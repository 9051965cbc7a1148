import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex, sha256Digest } from '../../../src/core/digest.js';
import {
  attachmentManifest,
  blobDescriptor,
  MAX_ATTACHMENT_LAYERS,
  ociManifest,
  readLayers,
} from '../../../src/oci/attachments/artifact-manifest.js';
import {
  appendCosignLayer,
  COSIGN_SIGNATURE_ANNOTATION,
  cosignTag,
  readCosignLayers,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from '../../../src/oci/attachments/cosign-tags.js';
import { parseManifest } from '../../../src/oci/manifest.js';
import { MediaType } from '../../../src/oci/media-types.js';
import type { Descriptor } from '../../../src/oci/types.js';
import { buildImage, buildIndex } from '../../helpers/oci-image.js';
import { layoutWith, workspace } from '../../cli/cli-helpers.js';

const ws = await workspace('cosign-tags');
let counter = 0;
const image = await buildImage();
const fresh = () => layoutWith(ws.path(`l${counter++}`), { v1: image });

const blob = (text: string, signature = 'c2ln') => ({
  mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
  bytes: Buffer.from(text),
  annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signature },
});

test('cosignTag is sha256-<hex>.<kind> of the subject digest', () => {
  const hex = digestHex(image.manifest.digest);
  assert.equal(cosignTag(image.manifest.digest, 'sig'), `sha256-${hex}.sig`);
  assert.equal(cosignTag(image.manifest.digest, 'att'), `sha256-${hex}.att`);
  assert.equal(cosignTag(image.manifest.digest, 'sbom'), `sha256-${hex}.sbom`);
});

test('no tag means no layers, not an error', async () => {
  const layout = await fresh();
  assert.deepEqual(await readCosignLayers(layout, image.manifest.digest, 'sig'), []);
});

test('appendCosignLayer writes a cosign signature image and keeps earlier layers', async () => {
  const layout = await fresh();
  const first = await appendCosignLayer(layout, image.manifest.digest, 'sig', blob('payload one'));
  assert.equal(first.added, true);
  const second = await appendCosignLayer(layout, image.manifest.digest, 'sig', blob('payload two'));
  assert.equal(second.added, true);

  const tagged = await layout.fetchTag(cosignTag(image.manifest.digest, 'sig'));
  assert.deepEqual(tagged, second.manifest);
  const manifest = attachmentManifest(second.manifest);
  assert.equal(manifest.mediaType, MediaType.ociManifest);
  assert.equal(manifest.subject, undefined);
  assert.deepEqual(
    manifest.layers.map((l) => [l.digest, l.mediaType, l.annotations]),
    ['payload one', 'payload two'].map((p) => [sha256Digest(Buffer.from(p)), SIMPLE_SIGNING_MEDIA_TYPE, { [COSIGN_SIGNATURE_ANNOTATION]: 'c2ln' }]),
  );
  // go-containerregistry's signature image: uncompressed layers, so the diff IDs are the layer digests.
  const config = JSON.parse((await layout.readBlob(manifest.config)).toString()) as { rootfs: { diff_ids: string[] }; history: unknown[] };
  assert.equal(manifest.config.mediaType, MediaType.ociConfig);
  assert.deepEqual(config.rootfs.diff_ids, manifest.layers.map((l) => l.digest));
  assert.equal(config.history.length, 2);

  const layers = await readCosignLayers(layout, image.manifest.digest, 'sig');
  assert.deepEqual(layers.map((l) => l.bytes.toString()), ['payload one', 'payload two']);
  // The image itself is untouched and still resolves by its tag.
  assert.equal((await layout.fetchTag('v1'))?.digest, image.manifest.digest);
});

test('the same payload with the same annotations is not added twice; other annotations are a new layer', async () => {
  const layout = await fresh();
  await appendCosignLayer(layout, image.manifest.digest, 'sig', blob('same'));
  const again = await appendCosignLayer(layout, image.manifest.digest, 'sig', blob('same'));
  assert.equal(again.added, false);
  assert.equal(attachmentManifest(again.manifest).layers.length, 1);
  const otherSignature = await appendCosignLayer(layout, image.manifest.digest, 'sig', blob('same', 'b3RoZXI='));
  assert.equal(otherSignature.added, true);
  assert.equal(attachmentManifest(otherSignature.manifest).layers.length, 2);
  const otherType = await appendCosignLayer(layout, image.manifest.digest, 'sig', { ...blob('same'), mediaType: 'text/plain' });
  assert.equal(otherType.added, true);
  assert.equal((await readCosignLayers(layout, image.manifest.digest, 'sig')).length, 3);
});

test('.sig and .att tags of one image, and the tags of two images, are separate', async () => {
  const other = await buildImage({ layers: [{ files: { b: 'b' }, createdBy: 'RUN b' }] });
  const layout = await layoutWith(ws.path(`l${counter++}`), { a: image, b: other });
  await appendCosignLayer(layout, image.manifest.digest, 'sig', blob('a-sig'));
  await appendCosignLayer(layout, image.manifest.digest, 'att', { mediaType: 'application/vnd.dsse.envelope.v1+json', bytes: Buffer.from('a-att') });
  await appendCosignLayer(layout, other.manifest.digest, 'sig', blob('b-sig'));
  const text = async (d: typeof image, kind: 'sig' | 'att') => (await readCosignLayers(layout, d.manifest.digest, kind)).map((l) => l.bytes.toString());
  assert.deepEqual(await text(image, 'sig'), ['a-sig']);
  assert.deepEqual(await text(image, 'att'), ['a-att']);
  assert.deepEqual(await text(other, 'sig'), ['b-sig']);
  assert.deepEqual(await text(other, 'att'), []);
});

test('a layer whose stored bytes no longer match its digest is refused on read', async () => {
  const layout = await fresh();
  const { manifest } = await appendCosignLayer(layout, image.manifest.digest, 'sig', blob('original payload'));
  const layer = attachmentManifest(manifest).layers[0]!;
  await writeFile(join(layout.dir, 'blobs', 'sha256', digestHex(layer.digest)), 'original paylOad');
  await assert.rejects(readCosignLayers(layout, image.manifest.digest, 'sig'), { code: 'DIGEST_MISMATCH' });
});

test('attachment manifests must be single manifests with a bounded number of layers', async () => {
  assert.throws(() => attachmentManifest(buildIndex([{ image }])), { code: 'MANIFEST_MALFORMED' });
  const config: Descriptor = blobDescriptor({ mediaType: MediaType.ociConfig, bytes: Buffer.from('{}') });
  const layer = (i: number): Descriptor => blobDescriptor({ mediaType: 'text/plain', bytes: Buffer.from(String(i)) });
  const atLimit = ociManifest({ config, layers: Array.from({ length: MAX_ATTACHMENT_LAYERS }, (_, i) => layer(i)) });
  assert.equal(attachmentManifest(atLimit).layers.length, MAX_ATTACHMENT_LAYERS);
  const over = ociManifest({ config, layers: Array.from({ length: MAX_ATTACHMENT_LAYERS + 1 }, (_, i) => layer(i)) });
  assert.throws(() => attachmentManifest(over), { code: 'INPUT_TOO_LARGE' });
});

test('ociManifest writes image-spec member order and a digest over its exact bytes; readLayers checks each blob', async () => {
  const layout = await fresh();
  const payload = await layout.pushBlob(Buffer.from('layer body'), 'text/plain');
  const config = await layout.pushBlob(Buffer.from('{}'), MediaType.ociEmpty);
  const subject = { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.bytes.length };
  const raw = ociManifest({ artifactType: 'application/x-test', config, layers: [payload], subject, annotations: { a: 'b' } });
  assert.equal(raw.digest, sha256Digest(raw.bytes));
  assert.deepEqual(Object.keys(JSON.parse(raw.bytes.toString()) as object), ['schemaVersion', 'mediaType', 'artifactType', 'config', 'layers', 'subject', 'annotations']);
  const manifest = parseManifest(raw.bytes, raw.mediaType);
  assert.equal(manifest.kind, 'manifest');
  assert.deepEqual((await readLayers(layout, attachmentManifest(raw))).map((l) => l.bytes.toString()), ['layer body']);
  const missing = ociManifest({ config, layers: [blobDescriptor({ mediaType: 'text/plain', bytes: Buffer.from('never stored') })] });
  await assert.rejects(readLayers(layout, attachmentManifest(missing)), { code: 'BLOB_NOT_FOUND' });
});
