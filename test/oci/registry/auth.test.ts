import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { RegistryAuth, type Credentials } from '../../../src/oci/registry/auth.js';
import { RegistryClient } from '../../../src/oci/registry/client.js';
import { HttpTransport } from '../../../src/oci/registry/http.js';
import { registryEndpoint } from '../../../src/oci/registry/names.js';
import { MemoryRegistry } from './memory-registry.js';
import { send, sendJson, startScripted, type Recorded, type Scripted } from './scripted-server.js';

const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

interface Fixture {
  registry: Scripted;
  tokens: Scripted;
  mem: MemoryRegistry;
  client: (creds?: Credentials, now?: () => number) => RegistryClient;
  close(): Promise<void>;
}

/** A scripted registry guarded by Bearer tokens, and a scripted token service issuing them. */
async function bearerFixture(issue: (req: Recorded) => { status: number; body: unknown }, accept = (t: string) => t.startsWith('Bearer tok-')): Promise<Fixture> {
  const tokens = await startScripted((req, res) => {
    const { status, body } = issue(req);
    sendJson(res, status, body);
  });
  const mem = new MemoryRegistry();
  mem.putManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST })), OCI_MANIFEST, 'v1');
  const registry = await startScripted((req, res) => {
    const auth = req.headers.authorization;
    if (auth === undefined || !accept(auth)) {
      const scope = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'pull,push';
      return send(res, 401, '', {
        'www-authenticate': `Bearer realm="${tokens.origin}/token",service="test-registry",scope="repository:team/app:${scope}"`,
      });
    }
    return mem.handler(req, res);
  });
  const clients: RegistryClient[] = [];
  return {
    registry,
    tokens,
    mem,
    client: (credentials, now) => {
      const c = new RegistryClient({ registry: registry.host, repository: 'team/app', tag: 'v1', retry: { maxAttempts: 1 }, ...(credentials && { credentials }), ...(now && { now }) });
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) await c.close();
      await registry.close();
      await tokens.close();
    },
  };
}

const query = (req: Recorded) => new URL(req.url, 'http://x').searchParams;

test('scripted registry: 401 Bearer challenge → anonymous token → success, token cached for the scope', async () => {
  let n = 0;
  const f = await bearerFixture(() => ({ status: 200, body: { token: `tok-${++n}`, expires_in: 300 } }));
  const client = f.client();
  await client.resolve();
  await client.resolve();
  assert.equal(f.tokens.requests.length, 1);
  const q = query(f.tokens.requests[0]!);
  assert.equal(q.get('service'), 'test-registry');
  assert.deepEqual(q.getAll('scope'), ['repository:team/app:pull']);
  assert.equal(f.tokens.requests[0]?.headers.authorization, undefined);
  assert.deepEqual(f.registry.requests.map((r) => r.headers.authorization ?? null), [null, 'Bearer tok-1', 'Bearer tok-1']);
  await f.close();
});

test('scripted registry: token fetched with Basic credentials and the account parameter; push asks for pull,push', async () => {
  const f = await bearerFixture((req) =>
    req.headers.authorization === basic('alice', 's3cret:x') ? { status: 200, body: { access_token: 'tok-a' } } : { status: 401, body: {} },
  );
  const client = f.client({ kind: 'basic', username: 'alice', password: 's3cret:x' });
  await client.resolve();
  assert.equal(query(f.tokens.requests[0]!).get('account'), 'alice');
  await client.pushBlob(Buffer.from('layer'), 'application/octet-stream');
  const scopes = f.tokens.requests.map((r) => query(r).getAll('scope').join(' '));
  assert.ok(scopes.includes('repository:team/app:pull,push'), scopes.join('|'));
  assert.ok(f.mem.blobs.size === 1);
  await f.close();
});

test('scripted registry: wrong credentials at the token service are REGISTRY_UNAUTHORIZED, 403 is REGISTRY_FORBIDDEN', async () => {
  const f = await bearerFixture((req) => (req.headers.authorization === basic('u', 'right') ? { status: 200, body: { token: 'tok-1' } } : { status: 401, body: {} }));
  await assert.rejects(f.client({ kind: 'basic', username: 'u', password: 'wrong' }).resolve(), isCode('REGISTRY_UNAUTHORIZED'));
  await f.close();
  const g = await bearerFixture(() => ({ status: 403, body: {} }));
  await assert.rejects(g.client().resolve(), isCode('REGISTRY_FORBIDDEN'));
  await g.close();
});

