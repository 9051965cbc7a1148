// A deployable set of Kubernetes objects for the admission webhooks (docs/kubernetes.md): the namespace, a service
// account allowed to read namespaces and nothing else, the TLS Secret, a two-replica Deployment of `provenant serve`
// under the restricted Pod Security Standard, its Service, a PodDisruptionBudget, and both webhook configurations.
import type { JsonObject } from '../../core/json.js';
import { admissionBudgetMs, checkManifestOptions, type ManifestOptions } from './manifest-options.js';
import { webhookConfigurations } from './webhooks.js';

export { admissionBudgetMs, checkManifestOptions, MAX_TIMEOUT_SECONDS, type ManifestOptions } from './manifest-options.js';
export { GATED_RESOURCES, webhookPath, type WebhookKind } from './webhooks.js';

export const SERVICE_PORT = 443;
export const CONTAINER_PORT = 8443;
const TLS_DIR = '/etc/provenant/tls';
const LOG_KEY_DIR = '/etc/provenant/log';
const DATA_DIR = '/var/lib/provenant';

function serveContainer(o: ManifestOptions): JsonObject {
  return {
    name: 'provenant',
    image: o.image,
    // Both replicas share one PostgreSQL store and one log key (the store is bound to the key's verifier).
    args: [
      'serve',
      '--data', DATA_DIR,
      '--database', '$(PROVENANT_DATABASE_URL)',
      '--log-key', `${LOG_KEY_DIR}/log.key`,
      '--listen', `0.0.0.0:${CONTAINER_PORT}`,
      '--tls-cert', `${TLS_DIR}/tls.crt`,
      '--tls-key', `${TLS_DIR}/tls.key`,
      '--admission-budget', String(admissionBudgetMs(o.timeoutSeconds)),
    ],
    env: [
      { name: 'PROVENANT_DATABASE_URL', valueFrom: { secretKeyRef: { name: `${o.serviceName}-store`, key: 'database-url' } } },
      { name: 'PROVENANT_LOG_PASSWORD', valueFrom: { secretKeyRef: { name: `${o.serviceName}-store`, key: 'log-key-password' } } },
    ],
    ports: [{ name: 'https', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 5, failureThreshold: 2 },
    livenessProbe: { httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 3 },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
    securityContext: {
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    volumeMounts: [
      { name: 'tls', mountPath: TLS_DIR, readOnly: true },
      { name: 'log-key', mountPath: LOG_KEY_DIR, readOnly: true },
      { name: 'data', mountPath: DATA_DIR },
      // The root filesystem is read-only; Node and its libraries still expect a writable temp directory.
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

function deployment(o: ManifestOptions, labels: JsonObject): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.serviceName, namespace: o.namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      // A rollout never takes the webhook below one ready replica: with failurePolicy Fail, no replica means no pods.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: o.serviceName,
          // Its token reads namespace labels (serve --kube-api auto); a cluster that turns automounting off by
          // default must not leave the webhook without them.
          automountServiceAccountToken: true,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          // Replicas on different nodes, so draining one node leaves the other answering.
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } }],
          containers: [serveContainer(o)],
          volumes: [
            { name: 'tls', secret: { secretName: o.tlsSecret } },
            { name: 'log-key', secret: { secretName: `${o.serviceName}-store`, items: [{ key: 'log.key', path: 'log.key' }] } },
            { name: 'data', emptyDir: {} },
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  };
}

/** The objects in the order `kubectl apply -f` needs them (namespace first, webhooks last). Errors: see checkManifestOptions. */
export function webhookManifests(o: ManifestOptions): JsonObject[] {
  checkManifestOptions(o);
  const labels = { 'app.kubernetes.io/name': 'provenant', 'app.kubernetes.io/instance': o.serviceName, 'app.kubernetes.io/component': 'admission-webhook' };
  const meta = (name: string): JsonObject => ({ name, namespace: o.namespace, labels });
  const reader = `${o.serviceName}-${o.namespace}-namespace-reader`;
  return [
    // The service's own namespace carries the opt-out label: its pods must start while no replica is answering.
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels: { ...labels, [o.optOutLabel]: 'true', 'pod-security.kubernetes.io/enforce': 'restricted' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o.serviceName) },
    // Namespaces are cluster-scoped, so reading their labels takes a ClusterRole; nothing namespaced is read.
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: reader, labels }, rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: reader, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: reader },
      subjects: [{ kind: 'ServiceAccount', name: o.serviceName, namespace: o.namespace }],
    },
    { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: meta(o.tlsSecret), data: { 'tls.crt': o.tlsCert, 'tls.key': o.tlsKey } },
    // Filled in by the operator: the PostgreSQL URL, the log key (`provenant serve` creates one on first start) and its password.
    { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: meta(`${o.serviceName}-store`), stringData: { 'database-url': '', 'log-key-password': '', 'log.key': '' } },
    deployment(o, labels),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(o.serviceName),
      spec: { type: 'ClusterIP', selector: labels, ports: [{ name: 'https', port: SERVICE_PORT, targetPort: 'https', protocol: 'TCP' }] },
    },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(o.serviceName), spec: { minAvailable: 1, selector: { matchLabels: labels } } },
    ...webhookConfigurations(o, labels),
  ];
}
