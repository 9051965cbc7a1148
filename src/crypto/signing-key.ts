// A private key that signs: ECDSA P-256 with SHA-256 and DER signatures, or pure Ed25519, as cosign signs
// with a key file (sigstore/sigstore pkg/signature). Generation follows `cosign generate-key-pair`: P-256 by
// default, the private key stored as PKCS#8 inside the encrypted envelope, the public key as SPKI PEM.
import { createPrivateKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { ProvenantError } from '../core/errors.js';
import type { Digest } from '../core/digest.js';
import { sequenceContent } from './der.js';
import { encryptToPem, type EncryptOptions } from './encrypted-key.js';
import { publicKeyOf, type ParsedPublicKey } from './key-types.js';
import { writePem } from './pem.js';
import type { KeyAlgorithm, Signer } from './signer.js';
import { PublicKeyVerifier, verifySignature } from './verifier.js';

const CONSISTENCY_MESSAGE = Buffer.from('provenant pairwise consistency check', 'utf8');

function signSync(algorithm: KeyAlgorithm, key: KeyObject, data: Uint8Array): Buffer {
  switch (algorithm) {
    case 'ecdsa-p256':
      return cryptoSign('sha256', data, { key, dsaEncoding: 'der' });
    case 'ed25519':
      return cryptoSign(null, data, key);
  }
}

export class SigningKey implements Signer {
  readonly algorithm: KeyAlgorithm;
  readonly keyId: Digest;
  readonly #private: KeyObject;
  readonly #public: ParsedPublicKey;

  private constructor(privateKey: KeyObject, publicKey: ParsedPublicKey) {
    this.algorithm = publicKey.algorithm;
    this.keyId = publicKey.keyId;
    this.#private = privateKey;
    this.#public = publicKey;
  }

  /**
   * Wraps a private KeyObject. Errors: KEY_MISMATCH for a public key, KEY_UNSUPPORTED for other algorithms,
   * KEY_MALFORMED if the key fails a sign-then-verify check (for instance a SEC 1 key whose
   * stored public key does not belong to its private scalar, which would make the key id lie).
   */
  static fromKeyObject(key: KeyObject): SigningKey {
    if (key.type !== 'private') {
      throw new ProvenantError('KEY_MISMATCH', `a ${key.type} key was given where a private key is needed`);
    }
    const publicKey = publicKeyOf(key);
    let consistent = false;
    try {
      const sig = signSync(publicKey.algorithm, key, CONSISTENCY_MESSAGE);
      consistent = verifySignature(publicKey.algorithm, publicKey.key, CONSISTENCY_MESSAGE, sig);
    } catch {
      consistent = false;
    }
    if (!consistent) throw new ProvenantError('KEY_MALFORMED', 'the private key does not match its own public key');
    return new SigningKey(key, publicKey);
  }

  /** From PKCS#8 PrivateKeyInfo DER (RFC 5208 / RFC 5958). Errors: KEY_MALFORMED, KEY_UNSUPPORTED. */
  static fromPkcs8(der: Uint8Array): SigningKey {
    return SigningKey.fromKeyObject(parsePrivate(der, 'pkcs8', 'PKCS#8'));
  }

  /** From SEC 1 ECPrivateKey DER (RFC 5915), the "EC PRIVATE KEY" PEM. Errors: KEY_MALFORMED, KEY_UNSUPPORTED. */
  static fromSec1(der: Uint8Array): SigningKey {
    return SigningKey.fromKeyObject(parsePrivate(der, 'sec1', 'SEC 1 EC'));
  }

  /** A fresh key pair; ECDSA P-256 unless asked otherwise, as cosign. */
  static generate(algorithm: KeyAlgorithm = 'ecdsa-p256'): SigningKey {
    switch (algorithm) {
      case 'ecdsa-p256':
        return SigningKey.fromKeyObject(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
      case 'ed25519':
        return SigningKey.fromKeyObject(generateKeyPairSync('ed25519').privateKey);
    }
  }

  sign(data: Uint8Array): Promise<Uint8Array> {
    const algorithm = this.algorithm === 'ecdsa-p256' ? 'sha256' : null;
    const key = this.algorithm === 'ecdsa-p256' ? { key: this.#private, dsaEncoding: 'der' as const } : this.#private;
    return new Promise((resolve, reject) => {
      try {
        cryptoSign(algorithm, data, key, (err, signature) => {
          if (err) reject(new ProvenantError('INTERNAL', 'signing failed', { cause: err }));
          else resolve(signature);
        });
      } catch (cause) {
        reject(new ProvenantError('INTERNAL', 'signing failed', { cause }));
      }
    });
  }

  publicKeyPem(): string {
    return writePem('PUBLIC KEY', this.#public.spki);
  }

  verifier(): PublicKeyVerifier {
    return new PublicKeyVerifier(this.#public);
  }

  /** The private key as unencrypted PKCS#8 DER. Handle with care. */
  toPkcs8Der(): Buffer {
    return this.#private.export({ format: 'der', type: 'pkcs8' });
  }

  /** The private key as unencrypted "PRIVATE KEY" PEM. Handle with care. */
  toPkcs8Pem(): string {
    const der = this.toPkcs8Der();
    try {
      return writePem('PRIVATE KEY', der);
    } finally {
      der.fill(0);
    }
  }

  /** The private key encrypted under `password` in cosign's format ("ENCRYPTED SIGSTORE PRIVATE KEY"). */
  async toEncryptedPem(password: string, options: EncryptOptions = {}): Promise<string> {
    const der = this.toPkcs8Der();
    try {
      return await encryptToPem(der, password, options);
    } finally {
      der.fill(0);
    }
  }
}

// How each structure begins inside its outer SEQUENCE: PKCS#8 with INTEGER version 0 (or 1, RFC 5958) and the
// AlgorithmIdentifier SEQUENCE; SEC 1 with INTEGER 1 and the OCTET STRING key. OpenSSL would take either
// under either name, so the label is checked here, as Go's x509 parsers do.
const STRUCTURE_START: Record<'pkcs8' | 'sec1', readonly string[]> = {
  pkcs8: ['02010030', '02010130'],
  sec1: ['02010104'],
};

function parsePrivate(der: Uint8Array, type: 'pkcs8' | 'sec1', what: string): KeyObject {
  const content = sequenceContent(der);
  if (content === undefined) throw new ProvenantError('KEY_MALFORMED', `${what} private key is not a single DER structure`);
  const start = Buffer.from(content.subarray(0, 4)).toString('hex');
  if (!STRUCTURE_START[type].includes(start)) throw new ProvenantError('KEY_MALFORMED', `not a ${what} private key`);
  const copy = Buffer.from(der);
  try {
    return createPrivateKey({ key: copy, format: 'der', type });
  } catch (cause) {
    throw new ProvenantError('KEY_MALFORMED', `not a valid ${what} private key`, { cause });
  } finally {
    copy.fill(0);
  }
}
