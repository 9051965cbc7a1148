import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attestImage, verifyImageAttestations, type AttachMode, type VerifyAttestationsInput } from '../../src/attest/attestations.js';
import { digestHex, type Digest } from '../../src/core/digest.js';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { generateKeyPair, loadVerifier, type GeneratedKeyPair } from '../../src/crypto/index.js';
import { buildDsseBundle, buildMessageSignatureBundle, envelopeToJson, IN_TOTO_PAYLOAD_TYPE, serializeBundle, signEnvelope, type Envelope } from '../../src/formats/index.js';
import { attachmentManifest, ociManifest } from '../../src/oci/attachments/artifact-manifest.js';
import { cosignTag, DSSE_MEDIA_TYPE, readCosignLayers } from '../../src/oci/attachments/cosign-tags.js';
import { attachBundleReferrer, SIGSTORE_BUNDLE_MEDIA_TYPE } from '../../src/oci/attachments/referrers.js';
import type { OciLayout } from '../../src/oci/layout.js';
import type { ArtifactRepository, RawManifest } from '../../src/oci/types.js';
import { buildImage, type TestImage } from '../helpers/oci-image.js';
import { layoutWith, withListedReferrers, workspace } from '../cli/cli-helpers.js';

const ws = await workspace('attestations');
let counter = 0;
const imageA = await buildImage();
const imageB = await buildImage({ layers: [{ files: { b: 'image b' }, createdBy: 'RUN b' }] });
const A = imageA.manifest.digest;
const B = imageB.manifest.digest;
const fresh = () => layoutWith(ws.path(`l${counter++}`), { a: imageA, b: imageB });
const [alice, bob] = (await Promise.all([1, 2].map(() => generateKeyPair('pw', { level: 'legacy' })))) as [GeneratedKeyPair, GeneratedKeyPair];
const PROVENANCE = 'https://slsa.dev/provenance/v1';
const CUSTOM = 'https://cosign.sigstore.dev/attestation/v1';

const attest = (repo: ArtifactRepository, image: TestImage, mode: AttachMode, predicateType = PROVENANCE, pair = alice) =>
  attestImage({
    repo,
    subject: image.manifest,
    subjectName: 'registry.example/app',
    signer: pair.signer,
    predicateType,
    predicate: { builder: { id: `https://ci.example/${mode}` } },
    mode,
    now: new Date('2025-01-01T00:00:00Z'),
  });
const verify = (repo: ArtifactRepository, digest: Digest, pairs = [alice], extra: Partial<VerifyAttestationsInput> = {}) =>
  verifyImageAttestations({ repo, digest, verifiers: pairs.map((p) => loadVerifier(p.publicKeyPem)), ...extra });

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<ProvenantError> {
  let caught: unknown;
  await assert.rejects(promise, (e) => ((caught = e), e instanceof ProvenantError && e.code === code));
  return caught as ProvenantError;
}

async function bundleReferrer(repo: OciLayout, subject: RawManifest, envelope: Envelope): Promise<RawManifest> {
  const bundleJson = Buffer.from(serializeBundle(buildDsseBundle(envelope, alice.signer.keyId)));
  return attachBundleReferrer(repo, subject, { bundleJson, content: 'dsse-envelope', predicateType: PROVENANCE, created: new Date(0) });
}

