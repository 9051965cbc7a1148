// recordImage over an OCI image layout (an ArtifactRepository with the referrers API) and the real log on SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attestImage, type AttachMode } from '../../src/attest/attestations.js';
import { signImage } from '../../src/attest/signatures.js';
import { appendCosignLayer, readCosignLayers } from '../../src/oci/attachments/cosign-tags.js';
import { SigningKey, type Signer } from '../../src/crypto/index.js';
import type { Digest } from '../../src/core/digest.js';
import { LINEAGE_PREDICATE_TYPE } from '../../src/log/entries/index.js';
import { recordImage, type RecordImageInput } from '../../src/ingest/record-image.js';
import type { OciLayout } from '../../src/oci/layout.js';
import type { ArtifactRepository } from '../../src/oci/types.js';
import { buildImage, buildIndex, type TestImage } from '../helpers/oci-image.js';
import { layoutWith, workspace } from '../cli/cli-helpers.js';
import { attachmentsOf, observations, SLSA, searchAll, withLog } from './ingest-fixtures.js';

const ws = await workspace('record-image');
const imageA = await buildImage();
const imageB = await buildImage({ layers: [{ files: { b: 'image b' }, createdBy: 'RUN b' }] });
const A = imageA.manifest.digest;
const B = imageB.manifest.digest;
const trusted = SigningKey.generate('ecdsa-p256');
const stranger = SigningKey.generate('ecdsa-p256');
const service = SigningKey.generate('ed25519');
let layouts = 0;
const fresh = (): Promise<OciLayout> => layoutWith(ws.path(`layout-${layouts++}`), { a: imageA, b: imageB });

const attest = (repo: ArtifactRepository, image: TestImage, signer: Signer, mode: AttachMode, predicateType = SLSA) =>
  attestImage({
    repo,
    subject: image.manifest,
    subjectName: 'registry.example/team/app',
    signer,
    predicateType,
    predicate: { builder: { id: `https://ci.example/${mode}` } },
    mode,
    now: new Date('2025-01-01T00:00:00Z'),
  });

function input(log: RecordImageInput['log'], repo: ArtifactRepository, image: Digest, extra: Partial<RecordImageInput> = {}): RecordImageInput {
  return { log, repo, signer: service, trustedKeys: [trusted.verifier()], registry: 'registry.example', repository: 'team/app', image, ...extra };
}

test('an attestation found in both places is appended once, and the observation lists both places as verified', async () => {
  await withLog(async (log) => {
    const repo = await fresh();
    await attest(repo, imageA, trusted, 'both');
    const record = await recordImage(input(log, repo, A, { tag: 'v1' }));
    assert.deepEqual(record.newEntries, { signatures: 0, attestations: 1 });
    assert.ok(record.observation !== null && !record.observation.duplicate);

    const slsa = await searchAll(log, { subject: A, predicateType: SLSA });
    assert.equal(slsa.length, 1);
    assert.deepEqual(await searchAll(log, { subject: A, predicateType: SLSA, signer: trusted.keyId }), slsa);

    const [seen, ...more] = await observations(log, A);
    assert.ok(seen !== undefined && more.length === 0);
    assert.equal(seen.signer, service.keyId);
    assert.equal(seen.subject['name'], 'team/app');
    const p = seen.predicate;
    assert.equal(p['registry'], 'registry.example');
    assert.equal(p['repository'], 'team/app');
    assert.equal(p['tag'], 'v1');
    assert.equal(p['mediaType'], imageA.manifest.mediaType);
    assert.equal(p['config'], imageA.config.desc.digest);
    assert.deepEqual(p['layers'], imageA.layers.map((l) => ({ digest: l.desc.digest, size: l.desc.size, mediaType: l.desc.mediaType })));
    const attachments = attachmentsOf(seen);
    assert.deepEqual(attachments.map((a) => [a['kind'], a['source'], a['status'], a['predicateType'], a['signer'], a['logIndex']]), [
      ['attestation', 'cosign-tag', 'verified', SLSA, trusted.keyId, slsa[0]!.toString()],
      ['attestation', 'referrers', 'verified', SLSA, trusted.keyId, slsa[0]!.toString()],
    ]);
  });
});

test('examining an unchanged image appends nothing; a new attachment gives a new observation', async () => {
  await withLog(async (log) => {
    const repo = await fresh();
    await attest(repo, imageA, trusted, 'legacy');
    await recordImage(input(log, repo, A));
    const again = await recordImage(input(log, repo, A));
    assert.equal(again.observation, null);
    assert.deepEqual(again.newEntries, { signatures: 0, attestations: 0 });
    assert.equal((await observations(log, A)).length, 1);

    await signImage({ repo, dockerReference: 'registry.example/team/app', digest: A, signer: trusted });
    const signed = await recordImage(input(log, repo, A));
    assert.deepEqual(signed.newEntries, { signatures: 1, attestations: 0 });
    const history = await observations(log, A);
    assert.equal(history.length, 2);
    const sig = attachmentsOf(history[1]!).find((a) => a['kind'] === 'signature');
    const sigEntries = await searchAll(log, { subject: A, kind: 'signature', signer: trusted.keyId });
    assert.equal(sigEntries.length, 1);
    assert.deepEqual(sig, {
      kind: 'signature',
      source: 'cosign-tag',
      digest: (await readCosignLayers(repo, A, 'sig'))[0]!.descriptor.digest,
      status: 'verified',
      signer: trusted.keyId,
      logIndex: sigEntries[0]!.toString(),
    });
  });
});

