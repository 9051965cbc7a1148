// What Provenant accepts as a signing key, decided from the parsed key rather than from PEM labels:
// ECDSA on NIST P-256 and Ed25519, the two algorithms cosign generates (pkg/cosign/keys.go).
import { createPublicKey, type KeyObject } from 'node:crypto';
import { ProvenantError } from '../core/errors.js';
import { sha256Digest, type Digest } from '../core/digest.js';
import { isSingleDerSequence } from './der.js';
import type { KeyAlgorithm } from './signer.js';

/** The key's algorithm; KEY_UNSUPPORTED for RSA, other curves, X25519, Ed448, DSA, explicit curve parameters. */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'ed25519';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === 'ec' && curve === 'prime256v1') return 'ecdsa-p256';
  throw new ProvenantError('KEY_UNSUPPORTED', `unsupported key type ${describe(type, curve)}; use ECDSA P-256 or Ed25519`, {
    details: { type: type ?? null, curve: curve ?? null },
  });
}

function describe(type: string | undefined, curve: string | undefined): string {
  if (type === undefined) return 'non-asymmetric';
  if (type === 'ec') return curve === undefined ? 'EC (explicit curve parameters)' : `EC ${curve}`;
  return type.toUpperCase();
}

/** Public key parsed from DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
export interface ParsedPublicKey {
  readonly algorithm: KeyAlgorithm;
  readonly key: KeyObject;
  /** The canonical DER, byte-identical to the input. */
  readonly spki: Buffer;
  readonly keyId: Digest;
}

/**
 * Parses DER SPKI. Errors: KEY_MALFORMED if it is not one well-formed SPKI, or not in canonical form (for
 * ECDSA: named curve, uncompressed point, as Go's x509.ParsePKIXPublicKey requires); KEY_UNSUPPORTED for
 * other algorithms and curves.
 */
export function parseSpki(der: Uint8Array): ParsedPublicKey {
  if (!isSingleDerSequence(der)) throw new ProvenantError('KEY_MALFORMED', 'public key is not a single DER structure');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new ProvenantError('KEY_MALFORMED', 'public key is not a valid SubjectPublicKeyInfo', { cause });
  }
  const algorithm = keyAlgorithmOf(key);
  const spki = exportSpki(key);
  // One key, one encoding: the key id is a hash of these bytes, so an alternative encoding of the same
  // point would give the same key a second id.
  if (!spki.equals(der)) throw new ProvenantError('KEY_MALFORMED', 'public key is not in canonical SPKI form');
  return { algorithm, key, spki, keyId: sha256Digest(spki) };
}

/** The public half of a key (public or private) as a ParsedPublicKey. */
export function publicKeyOf(key: KeyObject): ParsedPublicKey {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const algorithm = keyAlgorithmOf(publicKey);
  const spki = exportSpki(publicKey);
  return { algorithm, key: publicKey, spki, keyId: sha256Digest(spki) };
}

// OpenSSL re-exports an EC point in the form it was read (a compressed point stays compressed); going
// through JWK, which holds x and y, always gives the named-curve, uncompressed SPKI other tools hash.
function exportSpki(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'der', type: 'spki' });
}
