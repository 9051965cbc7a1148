// POST /api/v1/registry/notifications in the real service (buildServer over the real log), requests injected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sha256Digest } from '../../src/core/digest.js';
import { SigningKey } from '../../src/crypto/index.js';
import { RegistryIngest, type RegistryIngestOptions } from '../../src/ingest/registry-ingest.js';
import { MAX_NOTIFICATION_EVENTS, REGISTRY_EVENTS_MEDIA_TYPE } from '../../src/ingest/registry-events.js';
import type { TransparencyLog } from '../../src/log/transparency-log.js';
import { buildServer } from '../../src/server/app.js';
import { REGISTRY_NOTIFICATIONS_PATH } from '../../src/server/routes/registry-notifications.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { startScripted } from '../oci/registry/scripted-server.js';
import { withLog } from './ingest-fixtures.js';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const service = SigningKey.generate('ed25519');

interface Endpoint {
  app: FastifyInstance;
  ingest: RegistryIngest;
  write: string;
  read: string;
}

async function withEndpoint(fn: (e: Endpoint) => Promise<void>, extra: Partial<RegistryIngestOptions> = {}, maxBodyBytes?: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-notify-'));
  try {
    await withLog(async (log: TransparencyLog) => {
      const file = join(dir, 'tokens.json');
      const write = await createToken(file, 'registry', ['read', 'write']);
      const read = await createToken(file, 'reader', ['read']);
      const ingest = new RegistryIngest({ log, signer: service, trustedKeys: [], registryHosts: {}, ...extra });
      const app = await buildServer({
        log,
        tokens: await TokenStore.open(file),
        readAuth: 'open',
        logger: false,
        registryNotifications: ingest,
        ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
      });
      try {
        await fn({ app, ingest, write, read });
      } finally {
        await app.close();
        await ingest.drain();
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function event(n: number, action = 'push') {
  return {
    id: `event-${n}`,
    timestamp: '2026-11-22T05:50:29.163990589Z',
    action,
    target: { mediaType: MANIFEST, size: 10, digest: sha256Digest(`image ${n}`), length: 10, repository: 'team/app', tag: 'v1' },
    request: { id: 'r', addr: '10.0.0.1:1234', host: 'registry.example', method: 'PUT', useragent: 'docker/27' },
    actor: {},
    source: { addr: 'registry-0:5000' },
  };
}

function post(app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: REGISTRY_NOTIFICATIONS_PATH,
    headers: { 'content-type': REGISTRY_EVENTS_MEDIA_TYPE, ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codeOf = (res: { json(): unknown }) => (res.json() as { code: string }).code;

test('a notification is answered 202 with the pushes accepted and the events ignored', async () => {
  await withEndpoint(async ({ app, ingest, write }) => {
    const res = await post(app, { events: [event(1), event(2, 'pull'), event(3)] }, bearer(write));
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), { accepted: 2, ignored: 1 });
    const json = await post(app, { events: [event(4)] }, { ...bearer(write), 'content-type': 'application/json; charset=utf-8' });
    assert.equal(json.statusCode, 202);
    await ingest.whenIdle();
    assert.equal(ingest.stats().eventsReceived, 4);
  });
});

test('the endpoint needs a write token', async () => {
  await withEndpoint(async ({ app, read }) => {
    const none = await post(app, { events: [event(1)] });
    assert.equal(none.statusCode, 401);
    assert.equal(codeOf(none), 'UNAUTHENTICATED');
    assert.match(String(none.headers['www-authenticate']), /^Bearer /);
    const unknown = await post(app, { events: [event(1)] }, bearer(`pvt_${'x'.repeat(43)}`));
    assert.equal(unknown.statusCode, 401);
    const reader = await post(app, { events: [event(1)] }, bearer(read));
    assert.equal(reader.statusCode, 403);
    assert.equal(codeOf(reader), 'FORBIDDEN');
  });
});

test('bodies that are not event envelopes are refused with their code', async () => {
  await withEndpoint(async ({ app, write }) => {
    const cases: [unknown, number, string][] = [
      [{ events: 'none' }, 400, 'NOTIFICATION_MALFORMED'],
      [{ events: [{ ...event(1), target: { ...event(1).target, size: '10' } }] }, 400, 'NOTIFICATION_MALFORMED'],
      [{ events: Array.from({ length: MAX_NOTIFICATION_EVENTS + 1 }, (_, i) => event(i, 'pull')) }, 400, 'NOTIFICATION_MALFORMED'],
      ['{"events":[],"events":[]}', 400, 'JSON_DUPLICATE_KEY'],
      ['{"events":', 400, 'JSON_MALFORMED'],
      [`{"events":["${'x'.repeat(5 * 1024 * 1024)}"]}`, 413, 'INPUT_TOO_LARGE'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(app, body, bearer(write));
      assert.deepEqual([res.statusCode, codeOf(res)], [status, code], typeof body === 'string' ? body.slice(0, 40) : JSON.stringify(body).slice(0, 80));
    }
    const text = await post(app, JSON.stringify({ events: [] }), { ...bearer(write), 'content-type': 'text/plain' });
    assert.deepEqual([text.statusCode, codeOf(text)], [415, 'CONTENT_TYPE_UNSUPPORTED']);
  });
});

test("a full batch is accepted whatever the rest of the API's body limit", async () => {
  await withEndpoint(
    async ({ app, write }) => {
      const batch = { events: Array.from({ length: MAX_NOTIFICATION_EVENTS }, (_, i) => event(i, 'pull')) };
      const res = await post(app, batch, bearer(write));
      assert.equal(res.statusCode, 202);
      assert.deepEqual(res.json(), { accepted: 0, ignored: MAX_NOTIFICATION_EVENTS });
      // The log API itself keeps the limit it was given.
      const append = await app.inject({ method: 'POST', url: '/api/v1/log/entries', headers: { ...bearer(write), 'content-type': 'application/json' }, payload: JSON.stringify(batch) });
      assert.equal(append.statusCode, 413);
    },
    {},
    4096,
  );
});

test('a full queue answers 503 INGEST_BUSY, so the registry sends the batch again later', async () => {
  // A scripted registry that never answers keeps the first push in progress.
  const silent = await startScripted(() => new Promise<void>(() => undefined));
  try {
    await withEndpoint(
      async ({ app, ingest, write }) => {
        assert.equal((await post(app, { events: [event(1)] }, bearer(write))).statusCode, 202);
        const busy = await post(app, { events: [event(2)] }, bearer(write));
        assert.deepEqual([busy.statusCode, codeOf(busy)], [503, 'INGEST_BUSY']);
        // The same push again is already in progress: nothing new to queue.
        assert.equal((await post(app, { events: [event(1)] }, bearer(write))).statusCode, 202);
        assert.equal(ingest.stats().inFlight, 1);
        await silent.close();
      },
      { registryHosts: { 'registry.example': silent.origin }, queueLimit: 1, concurrency: 1, retry: { attempts: 1 } },
    );
  } finally {
    await silent.close();
  }
});
