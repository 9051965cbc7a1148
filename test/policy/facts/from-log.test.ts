// gatherFactsFromLog over the real SQLite log, filled the way the registry ingest fills it (recordImage) from an
// OCI layout holding two images that `provenant build --push` attested and `provenant sign` signed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Digest } from '../../../src/core/digest.js';
import { isProvenantError } from '../../../src/core/errors.js';
import { loadVerifier, SigningKey } from '../../../src/crypto/index.js';
import { LAYERS_PREDICATE_TYPE, SLSA_PROVENANCE_V1 } from '../../../src/formats/index.js';
import { recordImage } from '../../../src/ingest/record-image.js';
import { REGISTRY_OBSERVATION_PREDICATE_TYPE } from '../../../src/ingest/index.js';
import { describeEntry, proposeAudit, proposeLineageRecord, proposeRevocation } from '../../../src/log/entries/index.js';
import type { EntryQuery, LogService } from '../../../src/log/service.js';
import { OciLayout } from '../../../src/oci/layout.js';
import type { AttestationFact, ImageFacts } from '../../../src/policy/facts.js';
import { gatherFactsFromLog } from '../../../src/policy/facts/from-log.js';
import { imageRefOf } from '../../../src/policy/facts/image-ref.js';
import { ATTRIBUTION_LAYERS } from '../../helpers/attribution-layers.js';
import { buildImage, writeOciLayout } from '../../helpers/oci-image.js';
import { withTempLog } from '../../helpers/temp-log.js';
import { keyFiles, workspace } from '../../cli/cli-helpers.js';
import { BUILDER_ID, buildAndSign, CFLAGS, SOURCE_COMMIT, SOURCE_URI, sbomTable, tableOf, toolchainBin } from './facts-fixtures.js';

const CYCLONEDX = 'https://cyclonedx.org/bom';
const SPDX = 'https://spdx.dev/Document';

const ws = await workspace('facts-log');
const key = await keyFiles(ws.path('cosign'));
const bin = await toolchainBin(ws.dir);
const imageA = await buildImage({ layers: ATTRIBUTION_LAYERS });
const imageB = await buildImage();
await writeOciLayout(ws.path('img'), new Map([...imageA.blobs, ...imageB.blobs]), [
  { manifest: imageA.manifest, name: 'a' },
  { manifest: imageB.manifest, name: 'b' },
]);
const refA = `oci:${ws.path('img')}:a`;
const builtA = await buildAndSign(refA, key.key, bin, ws.path('out-a'));
await buildAndSign(`oci:${ws.path('img')}:b`, key.key, bin, ws.path('out-b'));
const A = imageA.manifest.digest;
const B = imageB.manifest.digest;
const tableA = await sbomTable(refA);
const service = SigningKey.generate('ed25519');

/** A log holding both images' signatures, attestations and the ingest's observations. */
async function withImagesLogged<T>(fn: (log: LogService) => Promise<T>): Promise<T> {
  return withTempLog('facts.example/log', async (log) => {
    const repo = await OciLayout.open(ws.path('img'));
    for (const image of [A, B]) {
      await recordImage({ log, repo, signer: service, trustedKeys: [loadVerifier(key.pair.publicKeyPem)], registry: 'registry.example', repository: 'acme/app', image });
    }
    return fn(log);
  });
}

const refOf = (digest: string) => imageRefOf('registry.example/acme/app:a', digest);

async function indicesOf(log: LogService, query: EntryQuery): Promise<string[]> {
  return (await log.search(query, { limit: 1000 })).indices.map(String);
}

function attestation(facts: ImageFacts, type: string): AttestationFact {
  const found = facts.attestations.filter((a) => a.predicateType === type);
  assert.equal(found.length, 1, `one ${type} attestation`);
  return found[0]!;
}