test('legacy mode: a DSSE envelope in the .att tag, over a statement naming the image', async () => {
  const layout = await fresh();
  const done = await attest(layout, imageA, 'legacy');
  assert.equal(done.attTag, `sha256-${digestHex(A)}.att`);
  assert.equal(done.referrer, undefined);
  assert.deepEqual(done.statement.subject, [{ name: 'registry.example/app', digest: { sha256: digestHex(A) } }]);
  const layers = await readCosignLayers(layout, A, 'att');
  assert.equal(layers.length, 1);
  assert.equal(layers[0]!.descriptor.mediaType, DSSE_MEDIA_TYPE);
  assert.equal(layers[0]!.descriptor.annotations?.predicateType, PROVENANCE);
  assert.equal(layers[0]!.bytes.toString(), envelopeToJson(done.envelope));
  assert.deepEqual(await layout.listReferrers(A), []);

  const { verified, rejected } = await verify(layout, A);
  assert.deepEqual(rejected, []);
  assert.deepEqual(verified.map((v) => [v.source, v.digest, v.keyIds]), [[done.attTag, layers[0]!.descriptor.digest, [alice.signer.keyId]]]);
  assert.deepEqual(verified[0]!.statement, done.statement);
  await rejectsWith(verify(layout, B), 'ATTESTATION_MISSING');
});

test('referrers mode: a sigstore bundle referrer and no .att tag', async () => {
  const layout = await fresh();
  const done = await attest(layout, imageA, 'referrers');
  assert.equal(done.attTag, undefined);
  assert.equal(await layout.fetchTag(cosignTag(A, 'att')), undefined);
  const listed = await layout.listReferrers(A);
  assert.deepEqual(listed.map((d) => [d.digest, d.artifactType]), [[done.referrer, SIGSTORE_BUNDLE_MEDIA_TYPE]]);
  const { verified } = await verify(layout, A);
  assert.deepEqual(verified.map((v) => [v.source, v.digest]), [['referrer', done.referrer]]);
  assert.deepEqual(verified[0]!.envelope.payload, done.envelope.payload);
  assert.deepEqual(verified[0]!.statement.predicate, { builder: { id: 'https://ci.example/referrers' } });
});

test('both mode writes both places and the one envelope is reported once', async () => {
  const layout = await fresh();
  const done = await attest(layout, imageA, 'both');
  assert.ok(done.attTag !== undefined && done.referrer !== undefined);
  assert.equal((await readCosignLayers(layout, A, 'att')).length, 1);
  assert.equal((await layout.listReferrers(A)).length, 1);
  const { verified, rejected } = await verify(layout, A);
  assert.deepEqual(rejected, []);
  assert.deepEqual(verified.map((v) => v.source), [done.attTag]);
  // Either place alone is enough: drop the .att tag's layer and the referrer still verifies.
  const att = attachmentManifest((await layout.fetchTag(done.attTag))!);
  await layout.pushManifest(ociManifest({ config: att.config, layers: [] }), done.attTag);
  assert.deepEqual((await verify(layout, A)).verified.map((v) => v.source), ['referrer']);
});

test('a predicate type filter skips other statements; nothing of that type is ATTESTATION_MISSING', async () => {
  const layout = await fresh();
  await attest(layout, imageA, 'both', PROVENANCE);
  await attest(layout, imageA, 'both', CUSTOM);
  assert.equal((await verify(layout, A)).verified.length, 2);
  const provenance = await verify(layout, A, [alice], { predicateType: PROVENANCE });
  assert.deepEqual(provenance.verified.map((v) => v.statement.predicateType), [PROVENANCE]);
  assert.deepEqual((await verify(layout, A, [alice], { predicateType: CUSTOM })).verified.map((v) => v.statement.predicateType), [CUSTOM]);
  const missing = await rejectsWith(verify(layout, A, [alice], { predicateType: 'https://spdx.dev/Document' }), 'ATTESTATION_MISSING');
  assert.deepEqual(missing.details?.rejected, []);
});

test('another key is SIGNATURE_INVALID for every copy; either of two keys is enough', async () => {
  const layout = await fresh();
  await attest(layout, imageA, 'both');
  const invalid = await rejectsWith(verify(layout, A, [bob]), 'SIGNATURE_INVALID');
  assert.deepEqual((invalid.details?.rejected as Array<{ source: string }>).map((r) => r.source), [cosignTag(A, 'att'), 'referrer']);
  assert.deepEqual((await verify(layout, A, [bob, alice])).verified[0]!.keyIds, [alice.signer.keyId]);
});

