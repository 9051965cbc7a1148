import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest.js';
import { artifactTypeOf, MAX_MANIFEST_BYTES, parseManifest, toRawManifest } from '../../src/oci/manifest.js';
import { contentTypeMediaType, layerCompression, MANIFEST_MEDIA_TYPES, MediaType } from '../../src/oci/media-types.js';
import { buildImage } from '../helpers/oci-image.js';

const HEX = 'a'.repeat(64);
const DESC = { mediaType: MediaType.ociLayerGzip, digest: `sha256:${HEX}`, size: 10 };
const CONFIG = { mediaType: MediaType.ociConfig, digest: `sha256:${'b'.repeat(64)}`, size: 2 };
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const manifest = (extra: Record<string, unknown> = {}) =>
  json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config: CONFIG, layers: [DESC], ...extra });

test('an OCI image manifest from the fixture builder parses with its descriptors', async () => {
  const image = await buildImage();
  const m = parseManifest(image.manifest.bytes, image.manifest.mediaType);
  assert.equal(m.kind, 'manifest');
  assert.equal(m.format, 'oci-manifest');
  if (m.kind !== 'manifest') return;
  assert.deepEqual(m.config, image.config.desc);
  assert.deepEqual(m.layers, image.layers.map((l) => l.desc));
  assert.equal(toRawManifest(image.manifest.bytes).raw.digest, image.manifest.digest);
});

test('mediaType: the property, the declared type and inference must agree', () => {
  const bare = json({ schemaVersion: 2, config: CONFIG, layers: [DESC] });
  assert.equal(parseManifest(bare).mediaType, MediaType.ociManifest);
  assert.equal(parseManifest(bare, MediaType.ociManifest).format, 'oci-manifest');
  assert.equal(parseManifest(json({ schemaVersion: 2, manifests: [] })).format, 'oci-index');
  assert.equal(parseManifest(manifest(), `${MediaType.ociManifest}; charset=utf-8`).format, 'oci-manifest');
  assert.equal(parseManifest(manifest(), 'application/json').format, 'oci-manifest');
  assert.throws(() => parseManifest(manifest(), MediaType.ociIndex), { code: 'MANIFEST_MALFORMED' });
  assert.throws(() => parseManifest(manifest(), MediaType.dockerManifest), { code: 'MANIFEST_MALFORMED' });
  // Docker schema 2 documents always carry mediaType; a bare document declared as one is refused.
  assert.throws(() => parseManifest(bare, MediaType.dockerManifest), { code: 'MANIFEST_MALFORMED' });
  assert.throws(() => parseManifest(manifest(), 'text/html'), { code: 'MEDIA_TYPE_UNSUPPORTED' });
  assert.throws(() => parseManifest(manifest({ mediaType: 'application/vnd.example+json' })), { code: 'MEDIA_TYPE_UNSUPPORTED' });
});

test('Docker schema 1 is refused however it shows up', () => {
  const v1 = json({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] });
  assert.throws(() => parseManifest(v1), { code: 'MEDIA_TYPE_UNSUPPORTED' });
  assert.throws(() => parseManifest(manifest(), MediaType.dockerSchema1Signed), { code: 'MEDIA_TYPE_UNSUPPORTED' });
  assert.throws(() => parseManifest(manifest({ mediaType: MediaType.dockerSchema1 })), { code: 'MEDIA_TYPE_UNSUPPORTED' });
  const index = json({ schemaVersion: 2, manifests: [{ ...DESC, mediaType: MediaType.dockerSchema1Signed }] });
  assert.throws(() => parseManifest(index), { code: 'MEDIA_TYPE_UNSUPPORTED' });
});

