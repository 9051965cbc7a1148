import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestHex, sha256Digest, type Digest } from '../../src/core/digest.js';
import { ProvenantError } from '../../src/core/errors.js';
import { imageOfPush, roleOfManifest, subjectOfTag, tagSettles } from '../../src/ingest/image-of-push.js';
import { blobDescriptor, ociManifest } from '../../src/oci/attachments/artifact-manifest.js';
import { DSSE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from '../../src/oci/attachments/cosign-tags.js';
import { SIGSTORE_BUNDLE_MEDIA_TYPE } from '../../src/oci/attachments/referrers.js';
import { MediaType } from '../../src/oci/media-types.js';
import type { RawManifest } from '../../src/oci/types.js';
import { buildImage, buildIndex } from '../helpers/oci-image.js';

const image = await buildImage();
const other = await buildImage({ layers: [{ files: { b: 'other' }, createdBy: 'RUN b' }] });
const IMAGE = image.manifest.digest;
const HEX = digestHex(IMAGE);
const emptyConfig = { mediaType: MediaType.ociEmpty, digest: sha256Digest('{}'), size: 2 };

function attachment(layerType: string, subject?: RawManifest): RawManifest {
  const layer = blobDescriptor({ mediaType: layerType, bytes: Buffer.from('{"payload":1}') });
  return ociManifest({
    config: emptyConfig,
    layers: [layer],
    ...(subject === undefined ? {} : { subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length } }),
  });
}

/** A fetch that records what it was asked for. */
function fetcher(manifests: RawManifest[]) {
  const asked: Digest[] = [];
  const fetch = async (digest: Digest): Promise<RawManifest> => {
    asked.push(digest);
    const found = manifests.find((m) => m.digest === digest);
    if (found === undefined) throw new ProvenantError('MANIFEST_NOT_FOUND', `no ${digest}`);
    return found;
  };
  return { asked, fetch };
}

test('cosign attachment tags name their image', () => {
  assert.deepEqual(subjectOfTag(`sha256-${HEX}.sig`), { via: 'cosign-tag', kind: 'sig', subject: IMAGE });
  assert.deepEqual(subjectOfTag(`sha256-${HEX}.att`), { via: 'cosign-tag', kind: 'att', subject: IMAGE });
  assert.deepEqual(subjectOfTag(`sha256-${HEX}.sbom`), { via: 'cosign-tag', kind: 'sbom', subject: IMAGE });
});

test('the referrers fallback tag names its subject', () => {
  assert.deepEqual(subjectOfTag(`sha256-${HEX}`), { via: 'referrers-tag', subject: IMAGE });
});

test('other tags name no attachment subject', () => {
  for (const tag of [undefined, 'latest', 'v1.2.3', `sha256-${HEX}.other`, `sha256-${HEX.toUpperCase()}.sig`, `sha256-${HEX.slice(1)}.sig`, `x-sha256-${HEX}`, `sha256-${HEX}.sig.bak`]) {
    assert.equal(subjectOfTag(tag), undefined, String(tag));
  }
});

test('an image manifest and an index are images in their own right', () => {
  const role = roleOfManifest(image.manifest);
  assert.equal(role.role, 'image');
  assert.equal(role.role === 'image' && role.manifest.kind, 'manifest');
  const index = buildIndex([{ image, platform: { os: 'linux', architecture: 'amd64' } }]);
  const indexRole = roleOfManifest(index);
  assert.equal(indexRole.role === 'image' && indexRole.manifest.kind, 'index');
});

test('a manifest with a subject refers to that subject', async () => {
  const referrer = attachment(SIGSTORE_BUNDLE_MEDIA_TYPE, image.manifest);
  assert.deepEqual(roleOfManifest(referrer), { role: 'referrer', subject: IMAGE });
  // An image that names a subject (an image built on another, OCI 1.1) is treated the same way.
  const derived = await buildImage({ subject: { mediaType: other.manifest.mediaType, digest: other.manifest.digest, size: other.manifest.bytes.length } });
  assert.deepEqual(roleOfManifest(derived.manifest), { role: 'referrer', subject: other.manifest.digest });
});

