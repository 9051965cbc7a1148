// gatherFactsFromRegistry against a real CNCF distribution registry (docker-registry): an image pushed there,
// attested by `provenant build --push` and signed by `provenant sign`, gives the same facts as the log that
// recorded it; with a key that signed nothing, every attachment is rejected with its reason.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Digest } from '../../../src/core/digest.js';
import { loadVerifier, SigningKey } from '../../../src/crypto/index.js';
import { recordImage } from '../../../src/ingest/record-image.js';
import { REGISTRY_OBSERVATION_PREDICATE_TYPE } from '../../../src/ingest/index.js';
import { describeEntry } from '../../../src/log/entries/index.js';
import { openRepository } from '../../../src/oci/open-image.js';
import type { ArtifactRepository } from '../../../src/oci/types.js';
import { gatherFactsFromLog } from '../../../src/policy/facts/from-log.js';
import { gatherFactsFromRegistry } from '../../../src/policy/facts/from-registry.js';
import { imageRefOf } from '../../../src/policy/facts/image-ref.js';
import { ATTRIBUTION_LAYERS } from '../../helpers/attribution-layers.js';
import { buildImage, type TestImage } from '../../helpers/oci-image.js';
import { startRegistry, type RunningRegistry } from '../../helpers/registry.js';
import { withTempLog } from '../../helpers/temp-log.js';
import { keyFiles, workspace, type KeyFiles } from '../../cli/cli-helpers.js';
import { buildAndSign, sbomTable, tableOf, toolchainBin, withoutProvenance } from './facts-fixtures.js';

let registry: RunningRegistry;
let key: KeyFiles;
let stranger: KeyFiles;
let built: TestImage;
let unsigned: TestImage;
let ref: string;

async function push(image: TestImage, reference: string): Promise<ArtifactRepository> {
  const repo = await openRepository(reference);
  for (const [digest, bytes] of image.blobs) if (digest !== image.manifest.digest) await repo.pushBlob(bytes, 'application/octet-stream');
  await repo.pushManifest(image.manifest, reference.slice(reference.lastIndexOf(':') + 1));
  return repo;
}

before(async () => {
  const ws = await workspace('facts-registry');
  registry = await startRegistry();
  key = await keyFiles(ws.path('cosign'));
  stranger = await keyFiles(ws.path('stranger'));
  built = await buildImage({ layers: ATTRIBUTION_LAYERS });
  unsigned = await buildImage();
  ref = `${registry.host}/facts/app:v1`;
  await push(built, ref);
  await push(unsigned, `${registry.host}/facts/plain:v1`);
  await buildAndSign(ref, key.key, await toolchainBin(ws.dir), ws.path('out'));
});

after(async () => {
  await registry?.stop();
});

test('the registry gives the facts the log gives for the same attachments, evidence apart', async () => {
  const repo = await openRepository(ref);
  const image = imageRefOf(ref, built.manifest.digest);
  const trusted = loadVerifier(key.pair.publicKeyPem);
  const fromRegistry = await gatherFactsFromRegistry(repo, image, [trusted]);
  assert.deepEqual(fromRegistry.gatheredFrom, { kind: 'registry' });
  assert.deepEqual(fromRegistry.rejected, []);
  assert.equal(fromRegistry.signatures.length, 1);
  assert.equal(fromRegistry.attestations.length, 4);
  assert.deepEqual(tableOf(fromRegistry.attestations.find((a) => a.predicateType === 'https://provenant.dev/attestation/layers/v1')!.packages!), await sbomTable(ref));
  // Registry attestations carry the statement's own time: the build's end for SLSA, the SBOM's creation time.
  const slsa = fromRegistry.attestations.find((a) => a.predicateType === 'https://slsa.dev/provenance/v1')!;
  assert.equal(slsa.issuedAt, slsa.build?.finishedOn);

  await withTempLog('facts.example/log', async (log) => {
    const service = SigningKey.generate('ed25519');
    await recordImage({ log, repo, signer: service, trustedKeys: [trusted], registry: registry.host, repository: 'facts/app', image: built.manifest.digest });
    const fromLog = await gatherFactsFromLog(log, image);
    const evidence = { ...fromLog, attestations: fromLog.attestations.filter((a) => a.predicateType !== REGISTRY_OBSERVATION_PREDICATE_TYPE) };
    assert.equal(evidence.attestations.length, 4);
    assert.deepEqual(withoutProvenance(fromRegistry), withoutProvenance(evidence));

    // The registry names an attestation by its envelope, which is the blob the log entry names.
    const envelopes = await Promise.all(
      evidence.attestations.map(async (a) => (describeEntry((await log.entry(BigInt(a.evidence.logIndex!))).entryBytes) as { envelopeDigest: Digest }).envelopeDigest),
    );
    assert.deepEqual(fromRegistry.attestations.map((a) => a.evidence.digest).sort(), envelopes.sort());
  });
});

test('with a key that signed nothing, no signature or attestation is a fact and each one is rejected with its reason', async () => {
  const repo = await openRepository(ref);
  const facts = await gatherFactsFromRegistry(repo, imageRefOf(ref, built.manifest.digest), [loadVerifier(stranger.pair.publicKeyPem)]);
  assert.deepEqual(facts.signatures, []);
  assert.deepEqual(facts.attestations, []);
  // One signature layer, and each of the four envelopes both under the .att tag and as a referrer.
  assert.equal(facts.rejected.length, 9, JSON.stringify(facts.rejected));
  for (const r of facts.rejected) assert.ok(r.reason.startsWith('SIGNATURE_INVALID:'), r.reason);

  const plain = `${registry.host}/facts/plain:v1`;
  const none = await gatherFactsFromRegistry(await openRepository(plain), imageRefOf(plain, unsigned.manifest.digest), [loadVerifier(key.pair.publicKeyPem)]);
  assert.deepEqual([none.signatures, none.attestations, none.rejected], [[], [], []]);
});
