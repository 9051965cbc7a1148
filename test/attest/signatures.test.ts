import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { signImage, verifyImageSignatures, type VerifyImageInput } from '../../src/attest/signatures.js';
import { digestHex, sha256Digest, type Digest } from '../../src/core/digest.js';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { generateKeyPair, loadVerifier, type GeneratedKeyPair } from '../../src/crypto/index.js';
import { attachmentManifest, blobDescriptor, ociManifest } from '../../src/oci/attachments/artifact-manifest.js';
import { COSIGN_SIGNATURE_ANNOTATION, cosignTag, readCosignLayers, SIMPLE_SIGNING_MEDIA_TYPE } from '../../src/oci/attachments/cosign-tags.js';
import type { OciLayout } from '../../src/oci/layout.js';
import { buildImage } from '../helpers/oci-image.js';
import { layoutWith, workspace } from '../cli/cli-helpers.js';

const ws = await workspace('signatures');
let counter = 0;
const imageA = await buildImage();
const imageB = await buildImage({ layers: [{ files: { b: 'image b' }, createdBy: 'RUN b' }] });
const A = imageA.manifest.digest;
const B = imageB.manifest.digest;
const fresh = () => layoutWith(ws.path(`l${counter++}`), { a: imageA, b: imageB });
const [alice, bob, carol] = await Promise.all([1, 2, 3].map(() => generateKeyPair('pw', { level: 'legacy' }))) as [GeneratedKeyPair, GeneratedKeyPair, GeneratedKeyPair];
const verifierOf = (pair: GeneratedKeyPair) => loadVerifier(pair.publicKeyPem);

const sign = (repo: OciLayout, digest: Digest, pair = alice, annotations?: Record<string, string>) =>
  signImage({ repo, dockerReference: 'registry.example/app', digest, signer: pair.signer, ...(annotations === undefined ? {} : { annotations }) });
const verify = (repo: OciLayout, digest: Digest, pairs = [alice], extra: Partial<VerifyImageInput> = {}) =>
  verifyImageSignatures({ repo, digest, verifiers: pairs.map(verifierOf), ...extra });

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<ProvenantError> {
  let caught: unknown;
  await assert.rejects(promise, (e) => ((caught = e), e instanceof ProvenantError && e.code === code));
  return caught as ProvenantError;
}

/** Replaces the layers under the subject's .sig tag with `layers`, pushing their blobs: a well-formed forgery. */
async function rewriteSigTag(repo: OciLayout, subject: Digest, layers: Array<{ bytes: Buffer; annotations: Record<string, string>; mediaType?: string }>): Promise<void> {
  const current = attachmentManifest((await repo.fetchTag(cosignTag(subject, 'sig')))!);
  const descriptors = [];
  for (const l of layers) {
    const blob = { mediaType: l.mediaType ?? SIMPLE_SIGNING_MEDIA_TYPE, bytes: l.bytes, annotations: l.annotations };
    await repo.pushBlob(blob.bytes, blob.mediaType);
    descriptors.push(blobDescriptor(blob));
  }
  await repo.pushManifest(ociManifest({ config: current.config, layers: descriptors }), cosignTag(subject, 'sig'));
}

test('sign then verify: the payload is cosign simple signing over the image digest', async () => {
  const layout = await fresh();
  const signed = await sign(layout, A);
  assert.equal(signed.added, true);
  assert.equal(signed.tag, `sha256-${digestHex(A)}.sig`);
  assert.equal(
    signed.payload.toString(),
    `{"critical":{"identity":{"docker-reference":"registry.example/app"},"image":{"docker-manifest-digest":"${A}"},"type":"cosign container image signature"},"optional":null}`,
  );
  assert.ok(verifierOf(alice).verify(signed.payload, Buffer.from(signed.signature, 'base64')));

  const { verified, rejected } = await verify(layout, A);
  assert.deepEqual(rejected, []);
  assert.equal(verified.length, 1);
  assert.deepEqual(verified[0]!.payload, { dockerReference: 'registry.example/app', digest: A, optional: null });
  assert.deepEqual(verified[0]!.payloadJson, JSON.parse(signed.payload.toString()));
  assert.equal(verified[0]!.layerDigest, sha256Digest(signed.payload));
  assert.equal(verified[0]!.keyId, alice.signer.keyId);
  // Signing A says nothing about B.
  await rejectsWith(verify(layout, B), 'SIGNATURE_MISSING');
});

