// The Docker authorization plugin over a real unix socket, spoken to as dockerd speaks (node:http with socketPath),
// deciding through the gate's path on an image built, attested and signed by the real builder and served by a
// scripted registry on loopback: Activate; creates of the signed image allowed, refused under a policy naming
// another key (the rule named in Msg); fail closed on a missing or oversized body; no crash on malformed requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { authzServer } from '../../../src/cli/commands/docker-authz.js';
import { openGateDecider } from '../../../src/cli/gate-decide.js';
import { cli, failedWith, keyFiles, workspace } from '../../cli/cli-helpers.js';
import { buildImage } from '../../helpers/oci-image.js';
import { MemoryRegistry } from '../../oci/registry/memory-registry.js';
import { startScripted } from '../../oci/registry/scripted-server.js';
import { buildAndSign, toolchainBin } from '../../policy/facts/facts-fixtures.js';

const ws = await workspace('authz');
const ours = await keyFiles(ws.path('ours'));
const theirs = await keyFiles(ws.path('theirs'));
const mem = new MemoryRegistry({ referrersApi: true });
const registry = await startScripted(mem.handler);
test.after(() => registry.close());
const image = await buildImage();
for (const [digest, bytes] of image.blobs) if (digest !== image.manifest.digest) mem.blobs.set(digest, Buffer.from(bytes));
mem.putManifest(Buffer.from(image.blobs.get(image.manifest.digest)!), image.manifest.mediaType, '1.0');
const IMAGE = `${registry.host}/acme/app:1.0`;
await buildAndSign(IMAGE, ours.key, await toolchainBin(ws.dir), ws.path('out'));

async function policyFile(name: string, pem: string): Promise<string> {
  const body = pem.trimEnd().split('\n').map((l) => `              ${l}`).join('\n');
  const path = ws.path(`${name}.yaml`);
  await writeFile(path, `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: ${name}\nspec:\n  rules:\n    - name: release-key\n      signature:\n        signers:\n          - key: |\n${body}\n`);
  return path;
}

type Send = (path: string, body: string | object) => Promise<{ status: number; json: Record<string, unknown> }>;

async function plugin(t: { after(fn: () => Promise<void>): void }, policy: string, maxBody?: number): Promise<Send> {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const io = { stdout: sink, stderr: sink, env: { HOME: ws.dir } };
  const decider = await openGateDecider({ policy, facts: 'attachments', unmatched: 'deny', data: ws.path('data'), quiet: true }, io);
  const socketPath = ws.path(`${Math.random().toString(16).slice(2, 10)}.sock`);
  const server = authzServer((img) => decider.decide(img), maxBody);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())).finally(() => decider.close()));
  return (path, body) =>
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

/** An AuthZReq as dockerd sends it (moby pkg/authorization: Request), the body base64 when there is one. */
function authzReq(body: string | undefined, uri = '/v1.43/containers/create?name=web', method = 'POST') {
  return {
    User: 'alice',
    UserAuthNMethod: 'TLS',
    RequestMethod: method,
    RequestUri: uri,
    RequestHeaders: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { RequestBody: Buffer.from(body).toString('base64') }),
  };
}

test('the plugin activates as authz, allows the create of a signed image, and allows requests other than creates', async (t) => {
  const send = await plugin(t, await policyFile('ours', ours.pair.publicKeyPem));
  assert.deepEqual((await send('/Plugin.Activate', '')).json, { Implements: ['authz'] });
  const allowed = await send('/AuthZPlugin.AuthZReq', authzReq(JSON.stringify({ Image: IMAGE, Cmd: ['run'] })));
  assert.equal(allowed.status, 200);
  assert.equal(allowed.json.Allow, true, JSON.stringify(allowed.json));
  const unversioned = await send('/AuthZPlugin.AuthZReq', authzReq(JSON.stringify({ Image: IMAGE }), '/containers/create'));
  assert.equal(unversioned.json.Allow, true, JSON.stringify(unversioned.json));
  assert.equal((await send('/AuthZPlugin.AuthZReq', authzReq(undefined, '/v1.43/containers/json', 'GET'))).json.Allow, true);
  assert.equal((await send('/AuthZPlugin.AuthZReq', authzReq(undefined, '/v1.43/containers/abc/start'))).json.Allow, true);
  assert.equal((await send('/AuthZPlugin.AuthZRes', authzReq(undefined))).json.Allow, true);
});

test('the plugin refuses the create of an image the policy denies, naming the rule', async (t) => {
  const send = await plugin(t, await policyFile('theirs', theirs.pair.publicKeyPem));
  const denied = await send('/AuthZPlugin.AuthZReq', authzReq(JSON.stringify({ Image: IMAGE })));
  assert.equal(denied.json.Allow, false);
  assert.match(String(denied.json.Msg), /theirs\/release-key/);
});

test('fails closed on a create the policy would allow when its body is missing, empty, oversized or its image unresolvable', async (t) => {
  const send = await plugin(t, await policyFile('ours-closed', ours.pair.publicKeyPem), 4096);
  assert.equal((await send('/AuthZPlugin.AuthZReq', authzReq(JSON.stringify({ Image: IMAGE })))).json.Allow, true, 'the same image with its body is allowed');
  // CVE-2024-41110: the daemon forwarded a create without its body.
  assert.equal((await send('/AuthZPlugin.AuthZReq', authzReq(undefined))).json.Allow, false);
  assert.equal((await send('/AuthZPlugin.AuthZReq', { ...authzReq(undefined), RequestBody: '' })).json.Allow, false);
  assert.equal((await send('/AuthZPlugin.AuthZReq', authzReq(JSON.stringify({ Image: IMAGE, Env: ['A='.padEnd(8192, 'a')] })))).json.Allow, false);
  assert.equal((await send('/AuthZPlugin.AuthZReq', authzReq(JSON.stringify({ Image: `${registry.host}/acme/missing:1` })))).json.Allow, false);
});

test('malformed plugin requests get an answer with Err, and the plugin keeps serving', async (t) => {
  const send = await plugin(t, await policyFile('ours-again', ours.pair.publicKeyPem));
  for (const junk of ['{"RequestMethod": ', 'null x', '\u0000\u0001', '{"a":1,"a":2}']) {
    const answer = await send('/AuthZPlugin.AuthZReq', junk);
    assert.equal(answer.json.Allow, false);
    assert.equal(typeof answer.json.Err, 'string');
  }
  assert.equal((await send('/AuthZPlugin.AuthZReq', '[]')).json.Allow, false);
  assert.equal((await send('/NoSuch.Endpoint', {})).status, 404);
  assert.equal((await send('/AuthZPlugin.AuthZReq', authzReq(JSON.stringify({ Image: IMAGE })))).json.Allow, true);
});

test('provenant docker-authz never replaces a file that is not a socket, and needs a way to decide', async () => {
  const file = ws.path('not-a-socket');
  await writeFile(file, 'keep me');
  failedWith(await cli(['docker-authz', '--socket', file, '--policy', await policyFile('kept', ours.pair.publicKeyPem)]), 'USAGE');
  failedWith(await cli(['docker-authz', '--socket', ws.path('x.sock')]), 'USAGE');
});
