// End to end with real peers: a CNCF distribution registry (docker-registry) on loopback notifies a running
// `provenant serve` (buildServer over a TransparencyLog on SQLite in a temp dir). Images are pushed and attested
// with Provenant's own client and attest code; what the service records is read back through its HTTP API.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attestImage } from '../../src/attest/attestations.js';
import { signImage } from '../../src/attest/signatures.js';
import { decodeBase64 } from '../../src/core/bytes.js';
import type { Digest } from '../../src/core/digest.js';
import { isJsonObject, parseJsonObject, type JsonObject } from '../../src/core/json.js';
import { SigningKey } from '../../src/crypto/index.js';
import { noteSignerFromKey } from '../../src/formats/signed-note.js';
import { RegistryIngest } from '../../src/ingest/registry-ingest.js';
import { REGISTRY_OBSERVATION_PREDICATE_TYPE } from '../../src/ingest/observation.js';
import { prepareEntry } from '../../src/log/entries/index.js';
import { TransparencyLog } from '../../src/log/transparency-log.js';
import { RegistryClient } from '../../src/oci/registry/client.js';
import { startServer, type RunningServer } from '../../src/server/lifecycle.js';
import { REGISTRY_NOTIFICATIONS_PATH } from '../../src/server/routes/registry-notifications.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { openSqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';
import { buildImage, type TestImage } from '../helpers/oci-image.js';
import { startRegistry, type RunningRegistry } from '../helpers/registry.js';

const SLSA = 'https://slsa.dev/provenance/v1';
const ORIGIN = 'provenant.test/registry-notifications';
/** How long a push may take to reach the log; the registry delivers within a second when all is well. */
const DEADLINE_MS = 30_000;

const trusted = SigningKey.generate('ecdsa-p256');
const stranger = SigningKey.generate('ecdsa-p256');
const service = SigningKey.generate('ed25519');
let dir: string;
let server: RunningServer;
let ingest: RegistryIngest;
let registry: RunningRegistry;
let token: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'provenant-notify-e2e-'));
  const log = await TransparencyLog.open({
    store: await openSqliteLogStore(join(dir, 'data')),
    origin: ORIGIN,
    signer: noteSignerFromKey(ORIGIN, SigningKey.generate('ed25519')),
    prepare: prepareEntry,
  });
  token = await createToken(join(dir, 'tokens.json'), 'registry', ['read', 'write']);
  ingest = new RegistryIngest({ log, signer: service, trustedKeys: [trusted.verifier()] });
  server = await startServer({
    log,
    tokens: await TokenStore.open(join(dir, 'tokens.json')),
    readAuth: 'open',
    logger: false,
    registryNotifications: ingest,
    port: 0,
    handleSignals: false,
  });
  registry = await startRegistry({
    notifications: {
      url: `${server.url}${REGISTRY_NOTIFICATIONS_PATH}`,
      headers: { Authorization: [`Bearer ${token}`] },
      ignoreMediaTypes: ['application/octet-stream'],
      ignoreActions: ['pull'],
    },
  });
});

