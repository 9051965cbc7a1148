// Signature verification with a public key, matching what cosign (sigstore/sigstore pkg/signature) accepts:
// ECDSA P-256 over SHA-256 with ASN.1 DER signatures only (ecdsa.VerifyASN1; no IEEE P1363 r||s form), and
// pure Ed25519 (RFC 8032 §5.1.7) over the data itself.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { Digest } from '../core/digest.js';
import { isStrictEcdsaDerSignature } from './der.js';
import { parseSpki, type ParsedPublicKey } from './key-types.js';
import { LruMap } from '../core/lru-map.js';
import { writePem } from './pem.js';
import type { KeyAlgorithm, Verifier } from './signer.js';

const P256_SCALAR_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

/** Checks `signature` over `data` with `key`; false for a wrong or malformed signature, never a throw. */
export function verifySignature(algorithm: KeyAlgorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (!(data instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
  try {
    switch (algorithm) {
      case 'ecdsa-p256':
        if (!isStrictEcdsaDerSignature(signature, P256_SCALAR_BYTES)) return false;
        return cryptoVerify('sha256', data, { key, dsaEncoding: 'der' }, signature);
      case 'ed25519':
        if (signature.length !== ED25519_SIGNATURE_BYTES) return false;
        return cryptoVerify(null, data, key, signature);
    }
  } catch {
    return false;
  }
}

/** A Verifier for one public key. */
/** Verifiers by the base64 of their SPKI bytes, least recently used first. */
const KNOWN_KEYS = new LruMap<string, PublicKeyVerifier>(1_024);

export class PublicKeyVerifier implements Verifier {
  readonly algorithm: KeyAlgorithm;
  readonly keyId: Digest;
  readonly #key: KeyObject;
  readonly #spki: Buffer;

  constructor(parsed: ParsedPublicKey) {
    this.algorithm = parsed.algorithm;
    this.keyId = parsed.keyId;
    this.#key = parsed.key;
    this.#spki = Buffer.from(parsed.spki);
  }

  /**
   * From DER SubjectPublicKeyInfo. Errors: KEY_MALFORMED, KEY_UNSUPPORTED. Reading a key through OpenSSL and
   * checking its encoding costs a fraction of a millisecond, and the log names the same few signers' keys in every
   * entry, so verifiers are kept by their exact bytes (a verifier holds no state; refusals are not kept).
   */
  static fromSpki(der: Uint8Array): PublicKeyVerifier {
    const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
    const known = KNOWN_KEYS.get(key);
    if (known !== undefined) return known;
    const verifier = new PublicKeyVerifier(parseSpki(der));
    KNOWN_KEYS.set(key, verifier);
    return verifier;
  }

  verify(data: Uint8Array, signature: Uint8Array): boolean {
    return verifySignature(this.algorithm, this.#key, data, signature);
  }

  publicKeyPem(): string {
    return writePem('PUBLIC KEY', this.#spki);
  }

  /** A copy of the DER SubjectPublicKeyInfo the key id hashes. */
  spkiDer(): Buffer {
    return Buffer.from(this.#spki);
  }
}
