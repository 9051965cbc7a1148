// The shapes of the manifests the tests read (only the fields they assert on), and a lookup by kind.
import assert from 'node:assert/strict';

export interface Webhook {
  name: string;
  failurePolicy: string;
  sideEffects: string;
  matchPolicy: string;
  timeoutSeconds: number;
  admissionReviewVersions: string[];
  clientConfig: { service: { name: string; namespace: string; path: string | undefined; port: number }; caBundle: string };
  namespaceSelector: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
  rules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
}

export interface Container {
  image: string;
  args: string[];
  ports: unknown[];
  securityContext: Record<string, unknown>;
  readinessProbe: { httpGet: { path: string } };
  livenessProbe: { httpGet: { path: string } };
  resources: { requests?: unknown; limits?: unknown };
  volumeMounts: { name: string; mountPath: string }[];
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  type?: string;
  data?: Record<string, string>;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: unknown[];
  roleRef?: { name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
  spec?: {
    replicas?: number;
    minAvailable?: number;
    ports?: unknown[];
    selector?: Record<string, unknown>;
    template?: {
      metadata: { labels: Record<string, string> };
      spec: { serviceAccountName: string; automountServiceAccountToken?: boolean; containers: Container[]; volumes: { name: string; secret?: { secretName: string } }[] };
    };
  };
  webhooks?: Webhook[];
}

export function byKind(docs: readonly K8sObject[], kind: string): K8sObject {
  const found = docs.filter((d) => d.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0]!;
}
