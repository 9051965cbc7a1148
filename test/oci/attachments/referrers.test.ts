import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestHex, sha256Digest } from '../../../src/core/digest.js';
import { ProvenantError } from '../../../src/core/errors.js';
import { ociManifest } from '../../../src/oci/attachments/artifact-manifest.js';
import {
  attachBundleReferrer,
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  CREATED_ANNOTATION,
  readBundleReferrers,
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  type BundleReferrer,
} from '../../../src/oci/attachments/referrers.js';
import { MediaType } from '../../../src/oci/media-types.js';
import type { ArtifactRepository, Descriptor, RawManifest } from '../../../src/oci/types.js';
import { buildImage, buildIndex } from '../../helpers/oci-image.js';
import { layoutWith, withListedReferrers, workspace } from '../../cli/cli-helpers.js';

const ws = await workspace('referrers');
let counter = 0;
const image = await buildImage();
const other = await buildImage({ layers: [{ files: { o: 'other' }, createdBy: 'RUN other' }] });
const fresh = () => layoutWith(ws.path(`l${counter++}`), { a: image, b: other });
const created = new Date('2025-02-03T04:05:06.789Z');

const bundle = (text: string, predicateType?: string): BundleReferrer => ({
  bundleJson: Buffer.from(JSON.stringify({ test: text })),
  content: 'dsse-envelope',
  created,
  ...(predicateType === undefined ? {} : { predicateType }),
});

const asDescriptor = (raw: RawManifest, artifactType?: string): Descriptor => ({
  mediaType: raw.mediaType,
  digest: raw.digest,
  size: raw.bytes.length,
  ...(artifactType === undefined ? {} : { artifactType }),
});

