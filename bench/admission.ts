// Admission webhook throughput and latency over HTTPS on loopback: `provenant serve`'s validating webhook (real
// SQLite store and log holding an image's signed SLSA and layers provenance, a one-rule policy requiring the SLSA
// attestation) answering AdmissionReviews for a Deployment whose image is pinned by digest, from --concurrency
// keep-alive connections. Warm path: the decision cache and the digest are known after the first review.
// Baseline, same server, same connections: GET /healthz (the HTTP/TLS floor). Also counted: registry lookups per
// admission of an already-seen digest (a pinned digest and a cached tag need none).
// Usage: node --import tsx bench/admission.ts [--requests 20000] [--concurrency 64]
import { Agent, request } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKey } from '../src/crypto/index.js';
import { noteSignerFromKey } from '../src/formats/signed-note.js';
import { prepareEntry } from '../src/log/entries/index.js';
import { TransparencyLog } from '../src/log/transparency-log.js';
import { buildServer } from '../src/server/app.js';
import { policyEngine } from '../src/server/policy-wiring.js';
import { createToken, TokenStore } from '../src/server/tokens.js';
import { openLogStore } from '../src/store/open-log-store.js';
import { IMAGE_NAME, recordBuiltImage } from '../test/policy/runtime/runtime-fixtures.js';
import { selfSignedCertificate } from '../test/server/server-fixture.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const total = option('--requests', 20_000);
const concurrency = option('--concurrency', 64);

const dir = await mkdtemp(join(tmpdir(), 'bench-admission-'));
const service = SigningKey.generate('ed25519');
const builder = SigningKey.generate('ecdsa-p256');
const store = await openLogStore({ dataDir: join(dir, 'data') });
const log = await TransparencyLog.open({ store, origin: 'bench.admission/log', signer: noteSignerFromKey('bench.admission/log', service), prepare: prepareEntry });
const built = await recordBuiltImage(log, dir, builder);
let registryLookups = 0;
const engine = policyEngine({
  log,
  store,
  signer: service,
  policyKeys: [],
  reputationKeys: [],
  noMatch: 'deny',
  reevaluateIntervalMs: 0,
  admission: {
    digestLookup: async () => {
      registryLookups++;
      return built.digest;
    },
  },
});
const tokens = join(dir, 'tokens.json');
const token = await createToken(tokens, 'bench', ['write']);
const tls = await selfSignedCertificate(dir);
const app = await buildServer({ log, tokens: await TokenStore.open(tokens), readAuth: 'open', logger: false, tls, extraRoutes: [engine] });
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as { port: number }).port;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: tls.cert });

function send(method: 'GET' | 'POST', path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pem = builder.publicKeyPem().trimEnd().split('\n').map((l) => `        ${l}`).join('\n');
const policy = `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: bench\nspec:\n  attestors:\n    - key: |\n${pem}\n  rules:\n    - name: slsa\n      attestation:\n        predicateTypes: [https://slsa.dev/provenance/v1]\n`;
const applied = await send('POST', '/api/v1/policies', policy, { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' });
if (applied.status !== 200) throw new Error(`policy: ${applied.text}`);

const review = (n: number): string =>
  JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      namespace: 'shop',
      operation: 'CREATE',
      object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web' }, spec: { template: { metadata: {}, spec: { containers: [{ name: 'web', image: `${IMAGE_NAME}:1.0@${built.digest}` }] } } } },
      oldObject: null,
      dryRun: false,
    },
  });

async function run(what: string, one: (n: number) => Promise<void>): Promise<{ what: string; perSecond: number; p50: number; p99: number; max: number }> {
  const times: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next++; n < total; n = next++) {
        const t0 = process.hrtime.bigint();
        await one(n);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  times.sort((a, b) => a - b);
  const pct = (p: number): number => times[Math.min(times.length - 1, Math.floor(times.length * p))]!;
  return { what, perSecond: total / seconds, p50: pct(0.5), p99: pct(0.99), max: times[times.length - 1]! };
}

try {
  const first = JSON.parse((await send('POST', '/admission/validate', review(0))).text) as { response: { allowed: boolean } };
  if (!first.response.allowed) throw new Error('the benchmark image is not admitted');
  const cold = registryLookups;
  await run('warm-up', async (n) => void (await send('POST', '/admission/validate', review(n))));
  const before = registryLookups;
  const admission = await run('validate', async (n) => {
    const r = await send('POST', '/admission/validate', review(n));
    if (r.status !== 200) throw new Error(r.text);
  });
  const after = registryLookups;
  const baseline = await run('healthz', async () => void (await send('GET', '/healthz')));
  console.log(`| what (${total} requests, ${concurrency} connections, HTTPS, loopback) | per second | p50 (ms) | p99 (ms) | max (ms) |`);
  console.log('|---|---|---|---|---|');
  for (const r of [admission, baseline]) console.log(`| ${r.what} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} |`);
  console.log(`| ratio admission/healthz (throughput) | ${(admission.perSecond / baseline.perSecond).toFixed(2)}x | | | |`);
  console.log(`\nregistry lookups: ${cold} for the first review (pinned digest), ${after - before} during ${total} admissions of the same digest`);
} finally {
  agent.destroy();
  await app.close();
  await log.close();
  await rm(dir, { recursive: true, force: true });
}