test('facts of a built image: build, packages, signers and evidence, read from the log and nothing of the other image', async () => {
  await withImagesLogged(async (log) => {
    const size = (await log.info()).size;
    const facts = await gatherFactsFromLog(log, refOf(A));
    assert.deepEqual(facts.gatheredFrom, { kind: 'log', treeSize: size.toString() });
    assert.deepEqual(facts.rejected, []);
    assert.deepEqual(facts.image, { reference: 'registry.example/acme/app:a', registry: 'registry.example', repository: 'acme/app', tag: 'a', digest: A });

    const keyId = loadVerifier(key.pair.publicKeyPem).keyId;
    assert.equal(facts.signatures.length, 1);
    assert.equal(facts.signatures[0]!.signer.keyId, keyId);
    assert.deepEqual(facts.signatures[0]!.evidence.logIndex, (await indicesOf(log, { subject: A, kind: 'signature' }))[0]);
    assert.deepEqual(facts.attestations.map((a) => a.predicateType).sort(), [CYCLONEDX, LAYERS_PREDICATE_TYPE, REGISTRY_OBSERVATION_PREDICATE_TYPE, SLSA_PROVENANCE_V1, SPDX].sort());
    for (const a of facts.attestations) assert.equal(a.signer.keyId, a.predicateType === REGISTRY_OBSERVATION_PREDICATE_TYPE ? service.keyId : keyId, a.predicateType);

    // Every piece of evidence is an entry about A, named by its own digest at its own index.
    const aboutA = new Set(await indicesOf(log, { subject: A }));
    const evidence = [...facts.signatures, ...facts.attestations].map((f) => f.evidence);
    assert.equal(new Set(evidence.map((e) => e.logIndex)).size, evidence.length);
    for (const e of evidence) {
      assert.ok(aboutA.has(e.logIndex!), `${e.kind} at ${e.logIndex} is about A`);
      assert.equal(describeEntry((await log.entry(BigInt(e.logIndex!))).entryBytes).entryDigest, e.digest);
    }
    const recorded = (await log.entry(BigInt(facts.signatures[0]!.evidence.logIndex!))).integratedAt;
    assert.equal(facts.signatures[0]!.recordedAt, recorded);

    const build = attestation(facts, SLSA_PROVENANCE_V1).build!;
    assert.equal(build.builderId, BUILDER_ID);
    assert.deepEqual(build.toolchains, [{ name: 'gcc', version: '12.2.0' }]);
    assert.deepEqual(build.compilerFlags, { CFLAGS });
    assert.deepEqual(build.source, { uri: SOURCE_URI, digest: { gitCommit: SOURCE_COMMIT } });
    assert.equal(build.ci?.system, 'github-actions');
    assert.equal(build.ci?.runId, '4242');
    assert.equal(build.finishedOn, builtA.finishedOn);
    assert.ok(build.startedOn !== undefined && build.startedOn <= build.finishedOn!);

    // The package inventory is what `provenant sbom` reports, from each of the three statements that carry one.
    for (const type of [LAYERS_PREDICATE_TYPE, CYCLONEDX, SPDX]) {
      const a = attestation(facts, type);
      assert.deepEqual(tableOf(a.packages!), tableA, type);
      assert.deepEqual(a.osRelease, { distro: 'debian', versionId: '12' }, type);
    }
    const zlib = attestation(facts, LAYERS_PREDICATE_TYPE).packages!.find((p) => p.name === 'zlib1g');
    assert.deepEqual(zlib?.source, { name: 'zlib', version: '1:1.2.13.dfsg-1' });

    const other = await gatherFactsFromLog(log, refOf(B));
    assert.equal(other.signatures.length, 1);
    assert.deepEqual(tableOf(attestation(other, LAYERS_PREDICATE_TYPE).packages!), []);
    const used = new Set(evidence.map((e) => e.digest));
    for (const f of [...other.signatures, ...other.attestations]) assert.ok(!used.has(f.evidence.digest), 'no evidence is shared between the images');
  });
});