test('an attestation no trusted key signed is recorded as untrusted with its claimed type, and not appended', async () => {
  await withLog(async (log) => {
    const repo = await fresh();
    await attest(repo, imageB, stranger, 'both');
    await signImage({ repo, dockerReference: 'registry.example/team/app', digest: B, signer: stranger });
    const record = await recordImage(input(log, repo, B));
    assert.deepEqual(record.newEntries, { signatures: 0, attestations: 0 });
    assert.deepEqual(await searchAll(log, { subject: B, predicateType: SLSA }), []);
    assert.deepEqual(await searchAll(log, { subject: B, kind: 'signature' }), []);
    const [seen] = await observations(log, B);
    assert.ok(seen !== undefined);
    const summary = attachmentsOf(seen).map((a) => [a['kind'], a['source'], a['status'], a['claimedPredicateType'], a['predicateTypeVerified'], a['reason'], a['logIndex']]);
    assert.deepEqual(summary, [
      ['attestation', 'cosign-tag', 'untrusted', SLSA, false, 'SIGNATURE_INVALID', undefined],
      ['attestation', 'referrers', 'untrusted', SLSA, false, 'SIGNATURE_INVALID', undefined],
      ['signature', 'cosign-tag', 'untrusted', undefined, undefined, 'SIGNATURE_INVALID', undefined],
    ]);
    for (const a of attachmentsOf(seen)) assert.equal(a['predicateType'], undefined, 'an unverified type is never given as predicateType');
  });
});

test('with no trusted key at all, every readable attachment is untrusted', async () => {
  await withLog(async (log) => {
    const repo = await fresh();
    await attest(repo, imageA, trusted, 'both');
    await signImage({ repo, dockerReference: 'registry.example/team/app', digest: A, signer: trusted });
    const record = await recordImage(input(log, repo, A, { trustedKeys: [] }));
    assert.deepEqual(record.newEntries, { signatures: 0, attestations: 0 });
    const [seen] = await observations(log, A);
    assert.deepEqual(attachmentsOf(seen!).map((a) => [a['kind'], a['status'], a['claimedPredicateType']]), [
      ['attestation', 'untrusted', SLSA],
      ['attestation', 'untrusted', SLSA],
      ['signature', 'untrusted', undefined],
    ]);
  });
});

test("a trusted attestation of another image copied under this image's tag is invalid", async () => {
  await withLog(async (log) => {
    const repo = await fresh();
    await attest(repo, imageB, trusted, 'legacy');
    const [layer] = await readCosignLayers(repo, B, 'att');
    assert.ok(layer !== undefined);
    await appendCosignLayer(repo, A, 'att', { mediaType: layer.descriptor.mediaType, bytes: layer.bytes, ...(layer.descriptor.annotations === undefined ? {} : { annotations: layer.descriptor.annotations }) });
    await recordImage(input(log, repo, A));
    assert.deepEqual(await searchAll(log, { subject: A, predicateType: SLSA }), []);
    const [seen] = await observations(log, A);
    assert.deepEqual(attachmentsOf(seen!).map((a) => [a['source'], a['status'], a['reason']]), [['cosign-tag', 'invalid', 'SIGNATURE_DIGEST_MISMATCH']]);
  });
});

test('verified evidence the log refuses is recorded with the refusal, and the rest is still appended', async () => {
  await withLog(async (log) => {
    const repo = await fresh();
    // A lineage statement is appended as its own kind, never as an attestation.
    await attest(repo, imageA, trusted, 'legacy', LINEAGE_PREDICATE_TYPE);
    await attest(repo, imageA, trusted, 'legacy', SLSA);
    const record = await recordImage(input(log, repo, A));
    assert.deepEqual(record.newEntries, { signatures: 0, attestations: 1 });
    const [seen] = await observations(log, A);
    const byType = new Map(attachmentsOf(seen!).map((a) => [a['predicateType'], a]));
    assert.equal(byType.get(LINEAGE_PREDICATE_TYPE)?.['status'], 'verified');
    assert.equal(byType.get(LINEAGE_PREDICATE_TYPE)?.['reason'], 'ENTRY_MALFORMED');
    assert.equal(byType.get(LINEAGE_PREDICATE_TYPE)?.['logIndex'], undefined);
    assert.equal(typeof byType.get(SLSA)?.['logIndex'], 'string');
  });
});

test('an index is observed with its manifests and platforms', async () => {
  await withLog(async (log) => {
    const repo = await fresh();
    const index = buildIndex([
      { image: imageA, platform: { os: 'linux', architecture: 'amd64' } },
      { image: imageB, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ]);
    await repo.pushManifest(index, 'multi');
    await recordImage(input(log, repo, index.digest, { tag: 'multi' }));
    const [seen] = await observations(log, index.digest);
    assert.deepEqual(seen!.predicate['layers'], []);
    assert.equal(seen!.predicate['config'], undefined);
    assert.deepEqual(seen!.predicate['manifests'], [
      { digest: A, size: imageA.manifest.bytes.length, mediaType: imageA.manifest.mediaType, platform: 'linux/amd64' },
      { digest: B, size: imageB.manifest.bytes.length, mediaType: imageB.manifest.mediaType, platform: 'linux/arm64/v8' },
    ]);
  });
});
