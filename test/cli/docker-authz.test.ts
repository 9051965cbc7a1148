// The Docker authorization plugin over a real unix socket, spoken to as dockerd speaks (node:http with
// socketPath): Activate; container creation decided by policy on the image the body names; fail closed when the
// body is missing, empty, not JSON or over the limit (CVE-2024-41110); other requests allowed; no crash on junk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authzServer } from '../../src/cli/commands/docker-authz.js';
import type { Decision } from '../../src/policy/decision.js';

function decision(reference: string, outcome: Decision['outcome']): Decision {
  return {
    outcome,
    image: { reference, digest: `sha256:${'a'.repeat(64)}` },
    policyVersion: '1',
    dataVersion: 'none',
    decidedAt: '2026-01-01T00:00:00Z',
    policies: [],
    rules: [],
    reasons: outcome === 'deny' ? ['cluster/signed: no signature by the release key'] : [],
    warnings: [],
  };
}

async function plugin(t: { after(fn: () => Promise<void>): void }, decide: (image: string) => Promise<Decision>, maxBody?: number) {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-authz-'));
  const socketPath = join(dir, 'provenant.sock');
  const server = authzServer(decide, maxBody);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });
  return (path: string, body: string | object): Promise<{ status: number; json: Record<string, unknown> }> =>
    new Promise((resolve, reject) => {
      const payload = typeof body === 'string' ? body : JSON.stringify(body);
      const req = request({ socketPath, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(payload);
    });
}

const create = (body: string | undefined, uri = '/v1.43/containers/create?name=web') => ({
  User: 'alice',
  UserAuthNMethod: 'TLS',
  RequestMethod: 'POST',
  RequestUri: uri,
  RequestHeaders: { 'Content-Type': 'application/json' },
  ...(body === undefined ? {} : { RequestBody: Buffer.from(body).toString('base64') }),
});

test('container creation is decided on the image (by a stand-in decider: the real decision path is the gate, tested with it); other requests pass; the plugin activates as authz', async (t) => {
  const asked: string[] = [];
  const send = await plugin(t, async (image) => {
    asked.push(image);
    return decision(image, image.includes('unsigned') ? 'deny' : 'allow');
  });
  assert.deepEqual((await send('/Plugin.Activate', {})).json, { Implements: ['authz'] });
  const allowed = await send('/AuthZPlugin.AuthZReq', create(JSON.stringify({ Image: 'registry.example.com/acme/app:1.0', Cmd: ['run'] })));
  assert.equal(allowed.json.Allow, true);
  const denied = await send('/AuthZPlugin.AuthZReq', create(JSON.stringify({ Image: 'registry.example.com/acme/unsigned:1' }), '/containers/create'));
  assert.equal(denied.json.Allow, false);
  assert.match(String(denied.json.Msg), /cluster\/signed/);
  assert.deepEqual(asked, ['registry.example.com/acme/app:1.0', 'registry.example.com/acme/unsigned:1']);
  assert.equal((await send('/AuthZPlugin.AuthZReq', { RequestMethod: 'GET', RequestUri: '/v1.43/containers/json' })).json.Allow, true);
  assert.equal((await send('/AuthZPlugin.AuthZRes', { RequestMethod: 'POST', RequestUri: '/v1.43/containers/create' })).json.Allow, true);
});

test('fails closed: no body, empty body, junk, no image, an oversized body, a failing decision', async (t) => {
  const send = await plugin(t, async (image) => {
    if (image === 'boom') throw new Error('registry down');
    return decision(image, 'allow');
  }, 1024);
  for (const body of [create(undefined), { ...create(undefined), RequestBody: '' }, create('not json'), create(JSON.stringify({ Cmd: ['x'] })), create(JSON.stringify({ Image: 'x', Env: ['A='.padEnd(4096, 'a')] })), create(JSON.stringify({ Image: 'boom' }))]) {
    const answer = await send('/AuthZPlugin.AuthZReq', body);
    assert.equal(answer.status, 200);
    assert.equal(answer.json.Allow, false, JSON.stringify(answer.json));
  }
  const junk = await send('/AuthZPlugin.AuthZReq', '{"RequestMethod": ');
  assert.equal(junk.json.Allow, false);
  assert.equal(typeof junk.json.Err, 'string');
  assert.equal((await send('/AuthZPlugin.AuthZReq', create(undefined, '/v1.43/containers//create'))).json.Allow, false, 'a disguised create path is refused');
});
