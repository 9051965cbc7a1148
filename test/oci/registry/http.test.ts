import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { readBounded } from '../../../src/oci/registry/body.js';
import { HttpTransport, parseCaBundle } from '../../../src/oci/registry/http.js';
import { parseRetryAfter, retryDelay, DEFAULT_RETRY } from '../../../src/oci/registry/retry.js';
import { send, startScripted, type Scripted } from './scripted-server.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/registry/${name}`, import.meta.url), 'utf8');
const fast = { retry: { baseDelayMs: 5, maxDelayMs: 20 } };
const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;

async function withServer(handler: Parameters<typeof startScripted>[0], run: (s: Scripted) => Promise<void>): Promise<void> {
  const server = await startScripted(handler);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

test('scripted registry: 429 with Retry-After is retried after the time it asks for', async () => {
  let calls = 0;
  await withServer(
    (_req, res) => (++calls === 1 ? send(res, 429, '', { 'retry-after': '1' }) : send(res, 200, 'ok')),
    async (s) => {
      const http = new HttpTransport(fast);
      const started = Date.now();
      const res = await http.send({ method: 'GET', url: new URL(`${s.origin}/v2/`) });
      assert.equal(res.status, 200);
      assert.equal((await readBounded(res, 100, 'x')).toString(), 'ok');
      assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
      assert.equal(s.requests.length, 2);
      http.close();
    },
  );
});

test('scripted registry: a Retry-After beyond the total budget is not waited for', async () => {
  await withServer(
    (_req, res) => send(res, 429, '', { 'retry-after': '3600' }),
    async (s) => {
      const http = new HttpTransport({ retry: { maxTotalMs: 2_000 } });
      const res = await http.send({ method: 'GET', url: new URL(`${s.origin}/v2/`) });
      assert.equal(res.status, 429);
      assert.equal(s.requests.length, 1);
      http.close();
    },
  );
});

test('scripted registry: 503 is retried up to maxAttempts for GET, never for POST', async () => {
  await withServer(
    (_req, res) => send(res, 503),
    async (s) => {
      const http = new HttpTransport({ retry: { maxAttempts: 3, baseDelayMs: 5 } });
      assert.equal((await http.send({ method: 'GET', url: new URL(`${s.origin}/a`) })).status, 503);
      assert.equal(s.requests.length, 3);
      assert.equal((await http.send({ method: 'POST', url: new URL(`${s.origin}/b`), body: Buffer.from('x') })).status, 503);
      assert.equal(s.requests.length, 4);
      http.close();
    },
  );
});

test('scripted registry: a connection reset is retried', async () => {
  let calls = 0;
  await withServer(
    (_req, res) => {
      if (++calls === 1) res.socket?.destroy();
      else send(res, 200, 'ok');
    },
    async (s) => {
      const http = new HttpTransport(fast);
      assert.equal((await http.send({ method: 'GET', url: new URL(`${s.origin}/x`) })).status, 200);
      assert.equal(calls, 2);
      http.close();
    },
  );
});

test('scripted registry: a server that never answers fails with REGISTRY_TIMEOUT within the timeout', async () => {
  await withServer(
    () => undefined,
    async (s) => {
      const http = new HttpTransport({ responseTimeoutMs: 300, retry: { maxAttempts: 1 } });
      const started = Date.now();
      await assert.rejects(http.send({ method: 'GET', url: new URL(`${s.origin}/x`) }), isCode('REGISTRY_TIMEOUT'));
      assert.ok(Date.now() - started < 2_000);
      http.close();
    },
  );
});

test('scripted registry: a body that stalls half-way fails with REGISTRY_TIMEOUT', async () => {
  await withServer(
    (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    },
    async (s) => {
      const http = new HttpTransport({ responseTimeoutMs: 300 });
      const res = await http.send({ method: 'GET', url: new URL(`${s.origin}/x`) });
      await assert.rejects(readBounded(res, 1000, 'body'), isCode('REGISTRY_TIMEOUT'));
      http.close();
    },
  );
});

test('a TLS handshake that never completes fails with REGISTRY_TIMEOUT (connect timeout)', async () => {
  const silent = net.createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as net.AddressInfo).port;
  const http = new HttpTransport({ connectTimeoutMs: 200, responseTimeoutMs: 10_000, retry: { maxAttempts: 1 } });
  const started = Date.now();
  await assert.rejects(http.send({ method: 'GET', url: new URL(`https://127.0.0.1:${port}/`) }), isCode('REGISTRY_TIMEOUT'));
  assert.ok(Date.now() - started < 2_000);
  http.close();
  silent.close();
});

test('connection refused is REGISTRY_UNREACHABLE', async () => {
  const s = await startScripted(() => undefined);
  await s.close();
  const http = new HttpTransport(fast);
  await assert.rejects(http.send({ method: 'GET', url: new URL(`${s.origin}/v2/`) }), isCode('REGISTRY_UNREACHABLE'));
  http.close();
});

