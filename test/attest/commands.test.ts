// The sign, verify, attest and verify-attestation commands end to end through runCli, on OCI layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { digestHex } from '../../src/core/digest.js';
import { cosignTag, readCosignLayers } from '../../src/oci/attachments/cosign-tags.js';
import type { OciLayout } from '../../src/oci/layout.js';
import { buildImage } from '../helpers/oci-image.js';
import { cli, failedWith, keyFiles, layoutWith, pushImage, succeeded, workspace } from '../cli/cli-helpers.js';

const ws = await workspace('commands');
let counter = 0;
const imageA = await buildImage();
const imageB = await buildImage({ layers: [{ files: { b: 'image b' }, createdBy: 'RUN b' }] });
const A = imageA.manifest.digest;
const B = imageB.manifest.digest;
const [k1, k2, k3] = await Promise.all([1, 2, 3].map((i) => keyFiles(ws.path(`key${i}`))));
const predicate = ws.path('predicate.json');
await writeFile(predicate, '{"builder":{"id":"https://ci.example/runner"}}');

async function fresh(): Promise<{ layout: OciLayout; a: string; b: string }> {
  const layout = await layoutWith(ws.path(`l${counter++}`), { a: imageA, b: imageB });
  return { layout, a: `oci:${layout.dir}:a`, b: `oci:${layout.dir}:b` };
}

