// A deployable set of Kubernetes objects for the admission webhooks (docs/kubernetes.md): namespace, service
// account with the least RBAC the service needs, TLS secret, a two-replica Deployment of `provenant serve` under a
// restricted security context, its Service and PodDisruptionBudget, and the validating and mutating webhook
// configurations: failurePolicy Fail, sideEffects None, a timeout below the API server's, an opt-out namespace
// label, every workload kind and the pods/ephemeralcontainers subresource.
import type { JsonObject } from '../../core/json.js';

export interface ManifestOptions {
  readonly namespace: string;
  readonly image: string;
  readonly serviceName: string;
  /** Webhook timeout in seconds (1..30); the service's own budget is set a second below it. */
  readonly timeoutSeconds: number;
  readonly optOutLabel: string;
  readonly tlsSecret: string;
  /** base64 PEM CA bundle the API server trusts the service with; empty: to be filled in. */
  readonly caBundle: string;
  /** base64 PEM certificate and key for the secret; empty: placeholders to replace. */
  readonly tlsCert: string;
  readonly tlsKey: string;
}

const WORKLOADS: readonly { group: string; resources: string[] }[] = [
  { group: '', resources: ['pods', 'replicationcontrollers'] },
  { group: 'apps', resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { group: 'batch', resources: ['jobs', 'cronjobs'] },
];

export function webhookManifests(o: ManifestOptions): JsonObject[] {
  const labels = { 'app.kubernetes.io/name': 'provenant', 'app.kubernetes.io/component': 'admission-webhook' };
  const meta = (name: string, namespaced = true): JsonObject => ({ name, ...(namespaced ? { namespace: o.namespace } : {}), labels });
  const budgetMs = Math.max(1, o.timeoutSeconds - 1) * 1000;
  const container: JsonObject = {
    name: 'provenant',
    image: o.image,
    // Two replicas share one PostgreSQL store and one log key (the store is bound to the key's verifier).
    args: [
      'serve', '--data', '/var/lib/provenant', '--database', '$(PROVENANT_DATABASE_URL)', '--log-key', '/etc/provenant/log/log.key',
      '--listen', '0.0.0.0:8443', '--tls-cert', '/etc/provenant/tls/tls.crt', '--tls-key', '/etc/provenant/tls/tls.key', '--admission-budget', String(budgetMs),
    ],
    env: [
      { name: 'PROVENANT_DATABASE_URL', valueFrom: { secretKeyRef: { name: `${o.serviceName}-store`, key: 'database-url' } } },
      { name: 'PROVENANT_LOG_PASSWORD', valueFrom: { secretKeyRef: { name: `${o.serviceName}-store`, key: 'log-key-password' } } },
    ],
    ports: [{ name: 'https', containerPort: 8443 }],
    readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 10 },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
    securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    volumeMounts: [
      { name: 'tls', mountPath: '/etc/provenant/tls', readOnly: true },
      { name: 'log-key', mountPath: '/etc/provenant/log', readOnly: true },
      { name: 'data', mountPath: '/var/lib/provenant' },
    ],
  };
  const webhook = (path: string): JsonObject => ({
    name: `${path.replace('/admission/', '')}.provenant.dev`,
    admissionReviewVersions: ['v1', 'v1beta1'],
    clientConfig: { service: { name: o.serviceName, namespace: o.namespace, path, port: 443 }, caBundle: o.caBundle },
    failurePolicy: 'Fail',
    sideEffects: 'None',
    timeoutSeconds: o.timeoutSeconds,
    matchPolicy: 'Equivalent',
    namespaceSelector: {
      matchExpressions: [
        { key: o.optOutLabel, operator: 'DoesNotExist' },
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', o.namespace] },
      ],
    },
    rules: [
      ...WORKLOADS.map((w) => ({ apiGroups: [w.group], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: w.resources, scope: 'Namespaced' })),
      { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods/ephemeralcontainers'], scope: 'Namespaced' },
    ],
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels: { ...labels, [o.optOutLabel]: 'true' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o.serviceName) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(`${o.serviceName}-namespaces`, false), rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(`${o.serviceName}-namespaces`, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${o.serviceName}-namespaces` },
      subjects: [{ kind: 'ServiceAccount', name: o.serviceName, namespace: o.namespace }],
    },
    { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: meta(o.tlsSecret), data: { 'tls.crt': o.tlsCert, 'tls.key': o.tlsKey } },
    // Filled in by the operator: the PostgreSQL URL, the log key (`provenant serve` creates one on first start) and its password.
    { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: meta(`${o.serviceName}-store`), stringData: { 'database-url': '', 'log-key-password': '', 'log.key': '' } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(o.serviceName),
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: o.serviceName,
            automountServiceAccountToken: true,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [container],
            volumes: [
              { name: 'tls', secret: { secretName: o.tlsSecret } },
              { name: 'log-key', secret: { secretName: `${o.serviceName}-store`, items: [{ key: 'log.key', path: 'log.key' }] } },
              { name: 'data', emptyDir: {} },
            ],
          },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(o.serviceName), spec: { selector: labels, ports: [{ name: 'https', port: 443, targetPort: 'https' }] } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(o.serviceName), spec: { minAvailable: 1, selector: { matchLabels: labels } } },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: meta(`${o.serviceName}-validate`, false), webhooks: [webhook('/admission/validate')] },
    { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: meta(`${o.serviceName}-mutate`, false), webhooks: [{ ...webhook('/admission/mutate'), reinvocationPolicy: 'Never' }] },
  ];
}
