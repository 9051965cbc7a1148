// The webhook manifests builder: exactly the objects the install needs, the webhook settings that keep admission
// closed and bounded in time, a Deployment under the restricted security context, and options that change what
// they name and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../../src/core/errors.js';
import { admissionBudgetMs, webhookManifests, type ManifestOptions } from '../../../src/intercept/k8s/manifests.js';
import { byKind, type K8sObject, type Webhook } from './manifest-objects.js';

const DEFAULTS: ManifestOptions = {
  namespace: 'provenant',
  image: 'ghcr.io/provenant/provenant:0.1.0',
  serviceName: 'provenant',
  timeoutSeconds: 8,
  optOutLabel: 'provenant.dev/exclude',
  tlsSecret: 'provenant-tls',
  caBundle: '',
  tlsCert: '',
  tlsKey: '',
};

const build = (o: Partial<ManifestOptions> = {}): K8sObject[] => webhookManifests({ ...DEFAULTS, ...o }) as unknown as K8sObject[];
const hooks = (docs: K8sObject[]): Webhook[] =>
  ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].map((kind) => byKind(docs, kind).webhooks![0]!);

const WORKLOADS = ['pods', 'deployments', 'replicasets', 'statefulsets', 'daemonsets', 'jobs', 'cronjobs', 'replicationcontrollers'];

test('exactly the objects of the install, namespace first and webhooks last', () => {
  assert.deepEqual(build().map((d) => `${d.apiVersion} ${d.kind}`), [
    'v1 Namespace',
    'v1 ServiceAccount',
    'rbac.authorization.k8s.io/v1 ClusterRole',
    'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
    'v1 Secret',
    'v1 Secret',
    'apps/v1 Deployment',
    'v1 Service',
    'policy/v1 PodDisruptionBudget',
    'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration',
  ]);
});

test('both webhooks fail closed, have no side effects, a bounded timeout and every workload kind', () => {
  for (const [i, hook] of hooks(build()).entries()) {
    assert.equal(hook.clientConfig.service.path, i === 0 ? '/admission/validate' : '/admission/mutate');
    assert.deepEqual({ ...hook.clientConfig.service, path: undefined }, { name: 'provenant', namespace: 'provenant', path: undefined, port: 443 });
    assert.equal(hook.clientConfig.caBundle, '');
    assert.equal(hook.failurePolicy, 'Fail');
    assert.equal(hook.sideEffects, 'None');
    assert.equal(hook.matchPolicy, 'Equivalent');
    assert.equal(hook.timeoutSeconds, 8);
    assert.deepEqual(hook.admissionReviewVersions, ['v1', 'v1beta1']);
    assert.deepEqual(hook.namespaceSelector, {
      matchExpressions: [
        { key: 'provenant.dev/exclude', operator: 'DoesNotExist' },
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'provenant'] },
      ],
    });
    const ops = new Map(hook.rules.flatMap((r) => r.resources.map((res) => [res, r.operations.join(',')] as const)));
    assert.deepEqual([...ops.keys()].sort(), [...WORKLOADS, 'pods/ephemeralcontainers'].sort());
    for (const w of WORKLOADS) assert.equal(ops.get(w), 'CREATE,UPDATE', w);
    assert.equal(ops.get('pods/ephemeralcontainers'), 'UPDATE');
  }
  assert.notEqual(hooks(build())[0]!.name, hooks(build())[1]!.name);
});

test('the Deployment runs two restricted replicas of serve with TLS from the secret, probes and resources', () => {
  const docs = build();
  const spec = byKind(docs, 'Deployment').spec!;
  assert.equal(spec.replicas, 2);
  const pod = spec.template!.spec;
  const [c] = pod.containers;
  assert.equal(c!.image, DEFAULTS.image);
  assert.equal(c!.args[0], 'serve');
  const arg = (flag: string): string | undefined => c!.args[c!.args.indexOf(flag) + 1];
  const tlsMount = c!.volumeMounts.find((m) => m.name === pod.volumes.find((v) => v.secret?.secretName === 'provenant-tls')!.name)!;
  assert.equal(arg('--tls-cert'), `${tlsMount.mountPath}/tls.crt`);
  assert.equal(arg('--tls-key'), `${tlsMount.mountPath}/tls.key`);
  assert.equal(arg('--admission-budget'), '7000');
  assert.equal(arg('--listen'), '0.0.0.0:8443');
  assert.equal(c!.readinessProbe.httpGet.path, '/readyz');
  assert.equal(c!.livenessProbe.httpGet.path, '/healthz');
  assert.ok(c!.resources.requests && c!.resources.limits);
  assert.deepEqual(c!.securityContext, {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.equal(pod.serviceAccountName, 'provenant');
  assert.equal(pod.automountServiceAccountToken, true, 'the token reads namespace labels');
  // The Service reaches the container's 8443 by port name; the PDB covers the Deployment's pods.
  const service = byKind(docs, 'Service').spec!;
  assert.deepEqual(service.ports, [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
  assert.deepEqual(c!.ports, [{ name: 'https', containerPort: 8443, protocol: 'TCP' }]);
  assert.deepEqual(service.selector, spec.template!.metadata.labels);
  const pdb = byKind(docs, 'PodDisruptionBudget').spec!;
  assert.equal(pdb.minAvailable, 1);
  assert.deepEqual(pdb.selector!.matchLabels, spec.template!.metadata.labels);
});

test('RBAC reads namespaces and nothing else; the service namespace opts itself out', () => {
  const docs = build();
  assert.deepEqual(byKind(docs, 'ClusterRole').rules, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }]);
  const binding = byKind(docs, 'ClusterRoleBinding');
  assert.equal(binding.roleRef!.name, byKind(docs, 'ClusterRole').metadata.name);
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'provenant', namespace: 'provenant' }]);
  assert.equal(byKind(docs, 'Namespace').metadata.labels!['provenant.dev/exclude'], 'true');
  const tls = docs.find((d) => d.kind === 'Secret' && d.type === 'kubernetes.io/tls')!;
  assert.deepEqual(tls.data, { 'tls.crt': '', 'tls.key': '' });
});