test('a document with the properties of both kinds is refused (CVE-2021-41190)', () => {
  assert.throws(() => parseManifest(manifest({ manifests: [] })), { code: 'MANIFEST_MALFORMED' });
  const index = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
  assert.throws(() => parseManifest(json({ ...index, layers: [] })), { code: 'MANIFEST_MALFORMED' });
  assert.throws(() => parseManifest(json({ ...index, config: CONFIG })), { code: 'MANIFEST_MALFORMED' });
  assert.throws(() => parseManifest(json({ schemaVersion: 2, manifests: [], layers: [] })), { code: 'MANIFEST_MALFORMED' });
  assert.throws(() => parseManifest(json({ schemaVersion: 2 })), { code: 'MANIFEST_MALFORMED' });
});

test('structure: schemaVersion 2, required properties, JSON strictness', () => {
  for (const v of [3, '2', undefined, 2.5]) {
    assert.throws(() => parseManifest(manifest({ schemaVersion: v })), { code: 'MANIFEST_MALFORMED' }, String(v));
  }
  assert.throws(() => parseManifest(json({ schemaVersion: 2, mediaType: MediaType.ociManifest, layers: [] })), { code: 'MANIFEST_MALFORMED' });
  assert.throws(() => parseManifest(manifest({ layers: {} })), { code: 'MANIFEST_MALFORMED' });
  const dup = Buffer.from(`{"schemaVersion":2,"config":${JSON.stringify(CONFIG)},"layers":[],"layers":[${JSON.stringify(DESC)}]}`);
  assert.throws(() => parseManifest(dup), { code: 'JSON_DUPLICATE_KEY' });
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":2,')), { code: 'JSON_MALFORMED' });
  assert.throws(() => parseManifest(Buffer.from('[]')), { code: 'JSON_MALFORMED' });
  assert.throws(() => parseManifest(Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20)), { code: 'INPUT_TOO_LARGE' });
  assert.throws(() => parseManifest(manifest({ layers: Array(10_001).fill(DESC) })), { code: 'INPUT_TOO_LARGE' });
});

test('descriptors: digest, size, mediaType, annotations, urls, platform are checked', () => {
  const bad: [Record<string, unknown>, string][] = [
    [{ digest: 'sha256:abc' }, 'MANIFEST_MALFORMED'],
    [{ digest: `sha256:${HEX.toUpperCase()}` }, 'MANIFEST_MALFORMED'],
    [{ digest: `sha256:../../${HEX}` }, 'MANIFEST_MALFORMED'],
    [{ digest: `sha512:${'f'.repeat(128)}` }, 'UNSUPPORTED'],
    [{ size: -1 }, 'MANIFEST_MALFORMED'],
    [{ size: 1.5 }, 'MANIFEST_MALFORMED'],
    [{ size: '10' }, 'MANIFEST_MALFORMED'],
    [{ size: 2 ** 53 }, 'MANIFEST_MALFORMED'],
    [{ size: undefined }, 'MANIFEST_MALFORMED'],
    [{ mediaType: 'not a media type' }, 'MANIFEST_MALFORMED'],
    [{ mediaType: 7 }, 'MANIFEST_MALFORMED'],
    [{ annotations: { a: 1 } }, 'MANIFEST_MALFORMED'],
    [{ annotations: [] }, 'MANIFEST_MALFORMED'],
    [{ urls: ['not a url'] }, 'MANIFEST_MALFORMED'],
    [{ platform: { os: 'linux' } }, 'MANIFEST_MALFORMED'],
    [{ artifactType: 'x' }, 'MANIFEST_MALFORMED'],
  ];
  for (const [change, code] of bad) {
    assert.throws(() => parseManifest(manifest({ layers: [{ ...DESC, ...change }] })), { code }, JSON.stringify(change));
  }
});

