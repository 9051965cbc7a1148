// RegistryIngest against a scripted in-memory registry (the real CNCF registry runs in the integration test) and
// the real log on SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attestImage } from '../../src/attest/attestations.js';
import { digestHex, type Digest } from '../../src/core/digest.js';
import { ProvenantError } from '../../src/core/errors.js';
import { SigningKey } from '../../src/crypto/index.js';
import { RegistryIngest, type RegistryIngestOptions } from '../../src/ingest/registry-ingest.js';
import { parseRegistryNotification, type ManifestPushEvent } from '../../src/ingest/registry-events.js';
import { RegistryClient } from '../../src/oci/registry/client.js';
import type { LogService } from '../../src/log/service.js';
import type { RawManifest } from '../../src/oci/types.js';
import { buildImage, type TestImage } from '../helpers/oci-image.js';
import { MemoryRegistry } from '../oci/registry/memory-registry.js';
import { sendError, startScripted, type Handler, type Scripted } from '../oci/registry/scripted-server.js';
import { attachmentsOf, observations, searchAll, SLSA, withLog } from './ingest-fixtures.js';

const REGISTRY = 'registry.example';
const REPOSITORY = 'team/app';
const image = await buildImage();
const A = image.manifest.digest;
const trusted = SigningKey.generate('ecdsa-p256');
const service = SigningKey.generate('ed25519');
const isCode = (code: string) => (e: unknown) => e instanceof ProvenantError && e.code === code;

