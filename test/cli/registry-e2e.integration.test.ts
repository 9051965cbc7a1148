// End to end against real peers: images built with umoci, pushed with skopeo into a CNCF distribution
// registry on loopback, signed and verified with the CLI. Needs docker-registry, umoci and skopeo.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ImageInspection } from '../../src/attest/inspect.js';
import { digestHex } from '../../src/core/digest.js';
import { startRegistry, requireProgram, type RunningRegistry } from '../helpers/registry.js';
import { errorCode, provenant } from '../helpers/cli.js';

const run = promisify(execFile);
const ENV = { PROVENANT_PASSWORD: 'correct horse' };
let work: string;
let registry: RunningRegistry;
let layout: string;
const digests: Record<string, string> = {};

async function tool(cmd: string, args: string[]): Promise<string> {
  requireProgram(cmd, `apt-get install -y ${cmd}`);
  const { stdout } = await run(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Adds a tag to the umoci layout: a new image with one layer per file. */
async function umociImage(tag: string, files: Record<string, string>): Promise<void> {
  const bundle = join(work, `bundle-${tag}`);
  await tool('umoci', ['new', '--image', `${layout}:${tag}`]);
  await tool('umoci', ['unpack', '--rootless', '--image', `${layout}:${tag}`, bundle]);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(bundle, 'rootfs', name, '..'), { recursive: true });
    await writeFile(join(bundle, 'rootfs', name), content);
    await tool('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:${tag}`, bundle]);
  }
  await tool('umoci', ['config', '--image', `${layout}:${tag}`, '--config.cmd', '/bin/app']);
}

async function push(tag: string, target: string): Promise<void> {
  await tool('skopeo', ['--insecure-policy', 'copy', '--dest-tls-verify=false', `oci:${layout}:${tag}`, `docker://${registry.host}/${target}`]);
}

async function remoteDigest(target: string): Promise<string> {
  const raw = await tool('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${registry.host}/${target}`]);
  return raw.trim();
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'provenant-e2e-'));
  layout = join(work, 'layout');
  registry = await startRegistry();
  await tool('umoci', ['init', '--layout', layout]);
  await umociImage('v1', { 'app/version': '1\n', 'etc/motd': 'hello\n' });
  await umociImage('v2', { 'app/version': '2\n' });
  await push('v1', 'e2e/app:v1');
  await push('v2', 'e2e/other:v2');
  digests.v1 = await remoteDigest('e2e/app:v1');
  digests.v2 = await remoteDigest('e2e/other:v2');
  const keygen = await provenant(['keygen', '--output-key-prefix', join(work, 'cosign')], ENV);
  assert.equal(keygen.code, 0, keygen.stderr);
  const other = await provenant(['keygen', '--output-key-prefix', join(work, 'other')], ENV);
  assert.equal(other.code, 0, other.stderr);
});

