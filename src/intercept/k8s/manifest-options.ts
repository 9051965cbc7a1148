// What `provenant k8s manifests` can change, and the checks that keep a typo from reaching the cluster: a name the
// API server would refuse, or a webhook timeout it would clamp, is caught here rather than at `kubectl apply`.
import { ProvenantError } from '../../core/errors.js';
import { parseImageReference } from '../../oci/reference.js';

export interface ManifestOptions {
  readonly namespace: string;
  readonly image: string;
  readonly serviceName: string;
  /** Webhook timeout in seconds (1..30); the service's own budget is set below it. */
  readonly timeoutSeconds: number;
  readonly optOutLabel: string;
  readonly tlsSecret: string;
  /** base64 of the PEM CA bundle the API server trusts the service with; empty: filled in later. */
  readonly caBundle: string;
  /** base64 of the PEM certificate and key for the TLS Secret; empty: placeholders to replace. */
  readonly tlsCert: string;
  readonly tlsKey: string;
}

/** admissionregistration.k8s.io/v1 refuses webhook timeouts outside 1..30 seconds. */
export const MAX_TIMEOUT_SECONDS = 30;

// RFC 1123 label (namespaces, services: their names become DNS labels) and subdomain (secrets).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// A label key: an optional DNS subdomain prefix and a name of at most 63 characters (apimachinery's qualified name).
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function usage(message: string, details: Record<string, unknown>): never {
  throw new ProvenantError('USAGE', message, { details });
}

function dnsName(value: string, what: string, subdomain: boolean): void {
  const max = subdomain ? 253 : 63;
  if (value.length > max || !(subdomain ? DNS_SUBDOMAIN : DNS_LABEL).test(value)) {
    usage(`${what} must be a lower-case RFC 1123 ${subdomain ? 'subdomain' : 'label'} of at most ${max} characters`, { [what]: value });
  }
}

function labelKey(value: string): void {
  const slash = value.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : value.slice(0, slash);
  const name = value.slice(slash + 1);
  if (prefix !== undefined) dnsName(prefix, 'label prefix', true);
  if (name.length > 63 || !LABEL_NAME.test(name)) usage('the opt-out label must be a Kubernetes label key ([prefix/]name)', { label: value });
}

/** Errors: USAGE for a name, label key, timeout or base64 value Kubernetes would refuse; REFERENCE_INVALID for the image. */
export function checkManifestOptions(o: ManifestOptions): void {
  dnsName(o.namespace, 'namespace', false);
  dnsName(o.serviceName, 'service name', false);
  dnsName(o.tlsSecret, 'TLS secret name', true);
  labelKey(o.optOutLabel);
  parseImageReference(o.image);
  if (!Number.isSafeInteger(o.timeoutSeconds) || o.timeoutSeconds < 1 || o.timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    usage(`the webhook timeout must be 1 to ${MAX_TIMEOUT_SECONDS} seconds (the API server's limit)`, { timeoutSeconds: o.timeoutSeconds });
  }
  for (const [what, value] of [['caBundle', o.caBundle], ['tlsCert', o.tlsCert], ['tlsKey', o.tlsKey]] as const) {
    if (!BASE64.test(value)) usage(`${what} must be standard base64`, { field: what });
  }
  if ((o.tlsCert === '') !== (o.tlsKey === '')) usage('the TLS certificate and key go together', {});
}

/**
 * The service's own time budget in milliseconds: a second below the webhook timeout, so the answer (with the failure
 * policy applied) reaches the API server before it gives up; for short timeouts, three quarters of it.
 */
export function admissionBudgetMs(timeoutSeconds: number): number {
  const timeoutMs = timeoutSeconds * 1000;
  return Math.max(timeoutMs - 1000, Math.floor(timeoutMs * 0.75));
}