test('signing twice with one key adds no layer; a second key adds one and either key verifies', async () => {
  const layout = await fresh();
  const first = await sign(layout, A);
  const again = await sign(layout, A);
  assert.equal(again.added, false);
  assert.equal((await readCosignLayers(layout, A, 'sig')).length, 1);
  assert.equal(again.tag, first.tag);

  assert.equal((await sign(layout, A, bob)).added, true);
  const layers = await readCosignLayers(layout, A, 'sig');
  assert.equal(layers.length, 2);
  assert.deepEqual((await verify(layout, A, [alice])).verified.map((v) => v.keyId), [alice.signer.keyId]);
  assert.deepEqual((await verify(layout, A, [bob])).verified.map((v) => v.keyId), [bob.signer.keyId]);
  const both = await verify(layout, A, [alice, bob]);
  assert.deepEqual(both.verified.map((v) => v.keyId), [alice.signer.keyId, bob.signer.keyId]);
  assert.deepEqual(both.rejected, []);
  // With only one of the keys, the other key's layer is listed as rejected, not silently dropped.
  assert.deepEqual((await verify(layout, A, [alice])).rejected.map((r) => [r.digest, r.code]), [[layers[1]!.descriptor.digest, 'SIGNATURE_INVALID']]);
});

test('an existing layer counts as a duplicate only if its signature verifies under the signing key', async () => {
  const layout = await fresh();
  const signed = await sign(layout, A);
  const forged = Buffer.from(signed.signature, 'base64');
  forged[forged.length - 1]! ^= 1;
  await rewriteSigTag(layout, A, [
    { bytes: signed.payload, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: '!!' } },
    { bytes: signed.payload, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: forged.toString('base64') } },
  ]);
  await rejectsWith(verify(layout, A), 'SIGNATURE_INVALID');
  const resigned = await sign(layout, A);
  assert.equal(resigned.added, true);
  assert.equal((await readCosignLayers(layout, A, 'sig')).length, 3);
  assert.deepEqual((await verify(layout, A)).rejected.map((r) => r.code), ['BASE64_MALFORMED', 'SIGNATURE_INVALID']);
});

test('no signature at all is SIGNATURE_MISSING; another key is SIGNATURE_INVALID', async () => {
  const layout = await fresh();
  const missing = await rejectsWith(verify(layout, A), 'SIGNATURE_MISSING');
  assert.deepEqual(missing.details?.rejected, []);
  await sign(layout, A);
  const invalid = await rejectsWith(verify(layout, A, [carol]), 'SIGNATURE_INVALID');
  assert.equal((invalid.details?.rejected as unknown[]).length, 1);
});

test("image A's signature manifest placed under image B's tag is SIGNATURE_DIGEST_MISMATCH", async () => {
  const layout = await fresh();
  await sign(layout, A);
  await layout.pushManifest((await layout.fetchTag(cosignTag(A, 'sig')))!, cosignTag(B, 'sig'));
  await rejectsWith(verify(layout, B), 'SIGNATURE_DIGEST_MISMATCH');
  // The mismatch is the reported cause even next to a bad signature.
  await sign(layout, B, carol);
  assert.equal((await readCosignLayers(layout, B, 'sig')).length, 2);
  const mismatch = await rejectsWith(verify(layout, B), 'SIGNATURE_DIGEST_MISMATCH');
  assert.deepEqual((mismatch.details?.rejected as Array<{ code: string }>).map((r) => r.code), ['SIGNATURE_DIGEST_MISMATCH', 'SIGNATURE_INVALID']);
  assert.equal((await verify(layout, B, [carol])).verified.length, 1);
});

