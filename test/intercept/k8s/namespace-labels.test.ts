// Namespace labels read from the Kubernetes API for namespaceSelector. No cluster runs here, so the API server is a
// stand-in: a real HTTPS server (self-signed certificate, bearer token checked) answering
// GET /api/v1/namespaces/{name} the way the API server does. The webhook end to end reads labels from it and the
// policy engine matches on them; an unreadable namespace fails the admission by the failure policy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest, type Digest } from '../../../src/core/digest.js';
import { SigningKey } from '../../../src/crypto/index.js';
import { noteSignerFromKey } from '../../../src/formats/signed-note.js';
import { inClusterAccess, namespaceLabelsFromApi, type KubeApiAccess } from '../../../src/intercept/k8s/kube-api.js';
import { NamespaceLabels } from '../../../src/intercept/k8s/namespace-labels.js';
import { prepareEntry } from '../../../src/log/entries/index.js';
import { TransparencyLog } from '../../../src/log/transparency-log.js';
import { buildServer } from '../../../src/server/app.js';
import { policyEngine } from '../../../src/server/policy-wiring.js';
import { createToken, TokenStore } from '../../../src/server/tokens.js';
import { openLogStore } from '../../../src/store/open-log-store.js';
import { createReview } from '../../helpers/admission-review.js';
import { selfSignedCertificate } from '../../server/server-fixture.js';
import { isCode } from '../../store/store-under-test.js';

const NAMESPACES: Record<string, Record<string, string> | undefined> = { payments: { env: 'prod', team: 'pay' }, sandbox: { env: 'dev' }, bare: undefined };
let dir: string;
let tls: { cert: string; key: string };
let apiServer: Server;
let access: KubeApiAccess;
let tokenFile: string;
let token = 'first-token';
const requests: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'provenant-kube-api-'));
  tls = await selfSignedCertificate(dir);
  tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${token}\n`);
  apiServer = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    const name = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(req.url ?? '')?.[1];
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return json(401, { kind: 'Status', code: 401 });
    if (name === 'forbidden') return json(403, { kind: 'Status', code: 403 });
    if (name === 'garbage') return void res.end('{"kind":"Namespace","metadata":');
    if (name === 'numbers') return json(200, { kind: 'Namespace', metadata: { name, labels: { env: 7 } } });
    if (name === 'other') return json(200, { kind: 'Namespace', metadata: { name: 'payments', labels: {} } });
    if (name === 'huge') return json(200, { kind: 'Namespace', metadata: { name, labels: { big: 'x'.repeat(2 * 1024 * 1024) } } });
    if (name === 'slow') return void setTimeout(() => json(200, { kind: 'Namespace', metadata: { name } }), 2_000);
    if (name === undefined || !(name in NAMESPACES)) return json(404, { kind: 'Status', code: 404 });
    const labels = NAMESPACES[name];
    json(200, { kind: 'Namespace', apiVersion: 'v1', metadata: { name, uid: 'u', ...(labels === undefined ? {} : { labels }) }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  });
  await new Promise<void>((resolve) => apiServer.listen(0, '127.0.0.1', resolve));
  access = { server: `https://127.0.0.1:${(apiServer.address() as { port: number }).port}`, tokenFile, ca: tls.cert, timeoutMs: 500 };
});

