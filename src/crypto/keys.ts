// Loading keys from PEM text, dispatched on the PEM label as cosign does (pkg/cosign/keys.go,
// sigstore cryptoutils): "PUBLIC KEY" is SPKI; "PRIVATE KEY" is PKCS#8; "EC PRIVATE KEY" is SEC 1; the two
// encrypted labels hold PKCS#8 sealed under a password. Callers read the file; nothing here does I/O.
import { ProvenantError } from '../core/errors.js';
import { decryptEnvelope, isEncryptedKeyLabel, type EncryptOptions } from './encrypted-key.js';
import { readPem } from './pem.js';
import { SigningKey } from './signing-key.js';
import type { KeyAlgorithm } from './signer.js';
import { PublicKeyVerifier } from './verifier.js';

/** A password, or a function asked for one only when the key turns out to be encrypted. */
export type PasswordSource = string | (() => Promise<string>);

const PRIVATE_LABELS = new Set(['PRIVATE KEY', 'EC PRIVATE KEY']);

// Labels of keys Provenant recognises but does not take, so the error says "unsupported" rather than "not a key".
const UNSUPPORTED_LABELS = new Set([
  'RSA PRIVATE KEY',
  'RSA PUBLIC KEY',
  'DSA PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY',
  'OPENSSH PRIVATE KEY',
]);

export type KeyPemKind = 'public' | 'private' | 'encrypted';

/**
 * What kind of key a PEM text holds, from its label alone (no decryption). Errors: PEM_MALFORMED,
 * INPUT_TOO_LARGE, KEY_UNSUPPORTED for other key labels, KEY_MALFORMED for PEM that is not a key.
 */
export function keyPemKind(pem: string): KeyPemKind {
  return kindOf(readPem(pem).label);
}

function kindOf(label: string): KeyPemKind {
  if (label === 'PUBLIC KEY') return 'public';
  if (PRIVATE_LABELS.has(label)) return 'private';
  if (isEncryptedKeyLabel(label)) return 'encrypted';
  if (UNSUPPORTED_LABELS.has(label)) {
    throw new ProvenantError('KEY_UNSUPPORTED', `"${label}" keys are not supported; use ECDSA P-256 or Ed25519`, {
      details: { label },
    });
  }
  throw new ProvenantError('KEY_MALFORMED', `PEM block "${label}" is not a key`, { details: { label } });
}

/**
 * A Verifier from a "PUBLIC KEY" PEM. Errors: KEY_MISMATCH for a private key; KEY_UNSUPPORTED for RSA and
 * curves other than P-256; KEY_MALFORMED, PEM_MALFORMED, INPUT_TOO_LARGE for anything unreadable.
 */
export function loadVerifier(pem: string): PublicKeyVerifier {
  const block = readPem(pem);
  const kind = kindOf(block.label);
  if (kind !== 'public') {
    throw new ProvenantError('KEY_MISMATCH', `a private key ("${block.label}") was given where a public key is needed`);
  }
  return PublicKeyVerifier.fromSpki(block.der);
}

/**
 * A SigningKey from private-key PEM: plain PKCS#8, SEC 1, or cosign-encrypted. `password` is used (or asked
 * for) only for an encrypted key. Errors: KEY_MISMATCH for a public key; PASSWORD_REQUIRED when the key is
 * encrypted and no password source was given; KEY_DECRYPT_FAILED for a wrong password; KEY_UNSUPPORTED,
 * KEY_MALFORMED, PEM_MALFORMED, INPUT_TOO_LARGE as for loadVerifier and parseEncryptedEnvelope.
 */
export async function loadSigningKey(pem: string, password?: PasswordSource): Promise<SigningKey> {
  const block = readPem(pem);
  const kind = kindOf(block.label);
  switch (kind) {
    case 'public':
      throw new ProvenantError('KEY_MISMATCH', 'a public key was given where a private key is needed');
    case 'private':
      return block.label === 'EC PRIVATE KEY' ? SigningKey.fromSec1(block.der) : SigningKey.fromPkcs8(block.der);
    case 'encrypted': {
      if (password === undefined) {
        throw new ProvenantError('PASSWORD_REQUIRED', 'the private key is encrypted and no password was given');
      }
      const secret = typeof password === 'string' ? password : await password();
      const der = await decryptEnvelope(block.der, secret);
      try {
        // cosign stores PKCS#8 only (x509.MarshalPKCS8PrivateKey); a SEC 1 key inside is refused, as cosign does.
        return SigningKey.fromPkcs8(der);
      } finally {
        der.fill(0);
      }
    }
  }
}

export interface GeneratedKeyPair {
  readonly signer: SigningKey;
  /** "ENCRYPTED SIGSTORE PRIVATE KEY" PEM, as `cosign generate-key-pair` writes cosign.key. */
  readonly privateKeyPem: string;
  /** "PUBLIC KEY" SPKI PEM, as cosign writes cosign.pub. */
  readonly publicKeyPem: string;
}

/** Generates a key pair (ECDSA P-256 unless asked otherwise) and encrypts the private half under `password`. */
export async function generateKeyPair(
  password: string,
  options: EncryptOptions & { algorithm?: KeyAlgorithm } = {},
): Promise<GeneratedKeyPair> {
  const signer = SigningKey.generate(options.algorithm ?? 'ecdsa-p256');
  const privateKeyPem = await signer.toEncryptedPem(password, options);
  return { signer, privateKeyPem, publicKeyPem: signer.publicKeyPem() };
}