after(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

test('sign then verify: the payload names the digest the tag resolves to', async () => {
  const image = `${registry.host}/e2e/app:v1`;
  const signed = await provenant(['sign', '--key', join(work, 'cosign.key'), image], ENV);
  assert.equal(signed.code, 0, signed.stderr);
  assert.equal(JSON.parse(signed.stdout).digest, digests.v1);
  // skopeo (an implementation we did not write) sees the attachment under cosign's tag.
  const tags = JSON.parse(await tool('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry.host}/e2e/app`])).Tags as string[];
  assert.ok(tags.includes(`sha256-${digestHex(digests.v1 as `sha256:${string}`)}.sig`), tags.join(','));

  for (const ref of [image, `${registry.host}/e2e/app@${digests.v1}`]) {
    const verified = await provenant(['verify', '--key', join(work, 'cosign.pub'), ref]);
    assert.equal(verified.code, 0, verified.stderr);
    const payloads = JSON.parse(verified.stdout) as Array<{ critical: { image: { 'docker-manifest-digest': string } } }>;
    assert.equal(payloads.length, 1);
    assert.equal(payloads[0]!.critical.image['docker-manifest-digest'], digests.v1);
  }
  const wrongKey = await provenant(['verify', '--key', join(work, 'other.pub'), image]);
  assert.equal(wrongKey.code, 1);
  assert.equal(errorCode(wrongKey), 'SIGNATURE_INVALID');
});

test('an unsigned image fails verification', async () => {
  const result = await provenant(['verify', '--key', join(work, 'cosign.pub'), `${registry.host}/e2e/other:v2`]);
  assert.equal(result.code, 1);
  assert.equal(errorCode(result), 'SIGNATURE_MISSING');
  assert.equal(result.stdout, '');
});

test("a signature made for another digest, copied beside this image, fails", async () => {
  const image = `${registry.host}/e2e/app:v1`;
  assert.equal((await provenant(['sign', '--key', join(work, 'cosign.key'), image], ENV)).code, 0);
  const from = `docker://${registry.host}/e2e/app:sha256-${digestHex(digests.v1 as `sha256:${string}`)}.sig`;
  const to = `docker://${registry.host}/e2e/other:sha256-${digestHex(digests.v2 as `sha256:${string}`)}.sig`;
  await tool('skopeo', ['--insecure-policy', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--preserve-digests', from, to]);
  const result = await provenant(['verify', '--key', join(work, 'cosign.pub'), `${registry.host}/e2e/other:v2`]);
  assert.equal(result.code, 1);
  assert.equal(errorCode(result), 'SIGNATURE_DIGEST_MISMATCH');
});

test('a re-tagged image whose tag moved to another digest fails; the signed digest still verifies', async () => {
  await push('v1', 'e2e/moving:stable');
  const signedDigest = await remoteDigest('e2e/moving:stable');
  const ref = `${registry.host}/e2e/moving:stable`;
  assert.equal((await provenant(['sign', '--key', join(work, 'cosign.key'), ref], ENV)).code, 0);
  assert.equal((await provenant(['verify', '--key', join(work, 'cosign.pub'), ref])).code, 0);
  await push('v2', 'e2e/moving:stable');
  assert.notEqual(await remoteDigest('e2e/moving:stable'), signedDigest);
  const moved = await provenant(['verify', '--key', join(work, 'cosign.pub'), ref]);
  assert.equal(moved.code, 1);
  assert.equal(errorCode(moved), 'SIGNATURE_MISSING');
  const pinned = await provenant(['verify', '--key', join(work, 'cosign.pub'), `${registry.host}/e2e/moving@${signedDigest}`]);
  assert.equal(pinned.code, 0, pinned.stderr);
});

test('attest then verify-attestation through the registry (tag scheme and referrers fallback index)', async () => {
  const image = `${registry.host}/e2e/app:v1`;
  const predicate = join(work, 'provenance.json');
  await writeFile(predicate, JSON.stringify({ buildDefinition: { buildType: 'https://example.com/build/v1' }, runDetails: { builder: { id: 'ci' } } }));
  const attested = await provenant(['attest', '--key', join(work, 'cosign.key'), '--type', 'slsaprovenance1', '--predicate', predicate, image], ENV);
  assert.equal(attested.code, 0, attested.stderr);
  for (const attach of ['legacy', 'referrers'] as const) {
    // Each place on its own: an image attested only there verifies.
    await push('v1', `e2e/att-${attach}:v1`);
    const ref = `${registry.host}/e2e/att-${attach}:v1`;
    const one = await provenant(['attest', '--attach', attach, '--key', join(work, 'cosign.key'), '--type', 'slsaprovenance1', '--predicate', predicate, ref], ENV);
    assert.equal(one.code, 0, one.stderr);
    const verified = await provenant(['verify-attestation', '--key', join(work, 'cosign.pub'), '--type', 'slsaprovenance1', ref]);
    assert.equal(verified.code, 0, verified.stderr);
    const found = JSON.parse(verified.stdout) as Array<{ source: string; statement: { subject: Array<{ digest: { sha256: string } }> } }>;
    assert.equal(found.length, 1);
    assert.equal(found[0]!.source === 'referrer', attach === 'referrers');
    assert.equal(`sha256:${found[0]!.statement.subject[0]!.digest.sha256}`, digests.v1);
  }
  // The registry has no referrers API; the fallback index is an ordinary tag skopeo can read.
  const fallback = `docker://${registry.host}/e2e/att-referrers:sha256-${digestHex(digests.v1 as `sha256:${string}`)}`;
  const index = JSON.parse(await tool('skopeo', ['inspect', '--tls-verify=false', '--raw', fallback])) as { manifests: Array<{ artifactType: string }> };
  assert.equal(index.manifests[0]!.artifactType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  const wrongType = await provenant(['verify-attestation', '--key', join(work, 'cosign.pub'), '--type', 'cyclonedx', image]);
  assert.equal(wrongType.code, 1);
  assert.equal(errorCode(wrongType), 'ATTESTATION_MISSING');
});

test('oci: and docker-archive: sources give the registry copy’s manifest digest and layers', async () => {
  const inspect = async (ref: string): Promise<ImageInspection> => {
    const result = await provenant(['inspect', ref]);
    assert.equal(result.code, 0, `${ref}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  };
  const remote = await inspect(`${registry.host}/e2e/app:v1`);
  const local = await inspect(`oci:${layout}:v1`);
  // A docker save archive as Docker >= 25 writes it: the OCI layout plus manifest.json, in one tar.
  const archive = join(work, 'app.tar');
  await writeFile(join(layout, 'manifest.json'), JSON.stringify([{ Config: `blobs/sha256/${digestHex(remote.config.digest)}`, RepoTags: ['example.com/app:v1'], Layers: remote.layers.map((l) => `blobs/sha256/${digestHex(l.digest)}`) }]));
  await tool('tar', ['-C', layout, '-cf', archive, '.']);
  const archived = await inspect(`docker-archive:${archive}:v1`);
  for (const view of [local, archived]) {
    assert.equal(view.digest, digests.v1);
    assert.deepEqual(view.layers, remote.layers);
    assert.equal(view.config.digest, remote.config.digest);
  }
  assert.equal(remote.layers.length, 2);
});

test('registry failures get their own codes: 404, 401, corrupted blob', async () => {
  const missing = await provenant(['inspect', `${registry.host}/e2e/nothing:here`]);
  assert.equal(missing.code, 4);
  assert.equal(errorCode(missing), 'MANIFEST_NOT_FOUND');

  const secured = await startRegistry({ users: [{ username: 'ci', password: 's3cret' }] });
  try {
    await tool('skopeo', ['--insecure-policy', 'copy', '--dest-tls-verify=false', '--dest-creds', 'ci:s3cret', `oci:${layout}:v1`, `docker://${secured.host}/e2e/app:v1`]);
    const anonymous = await provenant(['inspect', `${secured.host}/e2e/app:v1`]);
    assert.equal(anonymous.code, 6);
    assert.equal(errorCode(anonymous), 'REGISTRY_UNAUTHORIZED');
    const authfile = join(work, 'auth.json');
    await writeFile(authfile, JSON.stringify({ auths: { [secured.host]: { auth: Buffer.from('ci:s3cret').toString('base64') } } }));
    const authed = await provenant(['inspect', '--authfile', authfile, `${secured.host}/e2e/app:v1`]);
    assert.equal(authed.code, 0, authed.stderr);
    assert.equal(JSON.parse(authed.stdout).digest, digests.v1);
  } finally {
    await secured.stop();
  }

  // Overwrite the config blob in the registry's storage: the bytes served no longer match their digest.
  await push('v1', 'e2e/corrupt:v1');
  const view = JSON.parse((await provenant(['inspect', `${registry.host}/e2e/corrupt:v1`])).stdout);
  const hex = digestHex(view.config.digest);
  const blobPath = join(registry.rootDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  const original = await readFile(blobPath);
  await writeFile(blobPath, Buffer.from(original.toString().replace('"os":"linux"', '"os":"linuy"')));
  try {
    const corrupt = await provenant(['inspect', `${registry.host}/e2e/corrupt:v1`]);
    assert.equal(corrupt.code, 3);
    assert.equal(errorCode(corrupt), 'DIGEST_MISMATCH');
  } finally {
    await writeFile(blobPath, original);
  }
});

test('a registry answering 500 is retried, then reported (scripted registry: a real one cannot be made to fail)', async () => {
  let calls = 0;
  const server: Server = createServer((_req, res) => {
    calls++;
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNKNOWN","message":"storage down"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const result = await provenant(['inspect', `127.0.0.1:${port}/e2e/app:v1`]);
    assert.equal(result.code, 5);
    assert.equal(errorCode(result), 'REGISTRY_SERVER_ERROR');
    assert.ok(calls > 1, `expected retries, saw ${calls} call(s)`);
  } finally {
    server.close();
  }
});