test("image B's .att manifest under image A's tag is SIGNATURE_DIGEST_MISMATCH", async () => {
  const layout = await fresh();
  await attest(layout, imageB, 'legacy');
  await layout.pushManifest((await layout.fetchTag(cosignTag(B, 'att')))!, cosignTag(A, 'att'));
  await rejectsWith(verify(layout, A), 'SIGNATURE_DIGEST_MISMATCH');
  // A good attestation of A beside it verifies; the foreign one is still listed as rejected.
  await attest(layout, imageA, 'referrers');
  const { verified, rejected } = await verify(layout, A);
  assert.deepEqual(verified.map((v) => v.source), ['referrer']);
  assert.deepEqual(rejected.map((r) => r.code), ['SIGNATURE_DIGEST_MISMATCH']);
});

test('a referrer listed for A whose manifest names B is never used, even with an envelope about A', async () => {
  const layout = await fresh();
  // The envelope is a valid attestation of A; only the referrer manifest's subject says it belongs to B.
  const scratch = await layoutWith(ws.path(`l${counter++}`), { a: imageA });
  const aboutA = (await attest(scratch, imageA, 'legacy')).envelope;
  const misfiled = await bundleReferrer(layout, imageB.manifest, aboutA);
  const lying = withListedReferrers(layout, A, [{ mediaType: misfiled.mediaType, digest: misfiled.digest, size: misfiled.bytes.length, artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE }]);
  const alone = await rejectsWith(verify(lying, A), 'SIGNATURE_DIGEST_MISMATCH');
  assert.deepEqual((alone.details?.rejected as Array<{ digest: string }>).map((r) => r.digest), [misfiled.digest]);

  const good = await attest(layout, imageA, 'referrers');
  const { verified, rejected } = await verify(lying, A);
  assert.deepEqual(verified.map((v) => v.digest), [good.referrer]);
  assert.deepEqual(rejected.map((r) => [r.source, r.digest, r.code]), [['referrer', misfiled.digest, 'SIGNATURE_DIGEST_MISMATCH']]);
  // Read for B, where it is filed, its statement names A: rejected there too.
  await rejectsWith(verify(layout, B), 'SIGNATURE_DIGEST_MISMATCH');
});

test('a changed statement, a foreign payload type, or a message-signature bundle is rejected', async () => {
  const layout = await fresh();
  const done = await attest(layout, imageA, 'legacy');
  const att = attachmentManifest((await layout.fetchTag(cosignTag(A, 'att')))!);
  const replaceAtt = async (envelope: Envelope) => {
    const bytes = Buffer.from(envelopeToJson(envelope));
    const layer = await layout.pushBlob(bytes, DSSE_MEDIA_TYPE);
    await layout.pushManifest(ociManifest({ config: att.config, layers: [layer] }), cosignTag(A, 'att'));
  };
  const statement = Buffer.from(done.envelope.payload, 'base64').toString().replace('https://ci.example/legacy', 'https://evil.example/legacy');
  await replaceAtt({ ...done.envelope, payload: Buffer.from(statement).toString('base64') });
  await rejectsWith(verify(layout, A), 'SIGNATURE_INVALID');

  const statementBytes = Buffer.from(done.envelope.payload, 'base64');
  await replaceAtt(await signEnvelope('application/json', statementBytes, [alice.signer]));
  await rejectsWith(verify(layout, A), 'PAYLOAD_MALFORMED');

  await replaceAtt(await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementBytes, [alice.signer]));
  assert.equal((await verify(layout, A)).verified.length, 1);

  const other = await fresh();
  const message = buildMessageSignatureBundle({ digest: A, signature: await alice.signer.sign(imageA.manifest.bytes), keyHint: alice.signer.keyId });
  await attachBundleReferrer(other, imageA.manifest, { bundleJson: Buffer.from(serializeBundle(message)), content: 'message-signature', created: new Date(0) });
  await rejectsWith(verify(other, A), 'BUNDLE_MALFORMED');
});
