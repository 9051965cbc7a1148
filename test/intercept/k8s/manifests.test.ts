// `provenant k8s manifests`: YAML documents that parse, with the objects and webhook settings the issue names
// (failurePolicy Fail, sideEffects None, timeout, opt-out label, every workload kind and pods/ephemeralcontainers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { cli, failedWith } from '../../cli/cli-helpers.js';

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { replicas?: number; template?: { spec: { containers: { args: string[]; securityContext: Record<string, unknown> }[] } } };
  webhooks?: {
    failurePolicy: string;
    sideEffects: string;
    timeoutSeconds: number;
    admissionReviewVersions: string[];
    clientConfig: { service: { path: string; namespace: string }; caBundle: string };
    namespaceSelector: { matchExpressions: { key: string; operator: string }[] };
    rules: { resources: string[]; operations: string[] }[];
  }[];
}

async function manifests(args: string[] = []): Promise<Doc[]> {
  const r = await cli(['k8s', 'manifests', ...args]);
  assert.equal(r.exit, 0, r.stderr);
  return parseAllDocuments(r.stdout).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJSON() as Doc;
  });
}

test('the manifests hold the service, its RBAC and both webhook configurations', async () => {
  const docs = await manifests();
  assert.deepEqual(docs.map((d) => d.kind), ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret', 'Secret', 'Deployment', 'Service', 'PodDisruptionBudget', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
  const deployment = docs.find((d) => d.kind === 'Deployment')!;
  assert.equal(deployment.spec?.replicas, 2);
  const container = deployment.spec!.template!.spec.containers[0]!;
  assert.deepEqual([container.securityContext.runAsNonRoot, container.securityContext.readOnlyRootFilesystem, container.securityContext.allowPrivilegeEscalation], [true, true, false]);
  assert.ok(container.args.includes('--admission-budget') && container.args[container.args.indexOf('--admission-budget') + 1] === '7000');
  for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
    const [hook] = docs.find((d) => d.kind === kind)!.webhooks!;
    assert.deepEqual([hook!.failurePolicy, hook!.sideEffects, hook!.timeoutSeconds], ['Fail', 'None', 8]);
    assert.deepEqual(hook!.admissionReviewVersions, ['v1', 'v1beta1']);
    assert.equal(hook!.clientConfig.service.path, kind.startsWith('Validating') ? '/admission/validate' : '/admission/mutate');
    assert.ok(hook!.namespaceSelector.matchExpressions.some((e) => e.key === 'provenant.dev/exclude' && e.operator === 'DoesNotExist'));
    const resources = hook!.rules.flatMap((r) => r.resources);
    for (const r of ['pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'replicationcontrollers', 'pods/ephemeralcontainers']) assert.ok(resources.includes(r), r);
  }
});

test('options change what they name; bad values are refused', async () => {
  const docs = await manifests(['--namespace', 'security', '--timeout-seconds', '5', '--opt-out-label', 'gate.example/skip']);
  const [hook] = docs.find((d) => d.kind === 'ValidatingWebhookConfiguration')!.webhooks!;
  assert.equal(hook!.timeoutSeconds, 5);
  assert.equal(hook!.clientConfig.service.namespace, 'security');
  assert.ok(hook!.namespaceSelector.matchExpressions.some((e) => e.key === 'gate.example/skip'));
  failedWith(await cli(['k8s', 'manifests', '--timeout-seconds', '31']), 'USAGE');
  failedWith(await cli(['k8s', 'manifests', '--tls-cert', 'x.pem']), 'USAGE');
});
