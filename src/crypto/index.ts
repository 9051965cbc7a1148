// The public surface of the crypto layer: key loading, generation, signing and verification. Pure: callers
// pass PEM text and bytes in and write what comes out.
export type { KeyAlgorithm, Signer, Verifier } from './signer.js';
export { loadVerifier, loadSigningKey, generateKeyPair, keyPemKind } from './keys.js';
export type { PasswordSource, KeyPemKind, GeneratedKeyPair } from './keys.js';
export { SigningKey } from './signing-key.js';
export { PublicKeyVerifier, verifySignature } from './verifier.js';
export {
  COSIGN_ENCRYPTED_LABEL,
  SIGSTORE_ENCRYPTED_LABEL,
  decryptEnvelope,
  encryptToPem,
  parseEncryptedEnvelope,
} from './encrypted-key.js';
export type { EncryptOptions, EncryptedKeyLabel, EncryptedEnvelope } from './encrypted-key.js';
export { SCRYPT_LEVELS, DEFAULT_SCRYPT_LEVEL } from './kdf.js';
export type { ScryptLevel, ScryptParams } from './kdf.js';
export { readPem, writePem, MAX_PEM_LENGTH } from './pem.js';
export type { PemBlock } from './pem.js';
