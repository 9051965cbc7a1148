// Password-encrypted private keys as cosign writes them (pkg/cosign/keys.go): a PEM block labelled
// "ENCRYPTED SIGSTORE PRIVATE KEY" (or the older "ENCRYPTED COSIGN PRIVATE KEY") whose body is the JSON of
// go-securesystemslib's `encrypted` package:
//   {"kdf":{"name":"scrypt","params":{"N":..,"r":..,"p":..},"salt":"<b64>"},
//    "cipher":{"name":"nacl/secretbox","nonce":"<b64>"},"ciphertext":"<b64>"}
// scrypt(password, salt) gives a 32-byte key; NaCl secretbox (XSalsa20-Poly1305, tag first) under that key and
// the 24-byte nonce seals the PKCS#8 DER of the private key. Base64 is standard and padded (Go's []byte in JSON).
import { randomBytes } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa';
import { ProvenantError, isProvenantError } from '../core/errors.js';
import { encodeBase64 } from '../core/bytes.js';
import { parseJsonObject, isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { checkScryptParams, deriveKey, DEFAULT_SCRYPT_LEVEL, SCRYPT_LEVELS, type ScryptLevel, type ScryptParams } from './kdf.js';
import { writePem } from './pem.js';

export const SIGSTORE_ENCRYPTED_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY';
export const COSIGN_ENCRYPTED_LABEL = 'ENCRYPTED COSIGN PRIVATE KEY';
export type EncryptedKeyLabel = typeof SIGSTORE_ENCRYPTED_LABEL | typeof COSIGN_ENCRYPTED_LABEL;

export const SALT_BYTES = 32;
export const NONCE_BYTES = 24;
const TAG_BYTES = 16;
/** The envelope of an RSA-4096 key is under 4 KiB; anything much larger is not a key file. */
const MAX_ENVELOPE_LENGTH = 16 * 1024;

export function isEncryptedKeyLabel(label: string): label is EncryptedKeyLabel {
  return label === SIGSTORE_ENCRYPTED_LABEL || label === COSIGN_ENCRYPTED_LABEL;
}

/** The validated fields of an envelope. */
export interface EncryptedEnvelope {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly nonce: Buffer;
  /** Poly1305 tag followed by the encrypted bytes. */
  readonly sealed: Buffer;
}

function malformed(message: string, cause?: unknown): ProvenantError {
  return new ProvenantError('KEY_MALFORMED', message, cause === undefined ? {} : { cause });
}

function object(value: JsonValue | undefined, what: string, keys: readonly string[]): JsonObject {
  if (!isJsonObject(value)) throw malformed(`encrypted key: ${what} must be a JSON object`);
  const actual = Object.keys(value).sort();
  const expected = [...keys].sort();
  if (actual.length !== expected.length || actual.some((k, i) => k !== expected[i])) {
    throw malformed(`encrypted key: ${what} must have exactly the members ${expected.join(', ')}`);
  }
  return value;
}

const STD_BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function base64Field(value: JsonValue | undefined, what: string): Buffer {
  if (typeof value !== 'string' || !STD_BASE64_RE.test(value)) throw malformed(`encrypted key: ${what} is not standard base64`);
  const bytes = Buffer.from(value, 'base64');
  if (encodeBase64(bytes) !== value) throw malformed(`encrypted key: ${what} is not canonical base64`);
  return bytes;
}

/**
 * Parses and checks the JSON envelope (the PEM body) without any cryptography. Errors: KEY_MALFORMED for bad
 * JSON, unknown or missing members, other KDF or cipher names, salt not 32 bytes, nonce not 24 bytes,
 * ciphertext shorter than a tag; KEY_MALFORMED or INPUT_TOO_LARGE for scrypt parameters outside the
 * accepted sets (see kdf.ts).
 */
export function parseEncryptedEnvelope(envelope: Uint8Array): EncryptedEnvelope {
  if (envelope.length > MAX_ENVELOPE_LENGTH) {
    throw new ProvenantError('INPUT_TOO_LARGE', `encrypted key body is ${envelope.length} bytes, over ${MAX_ENVELOPE_LENGTH}`);
  }
  let doc: JsonObject;
  try {
    doc = parseJsonObject(envelope, 'encrypted key', { maxDepth: 4, maxLength: MAX_ENVELOPE_LENGTH });
  } catch (cause) {
    if (isProvenantError(cause, 'INPUT_TOO_LARGE')) throw cause;
    throw malformed('encrypted key body is not a JSON object', cause);
  }
  const top = object(doc, 'the body', ['kdf', 'cipher', 'ciphertext']);
  const kdf = object(top.kdf, '"kdf"', ['name', 'params', 'salt']);
  if (kdf.name !== 'scrypt') throw malformed(`encrypted key: unsupported kdf ${JSON.stringify(kdf.name)}`);
  const rawParams = object(kdf.params, '"kdf.params"', ['N', 'r', 'p']);
  const params = checkScryptParams(rawParams.N, rawParams.r, rawParams.p);
  const salt = base64Field(kdf.salt, '"kdf.salt"');
  if (salt.length !== SALT_BYTES) throw malformed(`encrypted key: salt is ${salt.length} bytes, expected ${SALT_BYTES}`);
  const cipher = object(top.cipher, '"cipher"', ['name', 'nonce']);
  if (cipher.name !== 'nacl/secretbox') throw malformed(`encrypted key: unsupported cipher ${JSON.stringify(cipher.name)}`);
  const nonce = base64Field(cipher.nonce, '"cipher.nonce"');
  if (nonce.length !== NONCE_BYTES) throw malformed(`encrypted key: nonce is ${nonce.length} bytes, expected ${NONCE_BYTES}`);
  const sealed = base64Field(top.ciphertext, '"ciphertext"');
  if (sealed.length <= TAG_BYTES) throw malformed('encrypted key: ciphertext is shorter than its authentication tag');
  return { params, salt, nonce, sealed };
}

/**
 * Decrypts an envelope (the decoded PEM body) and returns the plaintext, for cosign keys the PKCS#8 DER.
 * Errors: as parseEncryptedEnvelope; KEY_DECRYPT_FAILED for a wrong password or altered ciphertext.
 */
export async function decryptEnvelope(envelope: Uint8Array, password: string): Promise<Buffer> {
  const parsed = parseEncryptedEnvelope(envelope);
  const key = await deriveKey(password, parsed.salt, parsed.params);
  try {
    const plain = xsalsa20poly1305(key, parsed.nonce).decrypt(parsed.sealed);
    // A view, not a copy, so that a caller zeroing the key material zeroes the only copy.
    return Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
  } catch (cause) {
    throw new ProvenantError('KEY_DECRYPT_FAILED', 'the private key could not be decrypted: wrong password or corrupt key', { cause });
  } finally {
    key.fill(0);
  }
}

export interface EncryptOptions {
  /** scrypt parameter set; default "standard" (N=65536, r=8, p=1), as cosign writes. */
  level?: ScryptLevel;
  /** PEM label; default "ENCRYPTED SIGSTORE PRIVATE KEY", as cosign writes. */
  label?: EncryptedKeyLabel;
}

/** Serialises the envelope with members in the order Go's encoding/json writes them. */
export function serializeEnvelope(envelope: EncryptedEnvelope): Buffer {
  const { N, r, p } = envelope.params;
  return Buffer.from(
    JSON.stringify({
      kdf: { name: 'scrypt', params: { N, r, p }, salt: encodeBase64(envelope.salt) },
      cipher: { name: 'nacl/secretbox', nonce: encodeBase64(envelope.nonce) },
      ciphertext: encodeBase64(envelope.sealed),
    }),
    'utf8',
  );
}

/** Encrypts `plaintext` (PKCS#8 DER) under `password` with a fresh random salt and nonce; returns PEM text. */
export async function encryptToPem(plaintext: Uint8Array, password: string, options: EncryptOptions = {}): Promise<string> {
  const level = options.level ?? DEFAULT_SCRYPT_LEVEL;
  if (!Object.hasOwn(SCRYPT_LEVELS, level)) throw new ProvenantError('USAGE', `unknown scrypt level ${String(level)}`);
  const params = SCRYPT_LEVELS[level];
  const label = options.label ?? SIGSTORE_ENCRYPTED_LABEL;
  if (!isEncryptedKeyLabel(label)) throw new ProvenantError('USAGE', `not an encrypted key label: ${String(label)}`);
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const key = await deriveKey(password, salt, params);
  try {
    const sealed = Buffer.from(xsalsa20poly1305(key, nonce).encrypt(plaintext));
    return writePem(label, serializeEnvelope({ params, salt, nonce, sealed }));
  } finally {
    key.fill(0);
  }
}