after(async () => {
  await registry?.stop();
  await server?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function client(repository: string): RegistryClient {
  return new RegistryClient({ registry: registry.host, repository });
}

async function push(repository: string, image: TestImage, tag: string): Promise<RegistryClient> {
  const repo = client(repository);
  for (const [digest, bytes] of image.blobs) if (digest !== image.manifest.digest) await repo.pushBlob(bytes, 'application/octet-stream');
  await repo.pushManifest(image.manifest, tag);
  return repo;
}

async function api(path: string): Promise<JsonObject> {
  const res = await fetch(`${server.url}${path}`);
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return parseJsonObject(Buffer.from(await res.arrayBuffer()), path);
}

async function search(query: Record<string, string>): Promise<string[]> {
  const page = await api(`/api/v1/search?${new URLSearchParams(query).toString()}`);
  return page['indices'] as string[];
}

async function entrySpec(index: string): Promise<JsonObject> {
  const view = await api(`/api/v1/log/entries/${index}`);
  const entry = view['entry'];
  assert.ok(isJsonObject(entry) && isJsonObject(entry['spec']));
  return entry['spec'];
}

/** The predicate of the newest observation of `image`, read from its envelope blob. */
async function latestObservation(image: Digest): Promise<JsonObject | undefined> {
  const indices = await search({ subject: image, predicateType: REGISTRY_OBSERVATION_PREDICATE_TYPE });
  if (indices.length === 0) return undefined;
  const spec = await entrySpec(indices[indices.length - 1]!);
  assert.equal(spec['signer'], service.keyId);
  const res = await fetch(`${server.url}/api/v1/blobs/${String(spec['envelopeDigest'])}`);
  const envelope = parseJsonObject(Buffer.from(await res.arrayBuffer()), 'envelope');
  const statement = parseJsonObject(decodeBase64(envelope['payload'], 'payload'), 'statement');
  assert.ok(isJsonObject(statement['predicate']));
  return statement['predicate'];
}

function attachments(predicate: JsonObject): JsonObject[] {
  return (predicate['attachments'] as JsonObject[]).map((a) => a);
}

/** Polls until `check` gives a value; fails at the deadline. Prints how long it took. */
async function eventually<T>(t: TestContext, what: string, check: () => Promise<T | undefined>): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) {
      t.diagnostic(`${what}: ${Date.now() - started} ms`);
      return value;
    }
    if (Date.now() - started > DEADLINE_MS) assert.fail(`${what}: not within ${DEADLINE_MS} ms; ingest ${JSON.stringify(ingest.stats())}; registry log:\n${registry.logs().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('an attestation pushed to the registry appears in the log within seconds, verified', async (t) => {
  const image = await buildImage({ layers: [{ files: { 'app/version': '1\n' }, createdBy: 'COPY app /app' }] });
  const repo = await push('demo/app', image, 'v1');
  const attested = await attestImage({
    repo,
    subject: image.manifest,
    subjectName: `${registry.host}/demo/app`,
    signer: trusted,
    predicateType: SLSA,
    predicate: { buildDefinition: { buildType: 'https://ci.example/build' } },
  });
  assert.ok(attested.attTag !== undefined && attested.referrer !== undefined);

  const [index] = await eventually(t, 'attestation in the log', async () => {
    const found = await search({ subject: image.manifest.digest, predicateType: SLSA });
    return found.length > 0 ? found : undefined;
  });
  const spec = await entrySpec(index!);
  assert.equal(spec['signer'], trusted.keyId);
  assert.equal(spec['predicateType'], SLSA);

  // The observation settles once every attachment push has been examined.
  const observed = await eventually(t, 'observation listing both places', async () => {
    const p = await latestObservation(image.manifest.digest);
    const verified = p === undefined ? [] : attachments(p).filter((a) => a['status'] === 'verified' && a['logIndex'] === index);
    return verified.length === 2 ? p : undefined;
  });
  assert.equal(observed['registry'], registry.host);
  assert.equal(observed['repository'], 'demo/app');
  assert.equal(observed['tag'], 'v1');
  assert.equal(observed['config'], image.config.desc.digest);
  // docker-registry 2.8 has no referrers API: the referrer is found through the fallback tag.
  assert.deepEqual(attachments(observed).map((a) => a['source']).sort(), ['cosign-tag', 'referrers-tag']);

  await signImage({ repo, dockerReference: `${registry.host}/demo/app`, digest: image.manifest.digest, signer: trusted });
  await eventually(t, 'signature in the log', async () => {
    const found = await search({ subject: image.manifest.digest, kind: 'signature', signer: trusted.keyId });
    return found.length === 1 ? found : undefined;
  });
  await repo.close();
});

test('an image attested with a key the service does not trust is recorded as untrusted, with no attestation entry', async (t) => {
  const image = await buildImage({ layers: [{ files: { 'app/version': 'other\n' }, createdBy: 'COPY other /app' }] });
  const repo = await push('demo/other', image, 'v1');
  await attestImage({ repo, subject: image.manifest, subjectName: `${registry.host}/demo/other`, signer: stranger, predicateType: SLSA, predicate: {} });

  const observed = await eventually(t, 'observation with the untrusted attestation', async () => {
    const p = await latestObservation(image.manifest.digest);
    const untrusted = p === undefined ? [] : attachments(p).filter((a) => a['status'] === 'untrusted');
    return untrusted.length === 2 ? untrusted : undefined;
  });
  for (const a of observed) {
    assert.equal(a['kind'], 'attestation');
    assert.equal(a['claimedPredicateType'], SLSA);
    assert.equal(a['predicateType'], undefined);
    assert.equal(a['logIndex'], undefined);
  }
  await ingest.whenIdle();
  assert.deepEqual(await search({ subject: image.manifest.digest, predicateType: SLSA }), []);
  assert.deepEqual(await search({ signer: stranger.keyId }), []);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  const untrustedCount = /^provenant_ingest_attachments_total\{kind="attestation",status="untrusted"\} (\d+)$/m.exec(metrics);
  assert.ok(untrustedCount !== null && Number(untrustedCount[1]) >= 2, 'the metrics count the untrusted attestations');
  await repo.close();
});

test('a notification without a token is refused with 401; the registry keeps working and saw no failed delivery', async () => {
  const res = await fetch(`${server.url}${REGISTRY_NOTIFICATIONS_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json' },
    body: JSON.stringify({ events: [] }),
  });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { code: string }).code, 'UNAUTHENTICATED');

  const image = await buildImage({ layers: [{ files: { 'after/check': 'x\n' }, createdBy: 'COPY x' }] });
  const repo = await push('demo/after', image, 'latest');
  assert.deepEqual((await repo.fetchTag('latest'))?.digest, image.manifest.digest);
  await repo.close();
  await ingest.whenIdle();
  assert.equal(ingest.stats().failures, 0);
  // The registry logs every delivery it has to retry.
  assert.doesNotMatch(registry.logs(), /retryingsink|error writing event/i);
});
