// The admission webhook's cold path with a real CNCF distribution registry on loopback (`docker-registry`, as in the
// integration suite): --images distinct images, each pushed with a signed SLSA provenance and layers statement and a
// cosign signature attached in the registry, and recorded in the log the way the registry's push notification
// records them (attachments fetched from the registry and verified, then appended). Then each image is admitted
// once, by tag, over HTTPS: the tag resolved at the registry, the image's log entries read and every envelope
// verified again, the policy evaluated, the decision recorded. First one at a time (latency without queueing), then
// a second set of fresh images from --concurrency connections. Baseline, same process: the registry HEAD request
// that resolves each tag, alone. Then the same images admitted again (warm: 0 registry calls for pinned digests).
// Usage: node --import tsx bench/admission-cold.ts [--images 100] [--concurrency 16]
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEnvironment } from '../src/analyze/environment/build-environment.js';
import { analyzeImage } from '../src/analyze/image-analysis.js';
import { attestImage } from '../src/attest/attestations.js';
import { provenanceDocuments } from '../src/attest/provenance.js';
import { signImage } from '../src/attest/signatures.js';
import { loadVerifier, SigningKey } from '../src/crypto/index.js';
import { noteSignerFromKey } from '../src/formats/signed-note.js';
import { recordImage } from '../src/ingest/record-image.js';
import { prepareEntry } from '../src/log/entries/index.js';
import { TransparencyLog } from '../src/log/transparency-log.js';
import { OciLayout } from '../src/oci/layout.js';
import { openRepository } from '../src/oci/open-image.js';
import { RegistryClient } from '../src/oci/registry/index.js';
import { resolveImage } from '../src/oci/resolve.js';
import { buildServer } from '../src/server/app.js';
import { policyEngine } from '../src/server/policy-wiring.js';
import { createToken, TokenStore } from '../src/server/tokens.js';
import { openLogStore } from '../src/store/open-log-store.js';
import { createReview } from '../test/helpers/admission-review.js';
import { buildImage, writeOciLayout } from '../test/helpers/oci-image.js';
import { startRegistry } from '../test/helpers/registry.js';
import { selfSignedCertificate } from '../test/server/server-fixture.js';
import { GLIBC_LAYERS } from '../test/policy/runtime/runtime-fixtures.js';
import { generateLoad, latencyRow, type LatencyRow, type LoadSpec } from './load-generator.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const images = option('--images', 100);
const concurrency = option('--concurrency', 16);

const dir = await mkdtemp(join(tmpdir(), 'bench-admission-cold-'));
const registry = await startRegistry();
const service = SigningKey.generate('ed25519');
const builder = SigningKey.generate('ecdsa-p256');
const store = await openLogStore({ dataDir: join(dir, 'data') });
const log = await TransparencyLog.open({ store, origin: 'bench.cold/log', signer: noteSignerFromKey('bench.cold/log', service), prepare: prepareEntry, maxDelayMs: 0 });
const SLSA = 'https://slsa.dev/provenance/v1';

/** Builds, pushes, attests and signs image `n` in the registry; records it in the log; returns its tag reference. */
async function publish(n: number): Promise<{ reference: string; recordMs: number }> {
  const image = await buildImage({ layers: [...GLIBC_LAYERS, { createdBy: `app ${n}`, files: { [`srv/app-${n}`]: `app ${n}\n` } }] });
  const layout = join(dir, `layout-${n}`);
  await writeOciLayout(layout, image.blobs, [{ manifest: image.manifest, name: '1.0' }]);
  const local = await OciLayout.open(layout, '1.0');
  const analysis = await analyzeImage(local, await resolveImage(local));
  const name = `${registry.host}/cold/app-${n}`;
  const reference = `${name}:1.0`;
  const repo = await openRepository(reference);
  for (const [digest, bytes] of image.blobs) if (digest !== image.manifest.digest) await repo.pushBlob(bytes, 'application/octet-stream');
  await repo.pushManifest(image.manifest, '1.0');
  const environment = buildEnvironment({ kernel: { release: '6.1.0-13-amd64', machine: 'x86_64' }, env: new Map(), toolchains: [] }, { salt: randomBytes(32), allowInClear: [], builderId: 'https://builder.example/v1' });
  const documents = provenanceDocuments({
    analysis, imageName: name, imageReference: reference, digest: image.manifest.digest, tag: '1.0', buildEnvironment: environment,
    builderId: 'https://builder.example/v1', toolVersion: '0.1.0', startedOn: new Date(Date.now() - 60_000), finishedOn: new Date(), uuid: randomUUID(),
  });
  for (const kind of ['slsa', 'layers'] as const) {
    const doc = documents.find((d) => d.kind === kind)!;
    await attestImage({ repo, subject: image.manifest, subjectName: name, signer: builder, predicateType: doc.predicateType, predicate: doc.predicate, mode: 'legacy' });
  }
  await signImage({ repo, dockerReference: name, digest: image.manifest.digest, signer: builder });
  const t0 = performance.now();
  await recordImage({ log, repo, signer: service, trustedKeys: [loadVerifier(builder.publicKeyPem())], registry: registry.host, repository: `cold/app-${n}`, image: image.manifest.digest });
  return { reference, recordMs: performance.now() - t0 };
}

