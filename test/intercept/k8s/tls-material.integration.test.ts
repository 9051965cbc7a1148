// TLS material for the webhook, made with the real openssl: a certificate for `<service>.<namespace>.svc` issued by a
// CA (directly, or through an intermediate sent in the chain) goes into the Secret and the caBundle unchanged; one
// naming another host, paired with another key, issued by another CA or expired is refused before it reaches a
// cluster where, with failurePolicy Fail, it would block every workload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ProvenantError } from '../../../src/core/errors.js';
import { checkWebhookTls } from '../../../src/intercept/k8s/tls-material.js';
import { cli, failedWith } from '../../cli/cli-helpers.js';
import { requireProgram } from '../../helpers/registry.js';
import { byKind, type K8sObject } from './manifest-objects.js';

const dir = await mkdtemp(join(tmpdir(), 'provenant-webhook-tls-'));
test.after(() => rm(dir, { recursive: true, force: true }));
const p = (name: string): string => join(dir, name);

function openssl(args: string[]): void {
  execFileSync(requireProgram('openssl', 'apt-get install openssl'), args, { cwd: dir, stdio: 'pipe' });
}

async function ca(name: string, issuer?: string): Promise<void> {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`];
  if (issuer === undefined) {
    openssl(['req', '-x509', ...key, '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '2']);
    return;
  }
  await writeFile(p(`${name}.ext`), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  openssl(['req', '-new', ...key, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

async function leaf(name: string, host: string, issuer: string): Promise<void> {
  await writeFile(p(`${name}.ext`), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${host}`]);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

await ca('root');
await ca('other-root');
await ca('intermediate', 'root');
await leaf('svc', 'provenant.provenant.svc', 'root');
await leaf('wrong-host', 'provenant.default.svc', 'root');
await leaf('via-intermediate', 'provenant.provenant.svc', 'intermediate');
await writeFile(p('chain.crt'), (await readFile(p('via-intermediate.crt'), 'utf8')) + (await readFile(p('intermediate.crt'), 'utf8')));

const text = (name: string): Promise<string> => readFile(p(name), 'utf8');
const b64 = async (name: string): Promise<string> => (await readFile(p(name))).toString('base64');

async function manifests(args: string[]): Promise<K8sObject[]> {
  const r = await cli(['k8s', 'manifests', ...args]);
  assert.equal(r.exit, 0, r.stderr);
  return parseAllDocuments(r.stdout).map((d) => d.toJSON() as K8sObject);
}

test('a certificate for the service host, its key and the issuing CA go into the manifests byte for byte', async () => {
  const docs = await manifests(['--tls-cert', p('svc.crt'), '--tls-key', p('svc.key'), '--ca-bundle', p('root.crt')]);
  assert.deepEqual(docs.find((d) => d.type === 'kubernetes.io/tls')!.data, { 'tls.crt': await b64('svc.crt'), 'tls.key': await b64('svc.key') });
  for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
    assert.equal(byKind(docs, kind).webhooks![0]!.clientConfig.caBundle, await b64('root.crt'));
  }
  const caOnly = await manifests(['--ca-bundle', p('root.crt')]);
  assert.deepEqual(caOnly.find((d) => d.type === 'kubernetes.io/tls')!.data, { 'tls.crt': '', 'tls.key': '' });
});

test('the host checked is the one the flags name', async () => {
  failedWith(await cli(['k8s', 'manifests', '--tls-cert', p('wrong-host.crt'), '--tls-key', p('wrong-host.key')]), 'TLS_CONFIG_INVALID');
  await manifests(['--namespace', 'default', '--tls-cert', p('wrong-host.crt'), '--tls-key', p('wrong-host.key'), '--ca-bundle', p('root.crt')]);
});

test('a chain through an intermediate verifies only with the intermediate sent', async () => {
  await manifests(['--tls-cert', p('chain.crt'), '--tls-key', p('via-intermediate.key'), '--ca-bundle', p('root.crt')]);
  failedWith(await cli(['k8s', 'manifests', '--tls-cert', p('via-intermediate.crt'), '--tls-key', p('via-intermediate.key'), '--ca-bundle', p('root.crt')]), 'TLS_CONFIG_INVALID');
});

test('another key, another CA or an expired certificate is refused', async () => {
  failedWith(await cli(['k8s', 'manifests', '--tls-cert', p('svc.crt'), '--tls-key', p('wrong-host.key')]), 'TLS_CONFIG_INVALID');
  failedWith(await cli(['k8s', 'manifests', '--tls-cert', p('svc.crt'), '--tls-key', p('svc.key'), '--ca-bundle', p('other-root.crt')]), 'TLS_CONFIG_INVALID');
  const input = { cert: await text('svc.crt'), key: await text('svc.key'), ca: await text('root.crt') };
  assert.doesNotThrow(() => checkWebhookTls(input, 'provenant.provenant.svc', new Date()));
  const inAWeek = new Date(Date.now() + 7 * 86_400_000);
  assert.throws(() => checkWebhookTls(input, 'provenant.provenant.svc', inAWeek), (e: unknown) => e instanceof ProvenantError && e.code === 'TLS_CONFIG_INVALID');
});