test('scripted registry: a token the registry refuses again ends in REGISTRY_UNAUTHORIZED after one fetch', async () => {
  const f = await bearerFixture(() => ({ status: 200, body: { token: 'bad' } }));
  await assert.rejects(f.client().resolve(), isCode('REGISTRY_UNAUTHORIZED'));
  assert.equal(f.tokens.requests.length, 1);
  assert.equal(f.registry.requests.length, 2);
  await f.close();
});

test('scripted registry: a cached token the registry stops accepting is replaced once', async () => {
  let n = 0;
  let accepted = 'Bearer tok-1';
  const f = await bearerFixture(() => ({ status: 200, body: { token: `tok-${++n}`, expires_in: 3600 } }), (t) => t === accepted);
  const client = f.client();
  await client.resolve();
  accepted = 'Bearer tok-2';
  await client.resolve();
  assert.equal(f.tokens.requests.length, 2);
  await f.close();
});

test('scripted registry: tokens expire after expires_in, or 60 s when it is absent', async () => {
  let now = 1_000_000;
  let n = 0;
  const f = await bearerFixture((req) => ({ status: 200, body: query(req).get('scope') ? { token: `tok-${++n}` } : {} }));
  const client = f.client(undefined, () => now);
  await client.resolve();
  now += 45_000;
  await client.resolve();
  assert.equal(f.tokens.requests.length, 1, 'still valid at 45 s');
  now += 20_000;
  await client.resolve();
  assert.equal(f.tokens.requests.length, 2, 'renewed after 60 s');
  await f.close();
});

test('scripted registry: an identity token is exchanged by OAuth2 POST and the refresh token rotates', async () => {
  let now = 0;
  let n = 0;
  const f = await bearerFixture(() => ({ status: 200, body: { access_token: `tok-${++n}`, expires_in: 120, refresh_token: `refresh-${n + 1}` } }));
  const client = f.client({ kind: 'identityToken', token: 'refresh-1' }, () => now);
  await client.resolve();
  now += 200_000;
  await client.resolve();
  const forms = f.tokens.requests.map((r) => new URLSearchParams(r.body.toString()));
  assert.deepEqual(f.tokens.requests.map((r) => [r.method, r.headers['content-type']]), [
    ['POST', 'application/x-www-form-urlencoded'],
    ['POST', 'application/x-www-form-urlencoded'],
  ]);
  assert.equal(forms[0]?.get('grant_type'), 'refresh_token');
  assert.equal(forms[0]?.get('service'), 'test-registry');
  assert.equal(forms[0]?.get('scope'), 'repository:team/app:pull');
  assert.equal(forms[0]?.get('client_id'), 'provenant');
  assert.deepEqual(forms.map((f) => f.get('refresh_token')), ['refresh-1', 'refresh-2']);
  await f.close();
});

test('scripted registry: an identity token refused with invalid_grant is REGISTRY_UNAUTHORIZED', async () => {
  const f = await bearerFixture(() => ({ status: 400, body: { error: 'invalid_grant' } }));
  await assert.rejects(f.client({ kind: 'identityToken', token: 'stale' }).resolve(), isCode('REGISTRY_UNAUTHORIZED'));
  await f.close();
});

for (const [name, body] of [
  ['no token field', { expires_in: 60 }],
  ['empty token', { token: '' }],
  ['token with a line break (header injection)', { token: 'a\r\nX-Evil: 1' }],
  ['token of the wrong type', { token: 42 }],
] as const) {
  test(`scripted registry: token response with ${name} is REGISTRY_PROTOCOL`, async () => {
    const f = await bearerFixture(() => ({ status: 200, body }));
    await assert.rejects(f.client().resolve(), isCode('REGISTRY_PROTOCOL'));
    await f.close();
  });
}