const simpleSigning = (dir: string, digest: string, optional: object | null = null) => ({
  critical: { identity: { 'docker-reference': `oci:${dir}` }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
  optional,
});

test('sign then verify prints the simple-signing payload over the digest; re-signing adds no layer', async () => {
  const { layout, a } = await fresh();
  const signed = succeeded<{ digest: string; tag: string; keyId: string; signature: string }>(await cli(['sign', a, '--key', k1!.key]));
  assert.deepEqual([signed.digest, signed.tag, signed.keyId], [A, `sha256-${digestHex(A)}.sig`, k1!.pair.signer.keyId]);
  const payloads = succeeded(await cli(['verify', a, '--key', k1!.pub], {}));
  assert.deepEqual(payloads, [simpleSigning(layout.dir, A)]);

  const again = succeeded<{ signature: string }>(await cli(['sign', a, '--key', k1!.key]));
  assert.equal(again.signature, signed.signature);
  assert.equal((await readCosignLayers(layout, A, 'sig')).length, 1);
});

test('two keys make two layers; either key verifies, both keys verify both, a third key does not', async () => {
  const { layout, a } = await fresh();
  succeeded(await cli(['sign', a, '--key', k1!.key]));
  succeeded(await cli(['sign', a, '--key', k2!.key]));
  assert.equal((await readCosignLayers(layout, A, 'sig')).length, 2);
  assert.equal(succeeded<unknown[]>(await cli(['verify', a, '--key', k1!.pub])).length, 1);
  assert.equal(succeeded<unknown[]>(await cli(['verify', a, '--key', k2!.pub])).length, 1);
  assert.equal(succeeded<unknown[]>(await cli(['verify', a, '--key', k1!.pub, '--key', k2!.pub])).length, 2);
  failedWith(await cli(['verify', a, '--key', k3!.pub]), 'SIGNATURE_INVALID');
});

test('verify fails with exit 1: no signature, or a signature for another image under this tag', async () => {
  const { layout, a, b } = await fresh();
  failedWith(await cli(['verify', a, '--key', k1!.pub]), 'SIGNATURE_MISSING');
  succeeded(await cli(['sign', a, '--key', k1!.key]));
  failedWith(await cli(['verify', b, '--key', k1!.pub]), 'SIGNATURE_MISSING');
  await layout.pushManifest((await layout.fetchTag(cosignTag(A, 'sig')))!, cosignTag(B, 'sig'));
  failedWith(await cli(['verify', b, '--key', k1!.pub]), 'SIGNATURE_DIGEST_MISMATCH');
});

test('a tag moved to another image after signing no longer verifies', async () => {
  const { layout } = await fresh();
  await pushImage(layout, imageA, 'release');
  const release = `oci:${layout.dir}:release`;
  succeeded(await cli(['sign', release, '--key', k1!.key]));
  succeeded(await cli(['verify', release, '--key', k1!.pub]));
  await pushImage(layout, imageB, 'release');
  failedWith(await cli(['verify', release, '--key', k1!.pub]), 'SIGNATURE_MISSING');
  // The signature stays with the digest it was made for.
  succeeded(await cli(['verify', `oci:${layout.dir}:a`, '--key', k1!.pub]));
});

test('-a annotations are signed, and each one given to verify must be in the payload', async () => {
  const { layout, a } = await fresh();
  succeeded(await cli(['sign', a, '--key', k1!.key, '-a', 'env=prod', '--annotations', 'ticket=OPS-1=2']));
  const expected = [simpleSigning(layout.dir, A, { env: 'prod', ticket: 'OPS-1=2' })];
  assert.deepEqual(succeeded(await cli(['verify', a, '--key', k1!.pub])), expected);
  assert.deepEqual(succeeded(await cli(['verify', a, '--key', k1!.pub, '-a', 'env=prod'])), expected);
  assert.deepEqual(succeeded(await cli(['verify', a, '--key', k1!.pub, '-a', 'env=prod', '-a', 'ticket=OPS-1=2'])), expected);
  failedWith(await cli(['verify', a, '--key', k1!.pub, '-a', 'env=dev']), 'SIGNATURE_INVALID');
  failedWith(await cli(['verify', a, '--key', k1!.pub, '-a', 'owner=me']), 'SIGNATURE_INVALID');
  failedWith(await cli(['verify', a, '--key', k1!.pub, '-a', 'env=prod', '-a', 'owner=me']), 'SIGNATURE_INVALID');
});

type Attested = { digest: string; predicateType: string; attTag: string | null; referrer: string | null; keyId: string };
type VerifiedList = Array<{ source: string; predicateType: string; statement: { subject: Array<{ digest: { sha256: string } }>; predicate: unknown } }>;

test('attest in each --attach mode, then verify-attestation finds it', async () => {
  for (const mode of ['legacy', 'referrers', 'both'] as const) {
    const { layout, a } = await fresh();
    const done = succeeded<Attested>(await cli(['attest', a, '--key', k1!.key, '--predicate', predicate, '--type', 'slsaprovenance1', '--attach', mode]));
    assert.equal(done.digest, A);
    assert.equal(done.predicateType, 'https://slsa.dev/provenance/v1');
    assert.equal(done.attTag, mode === 'referrers' ? null : cosignTag(A, 'att'));
    assert.equal(done.referrer === null, mode === 'legacy');
    assert.equal((await readCosignLayers(layout, A, 'att')).length, mode === 'referrers' ? 0 : 1);
    assert.equal((await layout.listReferrers(A)).length, mode === 'legacy' ? 0 : 1);

    const verified = succeeded<VerifiedList>(await cli(['verify-attestation', a, '--key', k1!.pub]));
    assert.deepEqual(verified.map((v) => v.source), [mode === 'referrers' ? 'referrer' : cosignTag(A, 'att')]);
    assert.deepEqual(verified[0]!.statement.subject.map((s) => s.digest.sha256), [digestHex(A)]);
    assert.deepEqual(verified[0]!.statement.predicate, { builder: { id: 'https://ci.example/runner' } });
    failedWith(await cli(['verify-attestation', a, '--key', k2!.pub]), 'SIGNATURE_INVALID');
  }
});

test('--type selects statements by predicate type; a type with none is ATTESTATION_MISSING', async () => {
  const { a } = await fresh();
  failedWith(await cli(['verify-attestation', a, '--key', k1!.pub]), 'ATTESTATION_MISSING');
  succeeded(await cli(['attest', a, '--key', k1!.key, '--predicate', predicate, '--type', 'slsaprovenance1']));
  succeeded(await cli(['attest', a, '--key', k1!.key, '--predicate', predicate]));
  const all = succeeded<VerifiedList>(await cli(['verify-attestation', a, '--key', k1!.pub]));
  assert.deepEqual(all.map((v) => v.predicateType).sort(), ['https://cosign.sigstore.dev/attestation/v1', 'https://slsa.dev/provenance/v1']);
  const slsa = succeeded<VerifiedList>(await cli(['verify-attestation', a, '--key', k1!.pub, '--type', 'slsaprovenance1']));
  assert.deepEqual(slsa.map((v) => v.predicateType), ['https://slsa.dev/provenance/v1']);
  const byUri = succeeded<VerifiedList>(await cli(['verify-attestation', a, '--key', k1!.pub, '--type', 'https://cosign.sigstore.dev/attestation/v1']));
  assert.deepEqual(byUri.map((v) => v.predicateType), ['https://cosign.sigstore.dev/attestation/v1']);
  failedWith(await cli(['verify-attestation', a, '--key', k1!.pub, '--type', 'cyclonedx']), 'ATTESTATION_MISSING');
});

test("image B's .att manifest under image A's tag is SIGNATURE_DIGEST_MISMATCH, exit 1", async () => {
  const { layout, a, b } = await fresh();
  succeeded(await cli(['attest', b, '--key', k1!.key, '--predicate', predicate, '--attach', 'legacy']));
  await layout.pushManifest((await layout.fetchTag(cosignTag(B, 'att')))!, cosignTag(A, 'att'));
  failedWith(await cli(['verify-attestation', a, '--key', k1!.pub]), 'SIGNATURE_DIGEST_MISMATCH');
  succeeded(await cli(['verify-attestation', b, '--key', k1!.pub]));
});

test('a predicate with a duplicate key is JSON_DUPLICATE_KEY, exit 3, and nothing is attached', async () => {
  const { layout, a } = await fresh();
  const duplicate = ws.path('duplicate.json');
  await writeFile(duplicate, '{"builder":{"id":"https://ci.example/a","id":"https://ci.example/b"}}');
  failedWith(await cli(['attest', a, '--key', k1!.key, '--predicate', duplicate]), 'JSON_DUPLICATE_KEY');
  const notObject = ws.path('array.json');
  await writeFile(notObject, '[1, 2]');
  failedWith(await cli(['attest', a, '--key', k1!.key, '--predicate', notObject]), 'JSON_MALFORMED');
  assert.equal(await layout.fetchTag(cosignTag(A, 'att')), undefined);
  assert.deepEqual(await layout.listReferrers(A), []);
});