test('each option changes what it names', () => {
  const docs = build({
    namespace: 'security',
    image: 'registry.example/ops/provenant@sha256:' + 'a'.repeat(64),
    serviceName: 'gate',
    timeoutSeconds: 20,
    optOutLabel: 'gate.example/skip',
    tlsSecret: 'gate-cert',
    caBundle: 'Q0E=',
    tlsCert: 'Y2VydA==',
    tlsKey: 'a2V5',
  });
  for (const d of docs.filter((x) => !['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].includes(x.kind))) {
    assert.equal(d.metadata.namespace, 'security', d.kind);
  }
  assert.equal(byKind(docs, 'Namespace').metadata.name, 'security');
  const deployment = byKind(docs, 'Deployment');
  assert.equal(deployment.metadata.name, 'gate');
  const c = deployment.spec!.template!.spec.containers[0]!;
  assert.equal(c.image, 'registry.example/ops/provenant@sha256:' + 'a'.repeat(64));
  assert.equal(c.args[c.args.indexOf('--admission-budget') + 1], '19000');
  assert.ok(deployment.spec!.template!.spec.volumes.some((v) => v.secret?.secretName === 'gate-cert'));
  assert.deepEqual(docs.find((d) => d.type === 'kubernetes.io/tls')!.data, { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' });
  assert.equal(docs.find((d) => d.type === 'kubernetes.io/tls')!.metadata.name, 'gate-cert');
  assert.equal(byKind(docs, 'Service').metadata.name, 'gate');
  for (const hook of hooks(docs)) {
    assert.deepEqual(hook.clientConfig, { service: { name: 'gate', namespace: 'security', path: hook.clientConfig.service.path, port: 443 }, caBundle: 'Q0E=' });
    assert.equal(hook.timeoutSeconds, 20);
    assert.deepEqual(hook.namespaceSelector.matchExpressions[0], { key: 'gate.example/skip', operator: 'DoesNotExist' });
    assert.deepEqual(hook.namespaceSelector.matchExpressions[1]!.values, ['kube-system', 'security']);
  }
  assert.equal(byKind(docs, 'Namespace').metadata.labels!['gate.example/skip'], 'true');
  assert.equal(byKind(docs, 'ClusterRoleBinding').subjects![0]!.namespace, 'security');
});

test('values Kubernetes would refuse are refused here', () => {
  const refused = (o: Partial<ManifestOptions>, code: string): void => {
    assert.throws(() => build(o), (e: unknown) => e instanceof ProvenantError && e.code === code, JSON.stringify(o));
  };
  for (const timeoutSeconds of [0, 31, 2.5]) refused({ timeoutSeconds }, 'USAGE');
  for (const namespace of ['Prod', 'a_b', '-x', 'x'.repeat(64), '']) refused({ namespace }, 'USAGE');
  refused({ serviceName: 'gate.svc' }, 'USAGE');
  refused({ tlsSecret: 'TLS' }, 'USAGE');
  for (const optOutLabel of ['', 'a/b/c', 'Bad_Prefix/x', 'x/-y', `x/${'n'.repeat(64)}`]) refused({ optOutLabel }, 'USAGE');
  for (const image of ['ops/App:1', 'app:bad tag', '']) refused({ image }, 'REFERENCE_INVALID');
  refused({ caBundle: 'not base64!' }, 'USAGE');
  refused({ tlsCert: 'Y2VydA==' }, 'USAGE');
  assert.doesNotThrow(() => build({ optOutLabel: 'exclude', timeoutSeconds: 30, namespace: 'kube-system' }));
  assert.deepEqual(hooks(build({ namespace: 'kube-system' }))[0]!.namespaceSelector.matchExpressions[1]!.values, ['kube-system']);
});

test('the service budget stays below the webhook timeout', () => {
  for (const s of [1, 2, 4, 8, 10, 30]) {
    const ms = admissionBudgetMs(s);
    assert.ok(ms < s * 1000 && ms >= s * 750, `${s}s -> ${ms}ms`);
  }
  assert.equal(admissionBudgetMs(8), 7000);
});