test('scripted registry: redirects drop Authorization when they leave the origin, keep it otherwise', async () => {
  const storage = await startScripted((_req, res) => send(res, 200, 'blob'));
  await withServer(
    (req, res) =>
      req.url === '/same'
        ? send(res, 307, '', { location: '/other' })
        : req.url === '/other'
          ? send(res, 302, '', { location: `${storage.origin}/signed?sig=1` })
          : send(res, 404),
    async (s) => {
      const http = new HttpTransport(fast);
      const res = await http.send({ method: 'GET', url: new URL(`${s.origin}/same`), headers: { authorization: 'Bearer t' }, followRedirects: true });
      assert.equal((await readBounded(res, 100, 'x')).toString(), 'blob');
      assert.equal(res.url.origin, storage.origin);
      assert.equal(s.requests[1]?.headers.authorization, 'Bearer t');
      assert.equal(storage.requests[0]?.headers.authorization, undefined);
      assert.equal(storage.requests[0]?.url, '/signed?sig=1');
      const noFollow = await http.send({ method: 'GET', url: new URL(`${s.origin}/same`) });
      assert.equal(noFollow.status, 307);
      http.close();
    },
  );
  await storage.close();
});

test('scripted registry: redirect loops are cut off with REGISTRY_PROTOCOL', async () => {
  await withServer(
    (_req, res) => send(res, 302, '', { location: '/again' }),
    async (s) => {
      const http = new HttpTransport({ ...fast, maxRedirects: 3 });
      await assert.rejects(http.send({ method: 'GET', url: new URL(`${s.origin}/x`), followRedirects: true }), isCode('REGISTRY_PROTOCOL'));
      assert.equal(s.requests.length, 4);
      http.close();
    },
  );
});

test('scripted registry over HTTPS: trusted with the CA bundle, REGISTRY_TLS_FAILED without it, no downgrade redirect', async () => {
  const server = await startScripted(
    (req, res) => (req.url === '/down' ? send(res, 302, '', { location: 'http://127.0.0.1:1/x' }) : send(res, 200, 'secure')),
    { key: fixture('server-key.pem'), cert: fixture('server-cert.pem') },
  );
  const trusted = new HttpTransport({ ...fast, caBundle: fixture('test-ca.pem') });
  const res = await trusted.send({ method: 'GET', url: new URL(`${server.origin}/`) });
  assert.equal((await readBounded(res, 100, 'x')).toString(), 'secure');
  await assert.rejects(trusted.send({ method: 'GET', url: new URL(`${server.origin}/down`), followRedirects: true }), isCode('REGISTRY_PROTOCOL'));
  const untrusted = new HttpTransport(fast);
  await assert.rejects(untrusted.send({ method: 'GET', url: new URL(`${server.origin}/`) }), isCode('REGISTRY_TLS_FAILED'));
  trusted.close();
  untrusted.close();
  await server.close();
});

test('HTTPS to a plain-HTTP server is REGISTRY_TLS_FAILED', async () => {
  await withServer(
    (_req, res) => send(res, 200),
    async (s) => {
      const http = new HttpTransport({ ...fast, retry: { maxAttempts: 1 } });
      await assert.rejects(http.send({ method: 'GET', url: new URL(`https://${s.host}/`) }), isCode('REGISTRY_TLS_FAILED'));
      http.close();
    },
  );
});

test('CA bundles: certificates only, each readable', () => {
  assert.equal(parseCaBundle(`# comment\n${fixture('test-ca.pem')}\n${fixture('server-cert.pem')}`).length, 2);
  for (const bad of ['', 'not pem', fixture('server-key.pem'), `${fixture('test-ca.pem')}\n${fixture('server-key.pem')}`,
    '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']) {
    assert.throws(() => parseCaBundle(bad), isCode('TLS_CONFIG_INVALID'));
  }
  assert.throws(() => new HttpTransport({ caBundle: 'junk' }), isCode('TLS_CONFIG_INVALID'));
});

test('timeouts and retry policy are validated', () => {
  assert.throws(() => new HttpTransport({ responseTimeoutMs: 0 }), isCode('USAGE'));
  assert.throws(() => new HttpTransport({ retry: { maxAttempts: 0 } }), isCode('USAGE'));
  assert.throws(() => new HttpTransport({ retry: { baseDelayMs: -1 } }), isCode('USAGE'));
});

test('Retry-After: delay-seconds and IMF-fixdate; anything else is ignored', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('7', now), 7000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now), 0);
  for (const bad of [undefined, '', '-1', '1.5', '1e3', 'soon', '2024-01-01T00:00:30Z', '99999999999']) {
    assert.equal(parseRetryAfter(bad, now), undefined, String(bad));
  }
});

test('back-off grows exponentially within [step/2, step] and is capped', () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(retryDelay(policy, 1, () => 0), 50);
  assert.equal(retryDelay(policy, 1, () => 1), 100);
  assert.equal(retryDelay(policy, 3, () => 0), 200);
  assert.equal(retryDelay(policy, 3, () => 1), 400);
  assert.equal(retryDelay(policy, 10, () => 1), 1000);
});