test('a payload changed after signing (blob and manifest consistent) fails the signature check', async () => {
  const layout = await fresh();
  const signed = await sign(layout, A);
  // Still a well-formed payload naming A: only the signature can catch the change.
  const forged = Buffer.from(signed.payload.toString().replace('registry.example/app', 'registry.example/apq'));
  assert.equal(forged.length, signed.payload.length);
  await rewriteSigTag(layout, A, [{ bytes: forged, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signed.signature } }]);
  const layers = await readCosignLayers(layout, A, 'sig');
  assert.deepEqual(layers.map((l) => l.bytes), [forged]);
  await rejectsWith(verify(layout, A), 'SIGNATURE_INVALID');
});

test('a payload blob changed in place (manifest not fixed up) is refused by its digest', async () => {
  const layout = await fresh();
  const signed = await sign(layout, A);
  const path = join(layout.dir, 'blobs', 'sha256', digestHex(sha256Digest(signed.payload)));
  await writeFile(path, signed.payload.toString().replace('registry.example/app', 'registry.example/apq'));
  await rejectsWith(verify(layout, A), 'DIGEST_MISMATCH');
});

test('broken signature layers are rejected with their own codes; a good layer beside them still verifies', async () => {
  const layout = await fresh();
  const signed = await sign(layout, A);
  const cases: Array<[Record<string, string>, string | undefined, ErrorCode]> = [
    [{ [COSIGN_SIGNATURE_ANNOTATION]: '!!not base64!!' }, undefined, 'BASE64_MALFORMED'],
    [{ [COSIGN_SIGNATURE_ANNOTATION]: '' }, undefined, 'SIGNATURE_INVALID'],
    [{}, undefined, 'SIGNATURE_INVALID'],
    [{ [COSIGN_SIGNATURE_ANNOTATION]: signed.signature }, 'application/json', 'PAYLOAD_MALFORMED'],
  ];
  for (const [annotations, mediaType, code] of cases) {
    await rewriteSigTag(layout, A, [{ bytes: signed.payload, annotations, ...(mediaType === undefined ? {} : { mediaType }) }]);
    await rejectsWith(verify(layout, A), code);
  }
  const good = { bytes: signed.payload, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signed.signature } };
  await rewriteSigTag(layout, A, [{ bytes: signed.payload, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: '!!' } }, good]);
  const { verified, rejected } = await verify(layout, A);
  assert.equal(verified.length, 1);
  assert.deepEqual(rejected.map((r) => [r.source, r.code]), [[cosignTag(A, 'sig'), 'BASE64_MALFORMED']]);
});

test('annotations are signed into the payload and every required one must match', async () => {
  const layout = await fresh();
  const signed = await sign(layout, A, alice, { env: 'prod', team: 'core' });
  assert.deepEqual(JSON.parse(signed.payload.toString()).optional, { env: 'prod', team: 'core' });
  assert.equal((await verify(layout, A, [alice], { annotations: { env: 'prod' } })).verified.length, 1);
  assert.equal((await verify(layout, A, [alice], { annotations: { env: 'prod', team: 'core' } })).verified.length, 1);
  assert.equal((await verify(layout, A, [alice])).verified.length, 1);
  await rejectsWith(verify(layout, A, [alice], { annotations: { env: 'dev' } }), 'SIGNATURE_INVALID');
  await rejectsWith(verify(layout, A, [alice], { annotations: { owner: 'x' } }), 'SIGNATURE_INVALID');
  await rejectsWith(verify(layout, A, [alice], { annotations: { env: 'prod', owner: 'x' } }), 'SIGNATURE_INVALID');
  // An unannotated signature satisfies no requirement.
  await sign(layout, B);
  await rejectsWith(verify(layout, B, [alice], { annotations: { env: 'prod' } }), 'SIGNATURE_INVALID');
});