test('attachBundleReferrer writes the cosign bundle-spec manifest with the image as subject', async () => {
  const layout = await fresh();
  const raw = await attachBundleReferrer(layout, image.manifest, bundle('one', 'https://slsa.dev/provenance/v1'));
  const doc = JSON.parse(raw.bytes.toString()) as Record<string, unknown>;
  assert.equal(doc.artifactType, SIGSTORE_BUNDLE_MEDIA_TYPE);
  assert.deepEqual(doc.config, { mediaType: MediaType.ociEmpty, digest: sha256Digest(Buffer.from('{}')), size: 2 });
  assert.deepEqual(doc.subject, { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.bytes.length });
  assert.deepEqual(doc.annotations, {
    [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
    [BUNDLE_PREDICATE_TYPE_ANNOTATION]: 'https://slsa.dev/provenance/v1',
    [CREATED_ANNOTATION]: '2025-02-03T04:05:06.789Z',
  });
  const bundleBytes = bundle('one').bundleJson;
  const layerDigest = sha256Digest(bundleBytes);
  assert.deepEqual(doc.layers, [
    {
      mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE,
      digest: layerDigest,
      size: bundleBytes.length,
      annotations: { 'org.opencontainers.image.title': `sha256-${digestHex(layerDigest)}.sigstore.json` },
    },
  ]);
  assert.deepEqual(await layout.fetchManifest(raw.digest), raw);
  const listed = await layout.listReferrers(image.manifest.digest);
  assert.deepEqual(listed.map((d) => [d.digest, d.artifactType]), [[raw.digest, SIGSTORE_BUNDLE_MEDIA_TYPE]]);
  assert.deepEqual(await layout.listReferrers(other.manifest.digest), []);
});

test('readBundleReferrers returns every bundle of the subject, and only of the subject', async () => {
  const layout = await fresh();
  const first = await attachBundleReferrer(layout, image.manifest, bundle('one'));
  const second = await attachBundleReferrer(layout, image.manifest, bundle('two'));
  await attachBundleReferrer(layout, other.manifest, bundle('other'));
  const { found, rejected } = await readBundleReferrers(layout, image.manifest.digest);
  assert.deepEqual(rejected, []);
  assert.deepEqual(
    found.map((f) => [f.referrer.digest, f.bytes.toString()]).sort(),
    [
      [first.digest, JSON.stringify({ test: 'one' })],
      [second.digest, JSON.stringify({ test: 'two' })],
    ].sort(),
  );
  assert.deepEqual((await readBundleReferrers(layout, other.manifest.digest)).found.map((f) => f.bytes.toString()), [JSON.stringify({ test: 'other' })]);
});

test('a listed referrer naming another subject is set aside, and the good one is still found', async () => {
  const layout = await fresh();
  const good = await attachBundleReferrer(layout, image.manifest, bundle('good'));
  const foreign = await attachBundleReferrer(layout, other.manifest, bundle('foreign'));
  const lying = withListedReferrers(layout, image.manifest.digest, [asDescriptor(foreign, SIGSTORE_BUNDLE_MEDIA_TYPE)]);
  const { found, rejected } = await readBundleReferrers(lying, image.manifest.digest);
  assert.deepEqual(found.map((f) => f.referrer.digest), [good.digest]);
  assert.deepEqual(rejected.map((r) => [r.referrer.digest, r.error.code]), [[foreign.digest, 'SIGNATURE_DIGEST_MISMATCH']]);
});

test('listed referrers that are missing, an index, or without a subject are rejected, not fatal', async () => {
  const layout = await fresh();
  const good = await attachBundleReferrer(layout, image.manifest, bundle('good'));
  const index = buildIndex([{ image }]);
  await layout.pushManifest(index);
  const config = await layout.pushBlob(Buffer.from('{}'), MediaType.ociEmpty);
  const layer = await layout.pushBlob(Buffer.from('{}'), SIGSTORE_BUNDLE_MEDIA_TYPE);
  const noSubject = ociManifest({ artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE, config, layers: [layer] });
  await layout.pushManifest(noSubject);
  const absent = { mediaType: MediaType.ociManifest, digest: sha256Digest(Buffer.from('absent')), size: 10 };
  const lying = withListedReferrers(layout, image.manifest.digest, [absent, asDescriptor(index), asDescriptor(noSubject)]);
  const { found, rejected } = await readBundleReferrers(lying, image.manifest.digest);
  assert.deepEqual(found.map((f) => f.referrer.digest), [good.digest]);
  assert.deepEqual(
    rejected.map((r) => [r.referrer.digest, r.error.code]),
    [
      [absent.digest, 'MANIFEST_NOT_FOUND'],
      [index.digest, 'MANIFEST_MALFORMED'],
      [noSubject.digest, 'SIGNATURE_DIGEST_MISMATCH'],
    ],
  );
});

test('other artifact types and non-bundle layers are skipped without a verdict', async () => {
  const layout = await fresh();
  const subject = { mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.bytes.length };
  const config = await layout.pushBlob(Buffer.from('{}'), MediaType.ociEmpty);
  const sbom = await layout.pushBlob(Buffer.from('{"spdxVersion":"SPDX-2.3"}'), 'application/spdx+json');
  const sbomReferrer = ociManifest({ artifactType: 'application/spdx+json', config, layers: [sbom], subject });
  await layout.pushManifest(sbomReferrer);
  const mislabelled = ociManifest({ artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE, config, layers: [sbom], subject });
  await layout.pushManifest(mislabelled);
  // Not even fetched: a listed SBOM referrer that does not exist would otherwise be a MANIFEST_NOT_FOUND rejection.
  const absentSbom = { mediaType: MediaType.ociManifest, digest: sha256Digest(Buffer.from('absent')), size: 10, artifactType: 'application/spdx+json' };
  const lying = withListedReferrers(layout, image.manifest.digest, [asDescriptor(sbomReferrer, 'application/spdx+json'), absentSbom]);
  assert.deepEqual(await readBundleReferrers(lying, image.manifest.digest), { found: [], rejected: [] });
});

test('a remote failure or a non-Provenant error is not swallowed as a rejected referrer', async () => {
  const layout = await fresh();
  const good = await attachBundleReferrer(layout, image.manifest, bundle('good'));
  const failing = (error: unknown): ArtifactRepository =>
    new Proxy(layout, {
      get(target, prop) {
        if (prop === 'fetchManifest') return async () => Promise.reject(error);
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  await assert.rejects(readBundleReferrers(failing(new ProvenantError('REGISTRY_UNREACHABLE', 'down')), image.manifest.digest), { code: 'REGISTRY_UNREACHABLE' });
  await assert.rejects(readBundleReferrers(failing(new ProvenantError('REGISTRY_TIMEOUT', 'slow')), image.manifest.digest), { code: 'REGISTRY_TIMEOUT' });
  await assert.rejects(readBundleReferrers(failing(new TypeError('bug')), image.manifest.digest), TypeError);
  assert.deepEqual((await readBundleReferrers(layout, image.manifest.digest)).found.map((f) => f.referrer.digest), [good.digest]);
});