const tokens = join(dir, 'tokens.json');
const token = await createToken(tokens, 'bench', ['write']);
const tls = await selfSignedCertificate(dir);
const engine = policyEngine({ log, store, signer: service, policyKeys: [], reputationKeys: [], noMatch: 'deny', reevaluateIntervalMs: 0 });
const app = await buildServer({ log, tokens: await TokenStore.open(tokens), readAuth: 'open', logger: false, tls, extraRoutes: [engine] });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;

const pem = (indent: string): string => builder.publicKeyPem().trimEnd().split('\n').map((l) => `${indent}${l}`).join('\n');
const policy = `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: cold\nspec:\n  attestors:\n    - key: |\n${pem('        ')}\n  rules:\n    - name: signed\n      signature:\n        signers:\n          - key: |\n${pem('              ')}\n    - name: slsa\n      attestation:\n        predicateTypes: [${SLSA}]\n`;
const applied = await app.inject({ method: 'POST', url: '/api/v1/policies', payload: policy, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' } });
if (applied.statusCode !== 200) throw new Error(`policy: ${applied.body}`);

const review = (image: string, n: number): string => JSON.stringify(createReview({ uid: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`, namespace: 'shop', name: `p-${n}`, images: [image] }));


async function load(what: string, bodies: string[], connections: number): Promise<LatencyRow> {
  const spec: LoadSpec = { port, ca: tls.cert, method: 'POST', path: '/admission/validate', bodies, requests: bodies.length, connections, expectStatus: 200, expectAllowed: true };
  const r = await generateLoad(what, spec);
  return latencyRow(what, r.requests, r.seconds, r.latencies);
}

try {
  const published: { reference: string; recordMs: number }[] = [];
  for (let n = 0; n < 2 * images; n++) published.push(await publish(n));
  const first = published.slice(0, images).map((p) => p.reference);
  const second = published.slice(images).map((p) => p.reference);
  const rows: LatencyRow[] = [];
  // Warm the webhook's connections and code with an image outside the measured sets.
  const extra = await publish(2 * images);
  await load('warm-up', Array.from({ length: concurrency }, (_, i) => review(extra.reference, 1_000_000 + i)), concurrency);
  rows.push(await load('cold admissions, one at a time', first.map((ref, i) => review(ref, i)), 1));
  rows.push(await load(`cold admissions, ${concurrency} connections`, second.map((ref, i) => review(ref, images + i)), concurrency));
  rows.push(await load('the same images again (warm), one at a time', first.map((ref, i) => review(ref, 2 * images + i)), 1));

  // Baseline: the registry HEAD that resolves each tag, alone, one at a time, from this process.
  const heads: number[] = [];
  const started = performance.now();
  for (const ref of first) {
    const repository = ref.slice(registry.host.length + 1, ref.lastIndexOf(':'));
    const client = new RegistryClient({ registry: registry.host, repository, tag: '1.0' });
    const t0 = performance.now();
    await client.headManifest('1.0');
    heads.push(performance.now() - t0);
    await client.close();
  }
  rows.push(latencyRow('baseline: registry HEAD of the tag alone', first.length, (performance.now() - started) / 1000, heads.sort((a, b) => a - b)));
  const records = published.map((p) => p.recordMs).sort((a, b) => a - b);
  rows.push(latencyRow('recording an image at push (attachments fetched, verified, appended)', records.length, records.reduce((a, b) => a + b, 0) / 1000, records));

  console.log(`| what (${images} distinct images per set, HTTPS webhook, registry on loopback) | per second | p50 (ms) | p99 (ms) | max (ms) |`);
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.what} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} |`);
  const cold = rows[0]!;
  const head = rows.find((r) => r.what.startsWith('baseline'))!;
  console.log(`| ratio cold admission / registry HEAD (p50) | ${(cold.p50 / head.p50).toFixed(1)}x | | | |`);
} finally {
  await app.close();
  await log.close();
  await registry.stop();
  await rm(dir, { recursive: true, force: true });
}