test('embedded data must be the described bytes', () => {
  const data = Buffer.from('{}');
  const desc = { mediaType: MediaType.ociEmpty, digest: sha256Digest(data), size: 2, data: data.toString('base64') };
  assert.doesNotThrow(() => parseManifest(manifest({ config: desc })));
  assert.throws(() => parseManifest(manifest({ config: { ...desc, data: Buffer.from('[]').toString('base64') } })), { code: 'DIGEST_MISMATCH' });
  assert.throws(() => parseManifest(manifest({ config: { ...desc, data: '!!' } })), { code: 'MANIFEST_MALFORMED' });
  assert.throws(() => parseManifest(manifest({ config: { ...desc, size: 3 } })), { code: 'MANIFEST_MALFORMED' });
});

test('unknown properties are ignored; known ones copied, including a __proto__ annotation key', () => {
  const text = JSON.stringify({ ...DESC, extra: { x: 1 }, annotations: { a: 'b' } }).replace('"a":"b"', '"a":"b","__proto__":"p"');
  const m = parseManifest(Buffer.from(`{"schemaVersion":2,"config":${JSON.stringify(CONFIG)},"layers":[${text}],"future":true}`));
  assert.equal(m.kind, 'manifest');
  if (m.kind !== 'manifest') return;
  assert.deepEqual(Object.keys(m.layers[0]!), ['mediaType', 'digest', 'size', 'annotations']);
  assert.equal(Object.getOwnPropertyDescriptor(m.layers[0]!.annotations, '__proto__')?.value, 'p');
  assert.equal(Object.getPrototypeOf(m.layers[0]!.annotations), Object.prototype);
});

test('indexes: manifest entries are bounded; Docker lists require a platform per entry', () => {
  const entry = { mediaType: MediaType.ociManifest, digest: `sha256:${HEX}`, size: 100 };
  const index = (manifests: unknown[], mediaType: string = MediaType.ociIndex) => json({ schemaVersion: 2, mediaType, manifests });
  assert.equal(parseManifest(index([entry])).kind, 'index');
  assert.throws(() => parseManifest(index([{ ...entry, size: MAX_MANIFEST_BYTES + 1 }])), { code: 'INPUT_TOO_LARGE' });
  assert.doesNotThrow(() => parseManifest(index([{ ...DESC, size: MAX_MANIFEST_BYTES + 1 }])));
  const dockerEntry = { ...entry, mediaType: MediaType.dockerManifest };
  assert.throws(() => parseManifest(index([dockerEntry], MediaType.dockerManifestList)), { code: 'MANIFEST_MALFORMED' });
  const withPlatform = { ...dockerEntry, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } };
  const list = parseManifest(index([withPlatform], MediaType.dockerManifestList));
  assert.equal(list.kind === 'index' && list.manifests[0]!.platform?.variant, 'v8');
});

test('subject and artifactType (OCI 1.1); the referrers artifact type falls back to the config media type', () => {
  const subject = { mediaType: MediaType.ociManifest, digest: `sha256:${HEX}`, size: 5 };
  const m = parseManifest(manifest({ subject, artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }));
  assert.deepEqual(m.subject, subject);
  assert.equal(artifactTypeOf(m), 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.equal(artifactTypeOf(parseManifest(manifest())), MediaType.ociConfig);
  assert.throws(() => parseManifest(manifest({ subject: { ...subject, digest: 'x' } })), { code: 'MANIFEST_MALFORMED' });
});

test('media type helpers', () => {
  assert.equal(contentTypeMediaType(' Application/VND.OCI.image.manifest.v1+json ; charset=utf-8'), MediaType.ociManifest);
  assert.equal(contentTypeMediaType(''), undefined);
  assert.equal(layerCompression(MediaType.dockerLayer), 'none');
  assert.equal(layerCompression(MediaType.ociLayerZstd), 'zstd');
  assert.equal(layerCompression(MediaType.ociConfig), undefined);
  assert.equal(layerCompression('constructor'), undefined);
  assert.deepEqual([...MANIFEST_MEDIA_TYPES].sort(), [MediaType.dockerManifest, MediaType.dockerManifestList, MediaType.ociIndex, MediaType.ociManifest].sort());
});
