// `provenant k8s manifests`: YAML documents separated by `---` that parse on their own (no anchors or aliases a
// reader must resolve), flags that reach the objects, and refusals with their codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { byKind, type K8sObject } from '../intercept/k8s/manifest-objects.js';
import { cli, failedWith, workspace } from './cli-helpers.js';

async function manifests(args: string[] = []): Promise<{ text: string; docs: K8sObject[] }> {
  const r = await cli(['k8s', 'manifests', ...args]);
  assert.equal(r.exit, 0, r.stderr);
  const docs = parseAllDocuments(r.stdout).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJSON() as K8sObject;
  });
  return { text: r.stdout, docs };
}

test('prints the install as YAML documents separated by ---', async () => {
  const { text, docs } = await manifests();
  assert.equal(docs.length, 11);
  assert.equal(text.split(/^---$/m).length, 11);
  assert.doesNotMatch(text, /[&*]a\d+\b/);
  assert.deepEqual(new Set(docs.map((d) => d.kind)), new Set([
    'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'Deployment', 'Service', 'PodDisruptionBudget',
    'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  ]));
  const [hook] = byKind(docs, 'ValidatingWebhookConfiguration').webhooks!;
  assert.deepEqual([hook!.failurePolicy, hook!.sideEffects, hook!.timeoutSeconds, hook!.clientConfig.caBundle], ['Fail', 'None', 8, '']);
  assert.match(byKind(docs, 'Deployment').spec!.template!.spec.containers[0]!.image, /^ghcr\.io\/provenant\/provenant:\d+\.\d+\.\d+/);
});

test('each flag reaches the objects it names', async () => {
  const { docs } = await manifests([
    '--namespace', 'security', '--image', 'registry.example/ops/provenant:2.0', '--service-name', 'gate', '--timeout-seconds', '5',
    '--opt-out-label', 'gate.example/skip', '--tls-secret', 'gate-cert',
  ]);
  const deployment = byKind(docs, 'Deployment');
  assert.equal(deployment.metadata.namespace, 'security');
  assert.equal(deployment.metadata.name, 'gate');
  const c = deployment.spec!.template!.spec.containers[0]!;
  assert.equal(c.image, 'registry.example/ops/provenant:2.0');
  assert.equal(c.args[c.args.indexOf('--admission-budget') + 1], '4000');
  assert.equal(docs.find((d) => d.type === 'kubernetes.io/tls')!.metadata.name, 'gate-cert');
  for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
    const [hook] = byKind(docs, kind).webhooks!;
    assert.equal(hook!.timeoutSeconds, 5);
    assert.deepEqual([hook!.clientConfig.service.name, hook!.clientConfig.service.namespace], ['gate', 'security']);
    assert.equal(hook!.namespaceSelector.matchExpressions[0]!.key, 'gate.example/skip');
  }
});

test('bad flags and files are refused with their codes, printing nothing', async () => {
  const ws = await workspace('k8s');
  await writeFile(ws.path('not-a-cert.pem'), 'hello\n');
  failedWith(await cli(['k8s', 'manifests', '--timeout-seconds', '31']), 'USAGE');
  failedWith(await cli(['k8s', 'manifests', '--timeout-seconds', 'eight']), 'USAGE');
  failedWith(await cli(['k8s', 'manifests', '--namespace', 'Not_A_Name']), 'USAGE');
  failedWith(await cli(['k8s', 'manifests', '--opt-out-label', 'a/b/c']), 'USAGE');
  failedWith(await cli(['k8s', 'manifests', '--image', 'ops/App']), 'REFERENCE_INVALID');
  failedWith(await cli(['k8s', 'manifests', '--tls-cert', ws.path('not-a-cert.pem')]), 'USAGE');
  failedWith(await cli(['k8s', 'manifests', '--ca-bundle', ws.path('missing.pem')]), 'FILE_NOT_FOUND');
  failedWith(await cli(['k8s', 'manifests', '--ca-bundle', ws.path('not-a-cert.pem')]), 'TLS_CONFIG_INVALID');
  failedWith(await cli(['k8s', 'manifests', '--tls-cert', ws.path('not-a-cert.pem'), '--tls-key', ws.path('not-a-cert.pem')]), 'TLS_CONFIG_INVALID');
});
