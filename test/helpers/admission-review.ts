// AdmissionReview v1 requests as the API server sends them for a CREATE, for tests and benchmarks: a Pod with the
// given container images, or a Deployment whose pod template has them.
export interface ReviewRequest {
  readonly uid: string;
  readonly namespace: string;
  readonly images: readonly string[];
  /** Default Pod. */
  readonly kind?: 'Pod' | 'Deployment';
  readonly name?: string;
}

export function createReview(r: ReviewRequest): Record<string, unknown> {
  const containers = r.images.map((image, i) => ({ name: `c${i}`, image }));
  const name = r.name ?? 'app';
  const deployment = r.kind === 'Deployment';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: r.uid,
      kind: deployment ? { group: 'apps', version: 'v1', kind: 'Deployment' } : { group: '', version: 'v1', kind: 'Pod' },
      resource: deployment ? { group: 'apps', version: 'v1', resource: 'deployments' } : { group: '', version: 'v1', resource: 'pods' },
      namespace: r.namespace,
      operation: 'CREATE',
      object: deployment
        ? { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name }, spec: { template: { metadata: {}, spec: { containers } } } }
        : { kind: 'Pod', apiVersion: 'v1', metadata: { name }, spec: { containers } },
      oldObject: null,
      dryRun: false,
    },
  };
}
