// Who gets a reputation. A provider is a registry namespace (the repository without its last path element:
// "registry.example.com/acme" for registry.example.com/acme/app), a signing key ("key:sha256:<hex of the SPKI
// DER>") or a keyless signer identity ("identity:<issuer>#<subject>"). Each has one spelling, so events about the
// same provider always carry the same subject digest and one log search finds them all.
import { parseDigest, sha256Digest, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { parseImageReference, type ImageReference } from '../oci/reference.js';

export type ProviderKind = 'namespace' | 'key' | 'identity';

export interface Provider {
  readonly kind: ProviderKind;
  /** The canonical spelling, as events and scores name it. */
  readonly id: string;
}

export const MAX_PROVIDER_LENGTH = 1024;
const KEY_PREFIX = 'key:';
const IDENTITY_PREFIX = 'identity:';
/** Prefixed to the provider before hashing, so a provider's subject digest can never be the digest of an artifact. */
const SUBJECT_DOMAIN = 'provenant-provider:';
const KEY_RE = /^key:sha256:[0-9a-f]{64}$/;
const CONTROL_RE = /\p{Cc}/u;
// A placeholder last path element: a namespace is valid when it is the name of some repository minus that element.
const PROBE_NAME = 'x';

/** Reads a provider id; anything but the canonical spelling is refused. Errors: REPUTATION_EVENT_INVALID. */
export function parseProvider(text: string): Provider {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_PROVIDER_LENGTH || CONTROL_RE.test(text)) {
    invalid(text, `must be 1 to ${MAX_PROVIDER_LENGTH} characters without control characters`);
  }
  if (text.startsWith(KEY_PREFIX)) {
    if (!KEY_RE.test(text)) invalid(text, 'a key provider is key:sha256:<64 lowercase hex>');
    return { kind: 'key', id: text };
  }
  if (text.startsWith(IDENTITY_PREFIX)) {
    const rest = text.slice(IDENTITY_PREFIX.length);
    const hash = rest.indexOf('#');
    if (hash <= 0 || hash === rest.length - 1) invalid(text, 'an identity provider is identity:<issuer>#<subject>');
    return { kind: 'identity', id: text };
  }
  let probe: ImageReference | undefined;
  try {
    probe = parseImageReference(`${text}/${PROBE_NAME}`);
  } catch {
    probe = undefined;
  }
  if (probe?.name !== `${text}/${PROBE_NAME}`) {
    invalid(text, 'a namespace provider is a registry host with an optional lowercase path, spelled as the registry is normalised (docker.io/library)');
  }
  return { kind: 'namespace', id: text };
}

/** The digest every event about `provider` names as its subject: sha256 of "provenant-provider:" + provider. */
export function providerSubjectDigest(provider: string): Digest {
  return sha256Digest(SUBJECT_DOMAIN + provider);
}

/** The registry namespace an image belongs to. Errors: REFERENCE_INVALID. */
export function namespaceProvider(image: string | ImageReference): string {
  const ref = typeof image === 'string' ? parseImageReference(image) : image;
  const slash = ref.repository.lastIndexOf('/');
  return slash === -1 ? ref.registry : `${ref.registry}/${ref.repository.slice(0, slash)}`;
}

/** The provider of a signing key, from its key id "sha256:<hex>". Errors: DIGEST_MALFORMED, UNSUPPORTED. */
export function keyProvider(keyId: string): string {
  return KEY_PREFIX + parseDigest(keyId, 'signer key id');
}

/** The provider of a keyless signer (a Fulcio certificate's OIDC issuer and subject). */
export function identityProvider(issuer: string, subject: string): string {
  // The first "#" separates the two, so an issuer holding one would make the id ambiguous.
  if (issuer.includes('#')) invalid(issuer, 'an issuer must not contain "#"');
  return parseProvider(`${IDENTITY_PREFIX}${issuer}#${subject}`).id;
}

/** The providers an image answers to: its registry namespace and the key of each of its signers. */
export function providersOf(image: string | ImageReference, signerKeyIds: readonly string[]): { namespace: string; keys: string[] } {
  return { namespace: namespaceProvider(image), keys: [...new Set(signerKeyIds.map(keyProvider))] };
}

function invalid(text: unknown, reason: string): never {
  throw new ProvenantError('REPUTATION_EVENT_INVALID', `provider ${JSON.stringify(String(text).slice(0, 80))}: ${reason}`, { details: { field: 'provider' } });
}