after(async () => {
  await new Promise((resolve) => apiServer.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

test('labels are read with the bearer token, re-read from its file; every bad answer is CLUSTER_API_UNAVAILABLE (stand-in API server)', async () => {
  assert.deepEqual(await namespaceLabelsFromApi(access, 'payments'), { env: 'prod', team: 'pay' });
  assert.deepEqual(await namespaceLabelsFromApi(access, 'bare'), {});
  assert.match(requests.at(-1)!, /^GET \/api\/v1\/namespaces\/bare Bearer first-token$/);
  token = 'rotated-token';
  await writeFile(tokenFile, token);
  assert.deepEqual(await namespaceLabelsFromApi(access, 'sandbox'), { env: 'dev' });
  const refused = async (name: string, status?: number): Promise<void> => {
    await assert.rejects(namespaceLabelsFromApi(access, name), (e: unknown) => isCode('CLUSTER_API_UNAVAILABLE')(e) && (status === undefined || (e as { details?: { status?: number } }).details?.status === status), name);
  };
  await refused('missing', 404);
  await refused('forbidden', 403);
  for (const name of ['garbage', 'numbers', 'other', 'huge', 'slow', 'Not_A_Name', '../secrets']) await refused(name);
  const before = requests.length;
  await refused('x/../../api');
  assert.equal(requests.length, before, 'an invalid name is refused without a request');
  await assert.rejects(namespaceLabelsFromApi({ ...access, ca: undefined }, 'payments'), isCode('CLUSTER_API_UNAVAILABLE'), 'a certificate that does not chain to the CA');
  await assert.rejects(namespaceLabelsFromApi({ ...access, server: 'https://127.0.0.1:1' }, 'payments'), isCode('CLUSTER_API_UNAVAILABLE'));
  await writeFile(tokenFile, '');
  await assert.rejects(namespaceLabelsFromApi(access, 'payments'), isCode('CLUSTER_API_UNAVAILABLE'), 'an empty token');
  await writeFile(tokenFile, token);
});

test('in-cluster access from the service account directory, only in a pod', async () => {
  const sa = join(dir, 'sa');
  assert.equal(await inClusterAccess({}, sa), undefined);
  await assert.rejects(inClusterAccess({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, sa), isCode('CLUSTER_API_UNAVAILABLE'));
  await rm(sa, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(sa));
  await writeFile(join(sa, 'ca.crt'), tls.cert);
  assert.deepEqual(await inClusterAccess({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, sa), { server: 'https://10.96.0.1:443', tokenFile: join(sa, 'token'), ca: tls.cert });
  assert.equal((await inClusterAccess({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, sa))?.server, 'https://[fd00::1]:443');
});

test('the cache: one request per namespace per TTL, shared by concurrent reads; failures are not kept', async () => {
  let now = 1_000;
  let calls = 0;
  let fail = false;
  const cache = new NamespaceLabels({
    ttlMs: 30_000,
    now: () => now,
    fetch: async (ns) => {
      calls++;
      await new Promise((resolve) => setImmediate(resolve));
      if (fail) throw new Error('down');
      return { ns, call: String(calls) };
    },
  });
  const together = await Promise.all([cache.labels('a'), cache.labels('a'), cache.labels('a')]);
  assert.equal(calls, 1);
  assert.deepEqual(together[0], { ns: 'a', call: '1' });
  now += 29_999;
  assert.deepEqual(await cache.labels('a'), { ns: 'a', call: '1' });
  now += 1;
  fail = true;
  await assert.rejects(cache.labels('a'), /down/);
  await assert.rejects(cache.labels('a'), /down/);
  assert.equal(calls, 3, 'a failure is asked again');
  fail = false;
  assert.deepEqual(await cache.labels('a'), { ns: 'a', call: '4' });
  assert.deepEqual(cache.stats(), { fetches: 4, cached: 1 });
});

test('the webhook matches namespaceSelector on labels read from the API; an unreadable namespace fails closed (stand-in API server)', async () => {
  const store = await openLogStore({ dataDir: join(dir, 'data') });
  const key = SigningKey.generate('ed25519');
  const log = await TransparencyLog.open({ store, origin: 'labels.test/log', signer: noteSignerFromKey('labels.test/log', key), prepare: prepareEntry, maxDelayMs: 0 });
  const tokens = join(dir, 'tokens.json');
  const writeToken = await createToken(tokens, 'w', ['write']);
  const engine = policyEngine({
    log, store, signer: key, policyKeys: [], reputationKeys: [], noMatch: 'allow', reevaluateIntervalMs: 0,
    admission: { digestLookup: async (ref): Promise<Digest> => sha256Digest(ref.toString()), namespaceLabels: (ns) => namespaceLabelsFromApi(access, ns) },
  });
  const app = await buildServer({ log, tokens: await TokenStore.open(tokens), readAuth: 'open', logger: false, extraRoutes: [engine] });
  try {
    const policy = 'apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata: {name: prod-only}\nspec:\n  match:\n    namespaceSelector: {matchLabels: {env: prod}}\n  rules:\n    - name: never-in-prod\n      expression: {cel: "false"}\n';
    const applied = await app.inject({ method: 'POST', url: '/api/v1/policies', payload: policy, headers: { authorization: `Bearer ${writeToken}`, 'content-type': 'application/yaml' } });
    assert.equal(applied.statusCode, 200, applied.body);
    const admit = async (namespace: string) => {
      const review = createReview({ uid: `uid-${namespace}`, namespace, images: ['registry.example/app:1.0'] });
      const res = await app.inject({ method: 'POST', url: '/admission/validate', payload: review });
      assert.equal(res.statusCode, 200);
      return (res.json() as { response: { uid: string; allowed: boolean; status?: { message: string } } }).response;
    };
    const prod = await admit('payments');
    assert.equal(prod.allowed, false);
    assert.match(prod.status!.message, /prod-only\/never-in-prod/);
    assert.equal((await admit('sandbox')).allowed, true, 'env=dev: the policy does not match, unmatched is allow');
    const unknown = await admit('missing');
    assert.equal(unknown.allowed, false);
    assert.match(unknown.status!.message, /CLUSTER_API_UNAVAILABLE: namespace missing does not exist \(failure policy: fail closed\)/);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /^provenant_image_verification_failures_total\{reason="error",namespace="missing"\} 1$/m);
  } finally {
    await app.close();
    await log.close();
  }
});
