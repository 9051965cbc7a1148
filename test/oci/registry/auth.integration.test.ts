// Basic auth (htpasswd) and TLS with a private CA, against the real CNCF registry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { sha256Digest } from '../../../src/core/digest.js';
import { RegistryClient } from '../../../src/oci/registry/client.js';
import { dockerConfigCredentials } from '../../../src/oci/registry/docker-config.js';
import { requireProgram, startRegistry, type RunningRegistry } from '../../helpers/registry.js';
import { imageManifest } from './memory-registry.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;

let dir: string;
let basicRegistry: RunningRegistry;
let tlsRegistry: RunningRegistry;
let caPem: string;

/** A CA and a server certificate for 127.0.0.1, made with openssl now. */
function makeCertificates(): { ca: string; cert: string; key: string } {
  const openssl = requireProgram('openssl', 'Debian package openssl');
  const run = (...args: string[]) => {
    const r = spawnSync(openssl, args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  writeFileSync(join(dir, 'leaf.cnf'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=it-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'leaf.cnf');
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provenant-regauth-'));
  basicRegistry = await startRegistry({ users: [{ username: 'alice', password: 'correct horse' }] });
  const certs = makeCertificates();
  caPem = readFileSync(certs.ca, 'utf8');
  tlsRegistry = await startRegistry({ tls: { certFile: certs.cert, keyFile: certs.key } });
});
after(async () => {
  await basicRegistry.stop();
  await tlsRegistry.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function pushAndResolve(c: RegistryClient): Promise<void> {
  const config = Buffer.from('{"os":"linux","architecture":"arm64"}');
  await c.pushBlob(config, 'application/vnd.oci.image.config.v1+json');
  const bytes = imageManifest(config, []);
  await c.pushManifest({ mediaType: OCI_MANIFEST, digest: sha256Digest(bytes), bytes }, 'v1');
  assert.equal((await c.resolve()).digest, sha256Digest(bytes));
}

test('real registry with htpasswd: credentials from a Docker config file work; none or wrong ones are REGISTRY_UNAUTHORIZED', async () => {
  const configDir = join(dir, 'docker');
  rmSync(configDir, { recursive: true, force: true });
  const write = (password: string) => {
    mkdirSync(configDir, { recursive: true });
    const auth = Buffer.from(`alice:${password}`).toString('base64');
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: { [`http://${basicRegistry.host}/v2/`]: { auth } } }));
  };
  const make = () =>
    new RegistryClient({ registry: basicRegistry.host, repository: 'secure/app', tag: 'v1', credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: configDir } }) });

  const anonymous = new RegistryClient({ registry: basicRegistry.host, repository: 'secure/app', tag: 'v1' });
  await assert.rejects(anonymous.resolve(), isCode('REGISTRY_UNAUTHORIZED'));
  write('wrong');
  const wrong = make();
  await assert.rejects(wrong.resolve(), isCode('REGISTRY_UNAUTHORIZED'));
  await assert.rejects(wrong.pushBlob(Buffer.from('x'), 'application/octet-stream'), isCode('REGISTRY_UNAUTHORIZED'));
  write('correct horse');
  const right = make();
  await pushAndResolve(right);
  assert.deepEqual(await right.listTags(), ['v1']);
  for (const c of [anonymous, wrong, right]) await c.close();
});

test('real registry over TLS: trusted through the CA bundle; without it REGISTRY_TLS_FAILED', async () => {
  const trusted = new RegistryClient({ registry: tlsRegistry.host, repository: 'tls/app', tag: 'v1', scheme: 'https', caBundle: caPem });
  await pushAndResolve(trusted);
  const untrusted = new RegistryClient({ registry: tlsRegistry.host, repository: 'tls/app', tag: 'v1', scheme: 'https' });
  await assert.rejects(untrusted.resolve(), isCode('REGISTRY_TLS_FAILED'));
  await trusted.close();
  await untrusted.close();
});
