import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attestImage } from '../../src/attest/attestations.js';
import { inspectImage, type ImageInspection } from '../../src/attest/inspect.js';
import { signImage } from '../../src/attest/signatures.js';
import { digestHex } from '../../src/core/digest.js';
import { generateKeyPair, type GeneratedKeyPair } from '../../src/crypto/index.js';
import { DSSE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from '../../src/oci/attachments/cosign-tags.js';
import { BUNDLE_CONTENT_ANNOTATION, BUNDLE_PREDICATE_TYPE_ANNOTATION, SIGSTORE_BUNDLE_MEDIA_TYPE } from '../../src/oci/attachments/referrers.js';
import { MediaType } from '../../src/oci/media-types.js';
import { openImage, openRepository } from '../../src/oci/open-image.js';
import type { ImageSource } from '../../src/oci/types.js';
import { buildImage, buildIndex, writeDockerArchive, writeOciLayout } from '../helpers/oci-image.js';
import { workspace } from '../cli/cli-helpers.js';

const ws = await workspace('inspect');
const image = await buildImage({ emptySteps: [{ before: 1, createdBy: 'ENV MODE=prod' }, { before: 0, createdBy: 'ARG BASE' }] });
const [alice, bob] = (await Promise.all([1, 2].map(() => generateKeyPair('pw', { level: 'legacy' })))) as [GeneratedKeyPair, GeneratedKeyPair];
const PROVENANCE = 'https://slsa.dev/provenance/v1';

async function inspect(spec: string): Promise<ImageInspection> {
  const source: ImageSource = await openImage(spec);
  try {
    return await inspectImage(source);
  } finally {
    await source.close?.();
  }
}

const expectedLayers = image.layers.map((l) => ({
  digest: l.desc.digest,
  diffID: l.diffId,
  size: l.compressed.length,
  mediaType: MediaType.ociLayerGzip,
  createdBy: l.createdBy,
}));

test('oci: and docker-archive: (Docker >= 25 shape) report the same digest, config and layers', async () => {
  await writeOciLayout(ws.path('layout'), image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
  await writeDockerArchive(ws.path('image.tar'), image, { shape: 'oci-layout', repoTags: ['example.com/app:v1'] });
  const fromLayout = await inspect(`oci:${ws.path('layout')}:v1`);
  const fromArchive = await inspect(`docker-archive:${ws.path('image.tar')}`);

  for (const report of [fromLayout, fromArchive]) {
    assert.equal(report.digest, image.manifest.digest);
    assert.equal(report.imageDigest, image.manifest.digest);
    assert.equal(report.mediaType, MediaType.ociManifest);
    assert.equal(report.platform, 'linux/amd64');
    assert.deepEqual(report.config, { digest: image.config.desc.digest, os: 'linux', architecture: 'amd64', created: '2024-01-01T00:00:00Z' });
    // History entries of empty steps (ARG, ENV) are not matched to layers.
    assert.deepEqual(report.layers, expectedLayers);
  }
  assert.equal(fromLayout.transport, 'oci');
  assert.equal(fromArchive.transport, 'docker-archive');
  assert.deepEqual(fromLayout.attachments, { signatures: null, attestations: null, referrers: [] });
  assert.equal(fromArchive.attachments, null);
});

test('a classic docker-archive has its own synthesised digest but the same diff IDs and history', async () => {
  await writeDockerArchive(ws.path('classic.tar'), image, { shape: 'classic' });
  const report = await inspect(`docker-archive:${ws.path('classic.tar')}`);
  assert.notEqual(report.digest, image.manifest.digest);
  assert.equal(report.mediaType, MediaType.dockerManifest);
  assert.deepEqual(
    report.layers.map((l) => [l.diffID, l.createdBy]),
    image.layers.map((l) => [l.diffId, l.createdBy]),
  );
});

test('signatures, .att attestations and referrers attached in a layout are listed', async () => {
  const dir = ws.path('signed');
  await writeOciLayout(dir, image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
  const repo = await openRepository(`oci:${dir}:v1`);
  for (const pair of [alice, bob]) await signImage({ repo, dockerReference: 'registry.example/app', digest: image.manifest.digest, signer: pair.signer });
  const attested = await attestImage({
    repo,
    subject: image.manifest,
    subjectName: 'registry.example/app',
    signer: alice.signer,
    predicateType: PROVENANCE,
    predicate: { buildType: 'https://ci.example/v1' },
    mode: 'both',
  });

  const report = await inspect(`oci:${dir}:v1`);
  assert.equal(report.digest, image.manifest.digest);
  assert.deepEqual(report.layers, expectedLayers);
  const hex = digestHex(image.manifest.digest);
  assert.equal(report.attachments?.signatures?.tag, `sha256-${hex}.sig`);
  assert.deepEqual(
    report.attachments?.signatures?.layers.map((l) => l.mediaType),
    [SIMPLE_SIGNING_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE],
  );
  assert.equal(new Set(report.attachments?.signatures?.layers.map((l) => l.digest)).size, 1, 'both keys signed the same payload');
  assert.equal(report.attachments?.attestations?.tag, attested.attTag);
  assert.deepEqual(report.attachments?.attestations?.layers.map((l) => [l.mediaType, l.predicateType]), [[DSSE_MEDIA_TYPE, PROVENANCE]]);
  assert.equal(report.attachments?.referrers.length, 1);
  const referrer = report.attachments!.referrers[0]!;
  assert.equal(referrer.digest, attested.referrer);
  assert.equal(referrer.artifactType, SIGSTORE_BUNDLE_MEDIA_TYPE);
  assert.equal(referrer.annotations[BUNDLE_CONTENT_ANNOTATION], 'dsse-envelope');
  assert.equal(referrer.annotations[BUNDLE_PREDICATE_TYPE_ANNOTATION], PROVENANCE);
  await repo.close?.();
});

test('an index reports its own digest and the chosen platform image', async () => {
  const arm = await buildImage({ platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [{ files: { a: 'arm' }, createdBy: 'RUN arm' }] });
  const index = buildIndex([
    { image, platform: { os: 'linux', architecture: 'amd64' } },
    { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
  ]);
  const dir = ws.path('multi');
  await writeOciLayout(dir, new Map([...image.blobs, ...arm.blobs]), [{ manifest: index, name: 'v1' }]);
  const source = await openImage(`oci:${dir}:v1`);
  const report = await inspectImage(source, { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.equal(report.digest, index.digest);
  assert.equal(report.mediaType, MediaType.ociIndex);
  assert.equal(report.imageDigest, arm.manifest.digest);
  assert.equal(report.platform, 'linux/arm64/v8');
  assert.deepEqual(report.layers.map((l) => [l.digest, l.createdBy]), [[arm.layers[0]!.desc.digest, 'RUN arm']]);
  await assert.rejects(inspectImage(source, { os: 'linux', architecture: 's390x' }), { code: 'PLATFORM_NOT_FOUND' });
});
