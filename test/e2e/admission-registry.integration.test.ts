// The admission webhooks end to end with a real CNCF distribution registry: images built, attested and signed by
// Provenant are pushed there and recorded in the log (as the registry's notifications would record them); the
// webhook resolves tags to digests at the registry, decides, and answers. An image built and signed is admitted;
// the same tag moved to another image after the signature, an unsigned image and an image with a blocked
// dependency are denied with reasons; an image built on an untrusted base is admitted with the sandbox patch; a
// CronJob and an ephemeral container are gated too; with the registry stopped, the webhook answers within its budget
// and fails closed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadVerifier, SigningKey } from '../../src/crypto/index.js';
import { noteSignerFromKey } from '../../src/formats/signed-note.js';
import { recordImage } from '../../src/ingest/record-image.js';
import { prepareEntry } from '../../src/log/entries/index.js';
import { TransparencyLog } from '../../src/log/transparency-log.js';
import { openRepository } from '../../src/oci/open-image.js';
import { buildServer } from '../../src/server/app.js';
import { policyEngine } from '../../src/server/policy-wiring.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { openLogStore } from '../../src/store/open-log-store.js';
import { keyFiles, type KeyFiles } from '../cli/cli-helpers.js';
import { buildImage, type LayerSpec, type TestImage } from '../helpers/oci-image.js';
import { startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { buildAndSign, toolchainBin } from '../policy/facts/facts-fixtures.js';

const OS = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';
const libssl = (v: string) => `Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: ${v}\nDescription: TLS\n`;
const layers = (openssl: string, marker: string): LayerSpec[] => [{ createdBy: marker, files: { 'etc/os-release': OS, 'var/lib/dpkg/status': libssl(openssl), [`etc/${marker}`]: marker } }];
const BASE = `sha256:${'b'.repeat(64)}`;

let registry: RunningRegistry;
let key: KeyFiles;
let app: FastifyInstance;
let dir: string;
let log: TransparencyLog;
const service = SigningKey.generate('ed25519');

async function push(image: TestImage, reference: string): Promise<void> {
  const repo = await openRepository(reference);
  for (const [digest, bytes] of image.blobs) if (digest !== image.manifest.digest) await repo.pushBlob(bytes, 'application/octet-stream');
  await repo.pushManifest(image.manifest, reference.slice(reference.lastIndexOf(':') + 1));
}

/** Pushes, builds and signs (unless `sign` is false) and records the registry's attachments in the log. */
async function published(name: string, image: TestImage, opts: { sign?: boolean; buildArgs?: string[] } = {}): Promise<string> {
  const ref = `${registry.host}/acme/${name}:1.0`;
  await push(image, ref);
  if (opts.sign !== false) await buildAndSign(ref, key.key, await toolchainBin(dir), join(dir, `out-${name}`), opts.buildArgs ?? []);
  const repo = await openRepository(ref);
  await recordImage({ log, repo, signer: service, trustedKeys: [loadVerifier(key.pair.publicKeyPem)], registry: registry.host, repository: `acme/${name}`, image: image.manifest.digest });
  return ref;
}

function policyYaml(): string {
  const pem = key.pair.publicKeyPem.trimEnd().split('\n').map((l) => `        ${l}`).join('\n');
  const signer = key.pair.publicKeyPem.trimEnd().split('\n').map((l) => `              ${l}`).join('\n');
  return `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: cluster
spec:
  match:
    images: ["${registry.host}/acme/**"]
  attestors:
    - key: |
${pem}
  rules:
    - name: signed
      signature:
        signers:
          - key: |
${signer}
    - name: no-old-openssl
      dependencies:
        blocked: [{ecosystem: deb, name: openssl, versions: "<3.0.7"}]
    - name: trusted-base
      action: sandbox
      sandbox: {runtimeClassName: gvisor, readOnlyRootFilesystem: true}
      dependencies:
        trustedSources: ["oci://${registry.host}/**", "git+https://github.com/acme/**"]
`;
}

function review(kind: 'Pod' | 'CronJob', image: string, extra: Record<string, unknown> = {}): object {
  const pod = { containers: [{ name: 'app', image }] };
  const object = kind === 'Pod' ? { kind, apiVersion: 'v1', metadata: { name: 'p' }, spec: pod } : { kind, apiVersion: 'batch/v1', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { metadata: {}, spec: pod } } } } };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${Math.random().toString(16).slice(2)}`,
      kind: { group: kind === 'Pod' ? '' : 'batch', version: 'v1', kind },
      resource: { group: kind === 'Pod' ? '' : 'batch', version: 'v1', resource: kind === 'Pod' ? 'pods' : 'cronjobs' },
      namespace: 'shop',
      operation: 'CREATE',
      object,
      oldObject: null,
      dryRun: false,
      ...extra,
    },
  };
}

async function ask(path: string, body: object): Promise<{ uid: string; allowed: boolean; status?: { message: string }; patch?: string; warnings?: string[] }> {
  const res = await app.inject({ method: 'POST', url: path, payload: body, headers: { 'content-type': 'application/json' } });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { response: never }).response;
}

let signedRef: string;
let movedRef: string;
let unsignedRef: string;
let oldSslRef: string;
let hubBaseRef: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'provenant-admission-e2e-'));
  registry = await startRegistry();
  key = await keyFiles(join(dir, 'cosign'));
  const store = await openLogStore({ dataDir: join(dir, 'data') });
  log = await TransparencyLog.open({ store, origin: 'admission.e2e/log', signer: noteSignerFromKey('admission.e2e/log', service), prepare: prepareEntry, maxDelayMs: 0 });
  signedRef = await published('signed', await buildImage({ layers: layers('3.0.11-1~deb12u2', 'signed') }), { buildArgs: ['--base-image', `${registry.host}/base/debian:12@${BASE}`] });
  movedRef = await published('moved', await buildImage({ layers: layers('3.0.11-1~deb12u2', 'moved') }), { buildArgs: ['--base-image', `${registry.host}/base/debian:12@${BASE}`] });
  // After the signature, the tag is moved to another image that nobody signed.
  await push(await buildImage({ layers: layers('3.0.11-1~deb12u2', 'moved-after-signing') }), movedRef);
  unsignedRef = await published('unsigned', await buildImage({ layers: layers('3.0.11-1~deb12u2', 'unsigned') }), { sign: false });
  oldSslRef = await published('old-ssl', await buildImage({ layers: layers('3.0.2-0ubuntu1', 'old-ssl') }), { buildArgs: ['--base-image', `${registry.host}/base/debian:12@${BASE}`] });
  hubBaseRef = await published('hub-base', await buildImage({ layers: layers('3.0.11-1~deb12u2', 'hub') }), { buildArgs: ['--base-image', `docker.io/library/debian:12@${BASE}`] });
  const tokens = join(dir, 'tokens.json');
  const token = await createToken(tokens, 'w', ['write']);
  const engine = policyEngine({ log, store, signer: service, policyKeys: [], reputationKeys: [], noMatch: 'deny', reevaluateIntervalMs: 0, admission: { budgetMs: 3_000 } });
  app = await buildServer({ log, tokens: await TokenStore.open(tokens), readAuth: 'open', logger: false, extraRoutes: [engine] });
  const applied = await app.inject({ method: 'POST', url: '/api/v1/policies', payload: policyYaml(), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' } });
  assert.equal(applied.statusCode, 200, applied.body);
});

after(async () => {
  await app?.close();
  await log?.close();
  await registry?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a built, attested and signed image is admitted; its digest is recorded in the patch', async () => {
  const validated = await ask('/admission/validate', review('Pod', signedRef));
  assert.equal(validated.allowed, true, JSON.stringify(validated));
  const mutated = await ask('/admission/mutate', review('Pod', signedRef));
  const ops = JSON.parse(Buffer.from(mutated.patch!, 'base64').toString('utf8')) as { path: string; value: unknown }[];
  assert.ok(ops.some((o) => o.path === '/metadata/annotations/provenant.dev~1resolved-images' && String(o.value).includes('sha256:')));
});

test('a tag moved after signing, an unsigned image and a blocked dependency are denied with reasons', async () => {
  const moved = await ask('/admission/validate', review('Pod', movedRef));
  assert.equal(moved.allowed, false);
  assert.match(moved.status!.message, /cluster\/signed/);
  const unsigned = await ask('/admission/validate', review('Pod', unsignedRef));
  assert.equal(unsigned.allowed, false);
  assert.match(unsigned.status!.message, /cluster\/signed/);
  const oldSsl = await ask('/admission/validate', review('Pod', oldSslRef));
  assert.equal(oldSsl.allowed, false);
  assert.match(oldSsl.status!.message, /cluster\/no-old-openssl/);
});

test('an image built on an untrusted base is admitted with the sandbox patch; CronJobs and ephemeral containers are gated', async () => {
  const mutated = await ask('/admission/mutate', review('Pod', hubBaseRef));
  assert.equal(mutated.allowed, true, JSON.stringify(mutated));
  const ops = JSON.parse(Buffer.from(mutated.patch!, 'base64').toString('utf8')) as { path: string; value: unknown }[];
  assert.ok(ops.some((o) => o.path === '/spec/runtimeClassName' && o.value === 'gvisor'));
  assert.ok(ops.some((o) => o.path === '/spec/containers/0/securityContext/readOnlyRootFilesystem' && o.value === true));
  assert.equal((await ask('/admission/validate', review('CronJob', unsignedRef))).allowed, false);
  assert.equal((await ask('/admission/validate', review('CronJob', signedRef))).allowed, true);
  const debug = review('Pod', signedRef, { operation: 'UPDATE', subResource: 'ephemeralcontainers' }) as { request: { object: { spec: Record<string, unknown> }; oldObject: unknown } };
  debug.request.oldObject = structuredClone(debug.request.object);
  debug.request.object.spec.ephemeralContainers = [{ name: 'debugger', image: unsignedRef }];
  assert.equal((await ask('/admission/validate', debug)).allowed, false);
});

test('with the registry stopped, a new tag is answered within the budget by the failure policy (closed)', async () => {
  await registry.stop();
  const never = `${registry.host}/acme/never-seen:1.0`;
  const answer = await ask('/admission/validate', review('Pod', never));
  assert.equal(answer.allowed, false);
  assert.match(answer.status!.message, /REGISTRY_|ADMISSION_TIMEOUT/);
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /^provenant_image_verification_failures_total\{reason="(registry|timeout)",namespace="shop"\} [1-9]/m);
  assert.match(metrics, /^provenant_registry_requests_total\{result="ok"\} [1-9]/m, 'the tags looked up before the registry stopped');
  assert.match(metrics, /^provenant_registry_requests_total\{result="error"\} [1-9]/m);
  assert.match(metrics, /^provenant_digest_resolutions_total\{source="cache"\} [1-9]/m, 'tags asked again within 30 s come from the cache');
});