test('attachment layers with no subject and no telling tag are detached', () => {
  for (const type of [SIMPLE_SIGNING_MEDIA_TYPE, DSSE_MEDIA_TYPE, SIGSTORE_BUNDLE_MEDIA_TYPE]) {
    assert.deepEqual(roleOfManifest(attachment(type)), { role: 'detached-attachment' }, type);
  }
  // One ordinary layer makes it an image.
  const mixed = ociManifest({
    config: emptyConfig,
    layers: [blobDescriptor({ mediaType: SIMPLE_SIGNING_MEDIA_TYPE, bytes: Buffer.from('a') }), image.layers[0]!.desc],
  });
  assert.equal(roleOfManifest(mixed).role, 'image');
});

test('a push under an attachment tag names the image without reading anything', async () => {
  const { asked, fetch } = fetcher([]);
  const sig = attachment(SIMPLE_SIGNING_MEDIA_TYPE);
  assert.deepEqual(await imageOfPush({ digest: sig.digest, tag: `sha256-${HEX}.sig` }, fetch), { image: IMAGE });
  assert.deepEqual(await imageOfPush({ digest: sig.digest, tag: `sha256-${HEX}` }, fetch), { image: IMAGE });
  assert.deepEqual(asked, []);
});

test('a pushed image is its own image, with its tag and manifest', async () => {
  const { asked, fetch } = fetcher([image.manifest]);
  assert.deepEqual(await imageOfPush({ digest: IMAGE, tag: 'v1' }, fetch), { image: IMAGE, tag: 'v1', raw: image.manifest });
  assert.deepEqual(await imageOfPush({ digest: IMAGE }, fetch), { image: IMAGE, raw: image.manifest });
  assert.deepEqual(asked, [IMAGE, IMAGE]);
});

test('a pushed referrer leads to its subject; a detached attachment to nothing', async () => {
  const referrer = attachment(DSSE_MEDIA_TYPE, image.manifest);
  const detached = attachment(DSSE_MEDIA_TYPE);
  const { fetch } = fetcher([referrer, detached]);
  assert.deepEqual(await imageOfPush({ digest: referrer.digest }, fetch), { image: IMAGE });
  assert.equal(await imageOfPush({ digest: detached.digest }, fetch), undefined);
});

test('a manifest that is not there yet or not readable fails with its code', async () => {
  const { fetch } = fetcher([]);
  await assert.rejects(imageOfPush({ digest: IMAGE }, fetch), (e: unknown) => e instanceof ProvenantError && e.code === 'MANIFEST_NOT_FOUND');
  const bogus: RawManifest = { mediaType: MediaType.ociManifest, digest: sha256Digest('{"schemaVersion":1}'), bytes: Buffer.from('{"schemaVersion":1}') };
  await assert.rejects(imageOfPush({ digest: bogus.digest }, fetcher([bogus]).fetch), (e: unknown) => e instanceof ProvenantError && e.code === 'MEDIA_TYPE_UNSUPPORTED');
});

test('an attachment tag is waited for until it names the pushed manifest, a bounded number of times', async () => {
  const pushed = attachment(DSSE_MEDIA_TYPE).digest;
  const before = attachment(SIMPLE_SIGNING_MEDIA_TYPE).digest;
  // The registry announces the push, then links the tag: first the old manifest, then none, then the new one.
  const answers = [{ digest: before }, undefined, { digest: pushed }];
  let asked = 0;
  const head = async () => answers[Math.min(asked++, answers.length - 1)];
  assert.equal(await tagSettles(head, `sha256-${HEX}.att`, pushed, [0, 0, 0, 0]), true);
  assert.equal(asked, 3);
  // A tag moved on by a later push never settles on this one: the wait ends after the last pause.
  let moved = 0;
  assert.equal(await tagSettles(async () => (moved++, { digest: before }), `sha256-${HEX}.att`, pushed, [0, 0]), false);
  assert.equal(moved, 3);
});
