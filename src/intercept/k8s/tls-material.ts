// Checks of the TLS material put into the manifests. The API server calls the webhook at `<service>.<namespace>.svc`
// and, with failurePolicy Fail, a certificate it cannot verify blocks every workload in the cluster: a certificate
// that does not name that host, has expired, does not match its key or was not issued by the CA bundle is refused
// here, before it is applied.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ProvenantError } from '../../core/errors.js';
import { parseCaBundle } from '../../oci/registry/http.js';

export interface WebhookTlsInput {
  /** PEM certificate chain, the service's certificate first. */
  readonly cert?: string;
  readonly key?: string;
  /** PEM CA bundle the API server will trust the service with. */
  readonly ca?: string;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
const MAX_CHAIN = 8;

function invalid(message: string, details: Record<string, unknown> = {}, cause?: unknown): ProvenantError {
  return new ProvenantError('TLS_CONFIG_INVALID', message, { details, ...(cause === undefined ? {} : { cause }) });
}

function certificates(pem: string): X509Certificate[] {
  const blocks = pem.match(CERT_BLOCK) ?? [];
  if (blocks.length === 0) throw invalid('the TLS certificate file holds no PEM certificate');
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (cause) {
      throw invalid(`certificate ${index + 1} of the TLS certificate file is not readable`, {}, cause);
    }
  });
}

function privateKey(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (cause) {
    throw invalid('the TLS key file is not a readable unencrypted PEM private key', {}, cause);
  }
}

function issuedBy(cert: X509Certificate, issuers: readonly X509Certificate[]): X509Certificate | undefined {
  return issuers.find((issuer) => cert.checkIssued(issuer) && cert.verify(issuer.publicKey));
}

/** True when a CA of `cas` issued `leaf`, directly or through intermediates of `chain`. */
function chainsTo(leaf: X509Certificate, chain: readonly X509Certificate[], cas: readonly X509Certificate[]): boolean {
  let current = leaf;
  for (let step = 0; step < MAX_CHAIN; step++) {
    if (issuedBy(current, cas) !== undefined) return true;
    const next = issuedBy(current, chain);
    if (next === undefined || next === current) return false;
    current = next;
  }
  return false;
}

/** Errors: TLS_CONFIG_INVALID for unreadable material, a key that is not the certificate's, a host or CA mismatch, an expired certificate. */
export function checkWebhookTls(input: WebhookTlsInput, serviceHost: string, now: Date): void {
  const cas = input.ca === undefined ? [] : parseCaBundle(input.ca).map((pem) => new X509Certificate(pem));
  if (input.cert === undefined || input.key === undefined) return;
  const [leaf, ...chain] = certificates(input.cert);
  if (leaf === undefined) throw invalid('the TLS certificate file holds no PEM certificate');
  if (!leaf.checkPrivateKey(privateKey(input.key))) throw invalid('the TLS key is not the private key of the certificate');
  if (leaf.checkHost(serviceHost, { subject: 'never' }) === undefined) {
    throw invalid(`the TLS certificate does not name ${serviceHost}, the host the API server calls`, { expected: serviceHost, subjectAltName: leaf.subjectAltName ?? '' });
  }
  if (new Date(leaf.validTo).getTime() <= now.getTime() || new Date(leaf.validFrom).getTime() > now.getTime()) {
    throw invalid('the TLS certificate is not valid now', { validFrom: leaf.validFrom, validTo: leaf.validTo });
  }
  if (cas.length > 0 && !chainsTo(leaf, chain, cas)) throw invalid('the TLS certificate was not issued by a CA of the CA bundle', { issuer: leaf.issuer });
}
