// Admission webhook throughput and latency over HTTPS on loopback: `provenant serve`'s validating webhook (real
// SQLite store and log holding an image's signed SLSA and layers provenance, a one-rule policy requiring the SLSA
// attestation) answering AdmissionReviews for a Deployment whose image is pinned by digest, from --concurrency
// keep-alive connections. Warm path: the decision cache and the digest are known after the first review.
// Baseline, same server, same connections: GET /healthz (the HTTP/TLS floor). Also counted: registry lookups per
// admission of an already-seen digest (a pinned digest and a cached tag need none).
// Usage: node --import tsx bench/admission.ts [--requests 20000] [--concurrency 64]
import { Agent, request } from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
import { createReview } from '../test/helpers/admission-review.js';
import { selfSignedCertificate } from '../test/server/server-fixture.js';
import { generateLoad, latencyRow, type LatencyRow, type LoadSpec } from './load-generator.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const total = option('--requests', 20_000);
const concurrency = option('--concurrency', 64);
const rates = (args.includes('--rates') ? args[args.indexOf('--rates') + 1]! : '1000,3000').split(',').filter((r) => r !== '').map(Number);

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
// The service logs as `provenant serve` does (request lines and a decision line per admission), to a sink.
const sink = { write: (_line: string): void => undefined };
const app = await buildServer({ log, tokens: await TokenStore.open(tokens), readAuth: 'open', logger: { level: 'info', stream: sink }, tls, extraRoutes: [engine] });
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

const reviewTemplate = JSON.stringify(createReview({ uid: '00000000-0000-0000-0000-{{n}}', namespace: 'shop-{{k}}', kind: 'Deployment', name: 'web', images: [`${IMAGE_NAME}:1.0@${built.digest}`] }));

interface Row extends LatencyRow {
  /** The server thread's event-loop delay during the run: p99 and max (ms). */
  readonly loopP99: number;
  readonly loopMax: number;
}

/** The decision log's writes and commits so far, from the service's /metrics. */
async function engineWrites(): Promise<{ decisions: number; batches: number }> {
  const text = (await send('GET', '/metrics')).text;
  const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { decisions: value('provenant_decision_log_decisions_total'), batches: value('provenant_decision_log_commits_total') };
}

/** Runs the load generator in a worker thread (its own event loop) against this process's server. */
async function load(what: string, spec: Omit<LoadSpec, 'port' | 'ca' | 'connections' | 'requests'> & { requests?: number }): Promise<Row> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const r = await generateLoad(what, { port, ca: tls.cert, connections: concurrency, requests: total, ...spec });
  loop.disable();
  return { ...latencyRow(what, r.requests, r.seconds, r.latencies), loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6 };
}

try {
  const first = JSON.parse((await send('POST', '/admission/validate', reviewTemplate.replace('{{n}}', 'first0000000'))).text) as { response: { allowed: boolean } };
  if (!first.response.allowed) throw new Error('the benchmark image is not admitted');
  const cold = registryLookups;
  const validate = { method: 'POST', path: '/admission/validate', bodyTemplate: reviewTemplate, expectStatus: 200 } as const;
  await load('warm-up', { ...validate, requests: Math.min(total, 2_000) });
  const before = registryLookups;
  const writes = await engineWrites();
  const rows: Row[] = [];
  rows.push(await load('validate, closed loop', validate));
  for (const rate of rates) rows.push(await load(`validate, open loop at ${rate}/s`, { ...validate, rate }));
  const after = registryLookups;
  const written = await engineWrites();
  rows.push(await load('healthz, closed loop', { method: 'GET', path: '/healthz', expectStatus: 200 }));
  for (const rate of rates) rows.push(await load(`healthz, open loop at ${rate}/s`, { method: 'GET', path: '/healthz', expectStatus: 200, rate }));
  console.log(`| what (${total} requests each, ${concurrency} connections, HTTPS, loopback, generator in a worker thread) | per second | p50 (ms) | p99 (ms) | max (ms) | server event-loop delay p99 / max (ms) |`);
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.what} | ${Math.round(r.perSecond)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${r.loopP99.toFixed(1)} / ${r.loopMax.toFixed(1)} |`);
  const closed = (prefix: string): Row => rows.find((r) => r.what === `${prefix}, closed loop`)!;
  console.log(`| ratio admission/healthz (closed-loop throughput) | ${(closed('validate').perSecond / closed('healthz').perSecond).toFixed(2)}x | | | |`);
  const decisions = written.decisions - writes.decisions;
  const batches = written.batches - writes.batches;
  console.log(`\nregistry lookups: ${cold} for the first review (pinned digest), ${after - before} during the measured admissions of the same digest`);
  console.log(`decision log: ${decisions} decisions in ${batches} transactions (${(decisions / Math.max(1, batches)).toFixed(1)} per commit)`);
} finally {
  agent.destroy();
  await app.close();
  await log.close();
  await rm(dir, { recursive: true, force: true });
}
