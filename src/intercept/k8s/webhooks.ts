// The ValidatingWebhookConfiguration and MutatingWebhookConfiguration (admissionregistration.k8s.io/v1) that send
// every workload write to `provenant serve`: fail closed, no side effects, a timeout the service answers within, and
// a namespace selector that leaves out kube-system, the service's own namespace and any namespace carrying the opt-out
// label — so the webhook's own pods, and the control plane, can always start even while the webhook is down.
import type { JsonObject } from '../../core/json.js';
import type { ManifestOptions } from './manifest-options.js';

/** The kinds whose pod templates are gated (docs/interception.md), by API group. */
export const GATED_RESOURCES: readonly { readonly group: string; readonly resources: readonly string[] }[] = [
  { group: '', resources: ['pods', 'replicationcontrollers'] },
  { group: 'apps', resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { group: 'batch', resources: ['jobs', 'cronjobs'] },
];

export type WebhookKind = 'validate' | 'mutate';

export function webhookPath(kind: WebhookKind): string {
  return `/admission/${kind}`;
}

function webhook(o: ManifestOptions, kind: WebhookKind): JsonObject {
  return {
    name: `${kind}.${o.serviceName}.provenant.dev`,
    admissionReviewVersions: ['v1', 'v1beta1'],
    clientConfig: { service: { name: o.serviceName, namespace: o.namespace, path: webhookPath(kind), port: 443 }, caBundle: o.caBundle },
    failurePolicy: 'Fail',
    sideEffects: 'None',
    timeoutSeconds: o.timeoutSeconds,
    // Equivalent: a workload written through another API version (e.g. a future batch/v2) is still sent, converted.
    matchPolicy: 'Equivalent',
    namespaceSelector: {
      matchExpressions: [
        { key: o.optOutLabel, operator: 'DoesNotExist' },
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...new Set(['kube-system', o.namespace])] },
      ],
    },
    rules: [
      ...GATED_RESOURCES.map((g) => ({ apiGroups: [g.group], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [...g.resources], scope: 'Namespaced' })),
      // `kubectl debug` adds containers to a running pod through this subresource, always as an UPDATE.
      { apiGroups: [''], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['pods/ephemeralcontainers'], scope: 'Namespaced' },
    ],
  };
}

export function webhookConfigurations(o: ManifestOptions, labels: JsonObject): JsonObject[] {
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: `${o.serviceName}-validate`, labels },
      webhooks: [webhook(o, 'validate')],
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: `${o.serviceName}-mutate`, labels },
      // An image changed by a later mutating webhook is still decided: the validating webhook sees the final object.
      webhooks: [{ ...webhook(o, 'mutate'), reinvocationPolicy: 'Never' }],
    },
  ];
}