test('scripted registry: Basic challenge → credentials, then sent up front; wrong or missing credentials → REGISTRY_UNAUTHORIZED', async () => {
  const mem = new MemoryRegistry();
  mem.putManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST })), OCI_MANIFEST, 'v1');
  const registry = await startScripted((req, res) =>
    req.headers.authorization === basic('bob', 'pw') ? mem.handler(req, res) : send(res, 401, '', { 'www-authenticate': 'Basic realm="Registry Realm"' }),
  );
  const make = (credentials?: Credentials) =>
    new RegistryClient({ registry: registry.host, repository: 'team/app', tag: 'v1', ...(credentials && { credentials }) });
  const good = make({ kind: 'basic', username: 'bob', password: 'pw' });
  await good.resolve();
  await good.resolve();
  assert.equal(registry.requests.length, 3, 'one challenge, then credentials sent up front');
  await assert.rejects(make({ kind: 'basic', username: 'bob', password: 'nope' }).resolve(), isCode('REGISTRY_UNAUTHORIZED'));
  await assert.rejects(make().resolve(), isCode('REGISTRY_UNAUTHORIZED'));
  await assert.rejects(make({ kind: 'identityToken', token: 'x' }).resolve(), isCode('REGISTRY_UNAUTHORIZED'));
  await good.close();
  await registry.close();
});

test('credentials are only looked up when a challenge needs them', async () => {
  const mem = new MemoryRegistry();
  mem.putManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST })), OCI_MANIFEST, 'v1');
  const registry = await startScripted(mem.handler);
  let looked = 0;
  const client = new RegistryClient({ registry: registry.host, repository: 'team/app', tag: 'v1', credentials: async () => (looked++, undefined) });
  await client.resolve();
  assert.equal(looked, 0);
  const asked: string[][] = [];
  const guarded = await startScripted((_req, res) => send(res, 401, '', { 'www-authenticate': 'Basic realm="r"' }));
  const other = new RegistryClient({ registry: guarded.host, repository: 'team/app', tag: 'v1', credentials: async (r, repo) => (asked.push([r, repo]), undefined) });
  await assert.rejects(other.resolve(), isCode('REGISTRY_UNAUTHORIZED'));
  assert.deepEqual(asked, [[guarded.host, 'team/app']]);
  await other.close();
  await guarded.close();
  await client.close();
  await registry.close();
});

test('challenges that cannot be followed', async () => {
  const http = new HttpTransport();
  const auth = (https: boolean) => new RegistryAuth({ endpoint: registryEndpoint('registry.example', https ? 'https' : 'http'), repository: 'a', transport: http });
  const scope = 'repository:a:pull';
  await assert.rejects(auth(true).onUnauthorized(undefined, scope, undefined), isCode('REGISTRY_UNAUTHORIZED'));
  await assert.rejects(auth(true).onUnauthorized('Negotiate abc', scope, undefined), isCode('AUTH_CHALLENGE_INVALID'));
  await assert.rejects(auth(true).onUnauthorized('Bearer service="x"', scope, undefined), isCode('AUTH_CHALLENGE_INVALID'));
  await assert.rejects(auth(true).onUnauthorized('Bearer realm="not a url"', scope, undefined), isCode('AUTH_CHALLENGE_INVALID'));
  await assert.rejects(auth(true).onUnauthorized('Bearer realm="ftp://auth.example/token"', scope, undefined), isCode('AUTH_CHALLENGE_INVALID'));
  // An HTTPS registry may not send credentials to a plain-HTTP realm, nor to a realm with userinfo.
  await assert.rejects(auth(true).onUnauthorized('Bearer realm="http://auth.example/token"', scope, undefined), isCode('AUTH_CHALLENGE_INVALID'));
  await assert.rejects(auth(true).onUnauthorized('Bearer realm="https://u:p@auth.example/t"', scope, undefined), isCode('AUTH_CHALLENGE_INVALID'));
  await assert.rejects(auth(true).onUnauthorized('Bearer realm="x', scope, undefined), isCode('AUTH_CHALLENGE_INVALID'));
  const withBadUser = new RegistryAuth({
    endpoint: registryEndpoint('registry.example'),
    repository: 'a',
    transport: http,
    credentials: { kind: 'basic', username: 'a:b', password: 'p' },
  });
  await assert.rejects(withBadUser.onUnauthorized('Basic realm="r"', scope, undefined), isCode('USAGE'));
  http.close();
});
