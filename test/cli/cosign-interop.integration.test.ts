// Interoperability of the signature and attestation formats on a real CNCF distribution registry, both
// ways, between the provenant CLI (a child process, as users run it) and test/interop/cosign_registry.py,
// an independent implementation of cosign's registry formats written from cosign's specs (stdlib HTTP,
// pyca cryptography, PyNaCl). Images are pushed with skopeo. Needs docker-registry, skopeo and Debian's
// /usr/bin/python3 with cryptography and PyNaCl; a missing one fails the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildImage, writeOciLayout, type TestImage } from '../helpers/oci-image.js';
import { requireProgram, startRegistry, type RunningRegistry } from '../helpers/registry.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PYTHON = '/usr/bin/python3';
const HELPER = join(ROOT, 'test', 'interop', 'cosign_registry.py');
const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const PY_PASSWORD = 'python key password';
const PV_PASSWORD = 'provenant key password';

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

let registry: RunningRegistry;
let work: string;
let skopeo: string;
let imageA: TestImage;
let imageB: TestImage;

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const fullEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, ...env };
    execFile(cmd, args, { cwd: ROOT, env: fullEnv, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null && typeof err.code !== 'number') reject(new Error(`${cmd} could not run or was killed: ${err.message}\n${stderr}`));
      else resolve({ status: err === null ? 0 : (err.code as number), stdout, stderr });
    });
  });
}

function provenant(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return run(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), ...args], env);
}

function python(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return run(PYTHON, [HELPER, ...args], env);
}