test('a revocation appended later is listed on the entry it revokes, with its signer; audits of the lineage record are facts', async () => {
  await withImagesLogged(async (log) => {
    const before = await gatherFactsFromLog(log, refOf(A));
    const slsa = attestation(before, SLSA_PROVENANCE_V1);
    assert.deepEqual(slsa.revocations, []);

    const revoker = SigningKey.generate('ecdsa-p256');
    const revocation = await log.append(await proposeRevocation({ target: slsa.evidence.digest as Digest, reason: 'the builder was compromised' }, revoker));
    const line = 'acme/app';
    const record = await log.append(await proposeLineageRecord({ line, artifact: { kind: 'oci-image', name: 'registry.example/acme/app', digest: A }, previous: null, sequence: 1 }, service));
    const auditor = SigningKey.generate('ed25519');
    const audit = await log.append(
      await proposeAudit({ record: record.entryDigest, line, artifact: { name: 'registry.example/acme/app', digest: A }, auditor: 'sec-team', type: 'vuln-scan', result: 'pass' }, auditor),
    );

    const after = await gatherFactsFromLog(log, refOf(A));
    const [revoked] = attestation(after, SLSA_PROVENANCE_V1).revocations;
    assert.equal(revoked?.signer.keyId, revoker.keyId);
    assert.equal(revoked?.reason, 'the builder was compromised');
    assert.deepEqual(revoked?.evidence, { kind: 'revocation', digest: revocation.entryDigest, logIndex: revocation.index.toString() });
    for (const a of after.attestations) if (a.predicateType !== SLSA_PROVENANCE_V1) assert.deepEqual(a.revocations, [], a.predicateType);
    assert.deepEqual(after.signatures[0]!.revocations, []);

    assert.equal(after.audits.length, 1);
    const [fact] = after.audits;
    assert.equal(fact!.auditor, 'sec-team');
    assert.equal(fact!.result, 'pass');
    assert.equal(fact!.signer.keyId, auditor.keyId);
    assert.deepEqual(fact!.evidence, { kind: 'audit', digest: audit.entryDigest, logIndex: audit.index.toString() });
    assert.deepEqual((await gatherFactsFromLog(log, refOf(B))).audits, []);
  });
});

/** The log, except that blob() answers `replace(digest)` where it gives something other than undefined. */
function withBlobs(log: LogService, replace: (digest: Digest) => { mediaType: string; data: Buffer } | null | undefined): LogService {
  return {
    info: () => log.info(),
    append: (p) => log.append(p),
    entry: (i) => log.entry(i),
    entryByLeafHash: (h) => log.entryByLeafHash(h),
    inclusionProof: (i, s) => log.inclusionProof(i, s),
    consistencyProof: (from, to) => log.consistencyProof(from, to),
    search: (q, p) => log.search(q, p),
    blob: async (d) => {
      const replaced = replace(d);
      return replaced === undefined ? log.blob(d) : replaced;
    },
    close: () => log.close(),
  };
}

async function envelopeDigestOf(log: LogService, fact: AttestationFact): Promise<Digest> {
  const description = describeEntry((await log.entry(BigInt(fact.evidence.logIndex!))).entryBytes);
  assert.equal(description.kind, 'attestation');
  return (description as { envelopeDigest: Digest }).envelopeDigest;
}

test('an attestation whose envelope the log lost, or whose blob is another envelope, is rejected, not a fact', async () => {
  await withImagesLogged(async (log) => {
    const facts = await gatherFactsFromLog(log, refOf(A));
    const slsa = attestation(facts, SLSA_PROVENANCE_V1);
    const slsaEnvelope = await envelopeDigestOf(log, slsa);
    const layersBlob = await log.blob(await envelopeDigestOf(log, attestation(facts, LAYERS_PREDICATE_TYPE)));
    assert.ok(layersBlob !== null);

    const cases: Array<[string, { mediaType: string; data: Buffer } | null, string]> = [
      ['lost', null, 'BLOB_NOT_FOUND'],
      ['swapped', layersBlob, 'DIGEST_MISMATCH'],
    ];
    for (const [name, blob, code] of cases) {
      const gathered = await gatherFactsFromLog(withBlobs(log, (d) => (d === slsaEnvelope ? blob : undefined)), refOf(A));
      assert.equal(gathered.attestations.filter((a) => a.predicateType === SLSA_PROVENANCE_V1).length, 0, name);
      assert.equal(gathered.attestations.length, facts.attestations.length - 1, name);
      assert.equal(gathered.rejected.length, 1, name);
      assert.equal(gathered.rejected[0]!.digest, slsa.evidence.digest, name);
      assert.ok(gathered.rejected[0]!.reason.startsWith(`${code}:`), `${name}: ${gathered.rejected[0]!.reason}`);
    }
  });
});

test('the work is bounded: more entries about the image than maxEntries is FACTS_TOO_MANY', async () => {
  await withImagesLogged(async (log) => {
    const count = (await indicesOf(log, { subject: A })).length;
    assert.equal((await gatherFactsFromLog(log, refOf(A), { maxEntries: count })).attestations.length, count - 1);
    await assert.rejects(gatherFactsFromLog(log, refOf(A), { maxEntries: count - 1 }), (e) => isProvenantError(e, 'FACTS_TOO_MANY'));
    await assert.rejects(gatherFactsFromLog(log, refOf(A), { maxEntries: 0 }), (e) => isProvenantError(e, 'USAGE'));
  });
});