/** Waits for a condition of the ingest's own state (not a timing); fails rather than hangs. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function push(manifest: RawManifest, tag?: string): ManifestPushEvent {
  return { registry: REGISTRY, repository: REPOSITORY, digest: manifest.digest, mediaType: manifest.mediaType, ...(tag === undefined ? {} : { tag }) };
}

async function withRegistry(handler: (mem: MemoryRegistry) => Handler, fn: (s: Scripted, client: RegistryClient) => Promise<void>): Promise<void> {
  const mem = new MemoryRegistry();
  const s = await startScripted(handler(mem));
  const client = new RegistryClient({ registry: s.host, repository: REPOSITORY, retry: { maxAttempts: 1 } });
  try {
    await fn(s, client);
  } finally {
    await client.close();
    await s.close();
  }
}

async function pushImage(client: RegistryClient, img: TestImage, tag: string): Promise<void> {
  for (const [digest, bytes] of img.blobs) if (digest !== img.manifest.digest) await client.pushBlob(bytes, 'application/octet-stream');
  await client.pushManifest(img.manifest, tag);
}

function ingestFor(log: LogService, origin: string | undefined, extra: Partial<RegistryIngestOptions> = {}): RegistryIngest {
  return new RegistryIngest({
    log,
    signer: service,
    trustedKeys: [trusted.verifier()],
    registryHosts: origin === undefined ? {} : { [REGISTRY]: origin },
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

test('scripted registry: an image and its attachment pushes end in an observation listing the verified attestation', async () => {
  await withLog(async (log) => {
    await withRegistry((mem) => mem.handler, async (s, client) => {
      await pushImage(client, image, 'v1');
      const attested = await attestImage({ repo: client, subject: image.manifest, subjectName: `${REGISTRY}/${REPOSITORY}`, signer: trusted, predicateType: SLSA, predicate: { builder: { id: 'https://ci.example' } } });
      const att = await client.fetchTag(attested.attTag!);
      const referrer = await client.fetchManifest(attested.referrer!);
      const fallback = await client.fetchTag(`sha256-${digestHex(A)}`);
      assert.ok(att !== undefined && fallback !== undefined);

      const ingest = ingestFor(log, s.origin);
      const result = ingest.enqueue([push(image.manifest, 'v1'), push(att, attested.attTag), push(referrer), push(fallback, `sha256-${digestHex(A)}`)]);
      assert.deepEqual(result, { queued: 4, deduplicated: 0 });
      await ingest.whenIdle();

      const slsa = await searchAll(log, { subject: A, predicateType: SLSA, signer: trusted.keyId });
      assert.equal(slsa.length, 1);
      const history = await observations(log, A);
      const latest = history[history.length - 1]!;
      assert.equal(latest.predicate['registry'], REGISTRY);
      assert.equal(latest.predicate['tag'], 'v1', 'the tag of the image push is kept for later examinations');
      assert.deepEqual(attachmentsOf(latest).map((a) => [a['source'], a['status'], a['logIndex']]), [
        ['cosign-tag', 'verified', slsa[0]!.toString()],
        ['referrers-tag', 'verified', slsa[0]!.toString()],
      ]);
      const stats = ingest.stats();
      assert.equal(stats.failures, 0);
      assert.equal(stats.attestationsVerified, 1);
      assert.equal(stats.imagesRecorded, history.length);
      assert.deepEqual([stats.queueDepth, stats.inFlight], [0, 0]);
      await ingest.drain();
    });
  });
});

test('scripted registry: a manifest not readable yet is retried until it is', async () => {
  await withLog(async (log) => {
    let refusals = 2;
    const handler = (mem: MemoryRegistry): Handler => (req, res) => {
      if (req.method === 'GET' && req.url.endsWith(`/manifests/${A}`) && refusals > 0) {
        refusals--;
        return sendError(res, 404, 'MANIFEST_UNKNOWN');
      }
      return mem.handler(req, res);
    };
    await withRegistry(handler, async (s, client) => {
      await pushImage(client, image, 'v1');
      const ingest = ingestFor(log, s.origin);
      ingest.enqueue([push(image.manifest, 'v1')]);
      await ingest.whenIdle();
      const stats = ingest.stats();
      assert.equal(refusals, 0);
      assert.equal(stats.retries, 2);
      assert.equal(stats.failures, 0);
      assert.equal(stats.imagesRecorded, 1);
      assert.equal((await observations(log, A)).length, 1);
      await ingest.drain();
    });
  });
});

test('scripted registry: pushes for an image under examination are folded into one re-examination', async () => {
  await withLog(async (log) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let gated = false;
    const handler = (mem: MemoryRegistry): Handler => async (req, res) => {
      // The first examination stops while reading the signature tag, until the other pushes have arrived.
      if (!gated && req.method === 'GET' && req.url.endsWith(`/manifests/sha256-${digestHex(A)}.sig`)) {
        gated = true;
        await gate;
      }
      return mem.handler(req, res);
    };
    await withRegistry(handler, async (s, client) => {
      await pushImage(client, image, 'v1');
      const attested = await attestImage({ repo: client, subject: image.manifest, subjectName: REPOSITORY, signer: trusted, predicateType: SLSA, predicate: {} });
      const referrer = await client.fetchManifest(attested.referrer!);
      const ingest = ingestFor(log, s.origin, { concurrency: 2 });
      ingest.enqueue([push(image.manifest, 'v1')]);
      await until(() => gated, 'the first examination reads the signature tag');
      ingest.enqueue([push((await client.fetchTag(attested.attTag!))!, attested.attTag), push(referrer), push((await client.fetchTag(`sha256-${digestHex(A)}`))!, `sha256-${digestHex(A)}`)]);
      await until(() => ingest.stats().queueDepth === 0 && ingest.stats().inFlight === 1, 'the later pushes are taken in');
      release();
      await ingest.whenIdle();
      const stats = ingest.stats();
      assert.equal(stats.examinationsCoalesced, 2, 'three requests while one examination ran: one re-examination');
      assert.equal(stats.imagesRecorded + stats.observationsUnchanged, 2);
      assert.equal(stats.failures, 0);
      await ingest.drain();
    });
  });
});

test('an unreachable registry is counted as a failure after the last attempt, and the ingest goes on', async () => {
  await withLog(async (log) => {
    const gone = await startScripted((_req, res) => sendError(res, 500, 'UNKNOWN'));
    await gone.close();
    const ingest = ingestFor(log, gone.origin, { retry: { attempts: 2, baseDelayMs: 1 }, http: { connectTimeoutMs: 2_000, retry: { maxAttempts: 1 } } });
    ingest.enqueue([push(image.manifest, 'v1')]);
    await ingest.whenIdle();
    assert.deepEqual([ingest.stats().retries, ingest.stats().failures], [1, 1]);
    ingest.enqueue([push(image.manifest, 'v2')]);
    await ingest.whenIdle();
    assert.equal(ingest.stats().failures, 2);
    assert.deepEqual(await searchAll(log, { subject: A }), []);
    await ingest.drain();
  });
});

test('identical pushes waiting or in progress are kept once; a batch that does not fit is refused whole', async () => {
  await withLog(async (log) => {
    // No registry is mapped: each push is examined no further than its registry name.
    const ingest = ingestFor(log, undefined, { concurrency: 1, queueLimit: 3 });
    const other = await buildImage({ layers: [{ files: { o: 'other' }, createdBy: 'RUN o' }] });
    const third = await buildImage({ layers: [{ files: { t: 'third' }, createdBy: 'RUN t' }] });
    assert.deepEqual(ingest.enqueue([push(image.manifest), push(image.manifest, 'v1'), push(other.manifest)]), { queued: 2, deduplicated: 1 });
    assert.deepEqual(ingest.enqueue([push(image.manifest), push(other.manifest)]), { queued: 0, deduplicated: 2 });
    assert.throws(() => ingest.enqueue([push(third.manifest), push({ ...third.manifest, digest: `sha256:${'0'.repeat(64)}` as Digest })]), isCode('INGEST_BUSY'));
    assert.equal(ingest.stats().eventsQueued, 2);
    await ingest.whenIdle();
    const stats = ingest.stats();
    assert.equal(stats.eventsUnmappedRegistry, 2);
    assert.equal(stats.eventsDeduplicated, 3);
    assert.deepEqual(ingest.enqueue([push(third.manifest)]), { queued: 1, deduplicated: 0 });
    await ingest.drain();
  });
});

test('receive counts every event of a notification and queues its manifest pushes', async () => {
  await withLog(async (log) => {
    const ingest = ingestFor(log, undefined);
    const target = { mediaType: image.manifest.mediaType, digest: A, repository: REPOSITORY, size: 1 };
    const notification = parseRegistryNotification({
      events: [
        { action: 'push', target, request: { host: REGISTRY } },
        { action: 'pull', target, request: { host: REGISTRY } },
        { action: 'push', target: { ...target, mediaType: 'application/octet-stream' }, request: { host: REGISTRY } },
      ],
    });
    assert.deepEqual(ingest.receive(notification), { accepted: 1, ignored: 2 });
    await ingest.whenIdle();
    const stats = ingest.stats();
    assert.deepEqual([stats.eventsReceived, stats.eventsIgnored, stats.eventsQueued], [3, 2, 1]);
    await ingest.drain();
  });
});

test('after drain no push is taken: INGEST_BUSY, for the registry to send it again elsewhere or later', async () => {
  await withLog(async (log) => {
    const ingest = ingestFor(log, undefined);
    await ingest.drain();
    assert.throws(() => ingest.enqueue([push(image.manifest)]), isCode('INGEST_BUSY'));
  });
});

test('bad options are USAGE errors', async () => {
  await withLog(async (log) => {
    const bad: Record<string, string>[] = [{ [REGISTRY]: 'ftp://x' }, { [REGISTRY]: 'http://x/path' }, { [REGISTRY]: 'http://u:p@x' }, { 'bad host': 'http://x' }];
    for (const registryHosts of bad) {
      assert.throws(() => ingestFor(log, undefined, { registryHosts }), isCode('USAGE'), JSON.stringify(registryHosts));
    }
    assert.throws(() => ingestFor(log, undefined, { concurrency: 0 }), isCode('USAGE'));
    assert.throws(() => ingestFor(log, undefined, { queueLimit: 1.5 }), isCode('USAGE'));
  });
});