function ok(r: Run, what: string): unknown {
  assert.equal(r.status, 0, `${what} exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

/** Pushes `image` as REPO:v1 with skopeo and returns the digest skopeo reports for the pushed manifest. */
async function push(image: TestImage, repo: string): Promise<string> {
  const dir = await mkdtemp(join(work, 'layout-'));
  await writeOciLayout(dir, image.blobs, [{ manifest: image.manifest, name: 'v1' }]);
  const digestFile = join(dir, 'pushed.digest');
  const r = await run(skopeo, ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', '--digestfile', digestFile, `oci:${dir}:v1`, `docker://${registry.host}/${repo}:v1`]);
  assert.equal(r.status, 0, `skopeo copy failed:\n${r.stderr}`);
  return (await readFile(digestFile, 'utf8')).trim();
}

const ref = (repo: string): string => `${registry.host}/${repo}:v1`;
const file = (name: string): string => join(work, name);

/** The `critical` section of each simple-signing payload printed by a verifier. */
function signedDigests(payloads: unknown): { ref: string; digest: string }[] {
  assert.ok(Array.isArray(payloads));
  return payloads.map((p) => {
    const critical = (p as { critical: { identity: { 'docker-reference': string }; image: { 'docker-manifest-digest': string }; type: string } }).critical;
    assert.equal(critical.type, 'cosign container image signature');
    return { ref: critical.identity['docker-reference'], digest: critical.image['docker-manifest-digest'] };
  });
}

before(async () => {
  skopeo = requireProgram('skopeo', 'Debian package skopeo');
  work = await mkdtemp(join(tmpdir(), 'provenant-cosign-interop-'));
  registry = await startRegistry();
  imageA = await buildImage();
  imageB = await buildImage({ layers: [{ files: { 'etc/os-release': 'ID=other\n' }, createdBy: 'ADD other /' }] });
  assert.notEqual(imageA.manifest.digest, imageB.manifest.digest);
  // The Python key (cosign's encrypted format, written by Python) and a Provenant key.
  ok(await python(['genkey', '--output-key-prefix', file('python')], { COSIGN_PASSWORD: PY_PASSWORD }), 'python genkey');
  ok(await provenant(['keygen', '--output-key-prefix', file('provenant')], { PROVENANT_PASSWORD: PV_PASSWORD }), 'provenant keygen');
  await writeFile(file('predicate.json'), JSON.stringify({ buildDefinition: { buildType: 'https://example.com/build/v1', externalParameters: {} }, runDetails: { builder: { id: 'https://example.com/builder' } } }));
});

after(async () => {
  await registry?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

test('(a) a key and signature made in Python verify with provenant verify', async () => {
  const digest = await push(imageA, 'interop/py-signed');
  const signed = ok(await python(['sign', '--key', file('python.key'), ref('interop/py-signed')], { COSIGN_PASSWORD: PY_PASSWORD }), 'python sign');
  assert.equal((signed as { digest: string }).digest, digest);

  const verified = await provenant(['verify', '--key', file('python.pub'), ref('interop/py-signed')]);
  assert.deepEqual(signedDigests(ok(verified, 'provenant verify')), [{ ref: `${registry.host}/interop/py-signed`, digest }]);
  // The Provenant key is not the signer's.
  const wrong = await provenant(['verify', '--key', file('provenant.pub'), ref('interop/py-signed')]);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /^error\[SIGNATURE_INVALID\]/m);
});

test("(a) provenant sign with Python's encrypted cosign.key makes a signature Python verifies", async () => {
  const digest = await push(imageA, 'interop/py-key');
  ok(await provenant(['sign', '--key', file('python.key'), ref('interop/py-key')], { PROVENANT_PASSWORD: PY_PASSWORD }), 'provenant sign');
  const verified = await python(['verify', '--key', file('python.pub'), ref('interop/py-key')]);
  assert.deepEqual(signedDigests(ok(verified, 'python verify')), [{ ref: `${registry.host}/interop/py-key`, digest }]);
});

test('(b) a Provenant key and signature verify in Python; another key does not', async () => {
  const digest = await push(imageA, 'interop/pv-signed');
  ok(await provenant(['sign', '--key', file('provenant.key'), ref('interop/pv-signed')], { PROVENANT_PASSWORD: PV_PASSWORD }), 'provenant sign');
  const verified = await python(['verify', '--key', file('provenant.pub'), ref('interop/pv-signed')]);
  assert.deepEqual(signedDigests(ok(verified, 'python verify')), [{ ref: `${registry.host}/interop/pv-signed`, digest }]);
  const other = await python(['verify', '--key', file('python.pub'), ref('interop/pv-signed')]);
  assert.equal(other.status, 1, `python verify with another key exited ${other.status}:\n${other.stderr}`);
  assert.deepEqual(JSON.parse(other.stdout), []);
});

test('(c) provenant attest --type slsaprovenance1 verifies in Python', async () => {
  const digest = await push(imageA, 'interop/pv-attest');
  ok(
    await provenant(['attest', '--key', file('provenant.key'), '--type', 'slsaprovenance1', '--predicate', file('predicate.json'), ref('interop/pv-attest')], {
      PROVENANT_PASSWORD: PV_PASSWORD,
    }),
    'provenant attest',
  );
  const verified = ok(await python(['verify-attestation', '--key', file('provenant.pub'), '--type', SLSA_V1, ref('interop/pv-attest')]), 'python verify-attestation');
  assert.ok(Array.isArray(verified) && verified.length === 1);
  const statement = verified[0] as { predicateType: string; subject: { digest: { sha256: string } }[]; predicate: unknown };
  assert.equal(statement.predicateType, SLSA_V1);
  assert.deepEqual(statement.subject.map((s) => `sha256:${s.digest.sha256}`), [digest]);
  assert.deepEqual(statement.predicate, JSON.parse(await readFile(file('predicate.json'), 'utf8')));
  const other = await python(['verify-attestation', '--key', file('python.pub'), '--type', SLSA_V1, ref('interop/pv-attest')]);
  assert.equal(other.status, 1, `python verify-attestation with another key exited ${other.status}:\n${other.stderr}`);
});

test('(c) a Python attestation verifies with provenant verify-attestation --type slsaprovenance1', async () => {
  const digest = await push(imageA, 'interop/py-attest');
  ok(
    await python(['attest', '--key', file('python.key'), '--type', SLSA_V1, '--predicate', file('predicate.json'), ref('interop/py-attest')], {
      COSIGN_PASSWORD: PY_PASSWORD,
    }),
    'python attest',
  );
  const verified = ok(await provenant(['verify-attestation', '--key', file('python.pub'), '--type', 'slsaprovenance1', ref('interop/py-attest')]), 'provenant verify-attestation');
  assert.ok(Array.isArray(verified) && verified.length === 1);
  const found = verified[0] as { source: string; predicateType: string; statement: { subject: { digest: { sha256: string } }[] } };
  assert.equal(found.source, `sha256-${digest.slice('sha256:'.length)}.att`);
  assert.equal(found.predicateType, SLSA_V1);
  assert.deepEqual(found.statement.subject.map((s) => `sha256:${s.digest.sha256}`), [digest]);
  const wrong = await provenant(['verify-attestation', '--key', file('provenant.pub'), '--type', 'slsaprovenance1', ref('interop/py-attest')]);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /^error\[SIGNATURE_INVALID\]/m);
});

test("(d) image A's signature copied under image B's .sig tag is refused: SIGNATURE_DIGEST_MISMATCH", async () => {
  const repo = 'interop/moved';
  const digestA = await push(imageA, repo);
  ok(await python(['sign', '--key', file('python.key'), ref(repo)], { COSIGN_PASSWORD: PY_PASSWORD }), 'python sign');
  const digestB = await push(imageB, repo);
  assert.notEqual(digestA, digestB);
  const sigTag = (d: string): string => `sha256-${d.slice('sha256:'.length)}.sig`;
  ok(await python(['copy-manifest', `${registry.host}/${repo}:${sigTag(digestA)}`, sigTag(digestB)]), 'python copy-manifest');

  const moved = await provenant(['verify', '--key', file('python.pub'), ref(repo)]);
  assert.equal(moved.status, 1, `provenant verify exited ${moved.status}:\n${moved.stderr}`);
  assert.match(moved.stderr, /^error\[SIGNATURE_DIGEST_MISMATCH\]/m);
  // The independent verifier agrees, and A itself, named by digest, still verifies.
  assert.equal((await python(['verify', '--key', file('python.pub'), ref(repo)])).status, 1);
  const byDigest = await provenant(['verify', '--key', file('python.pub'), `${registry.host}/${repo}@${digestA}`]);
  assert.deepEqual(signedDigests(ok(byDigest, 'provenant verify A by digest')), [{ ref: `${registry.host}/${repo}`, digest: digestA }]);
});
