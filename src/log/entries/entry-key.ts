// The public key of an entry. Stored entries hold the key as canonical SPKI PEM, so one key always gives the same
// entry bytes, and its id ("sha256:" of the SPKI DER) is the signer every search and trust decision uses.
import { ProvenantError } from '../../core/errors.js';
import { loadVerifier, type PublicKeyVerifier } from '../../crypto/index.js';

export interface EntryKey {
  readonly verifier: PublicKeyVerifier;
  /** Canonical SPKI PEM of the key. */
  readonly pem: string;
  readonly keyId: string;
}

// Appends come from few signers, and parsing a key (with its canonical re-encoding) costs about as much as
// verifying a signature. Verifiers are immutable, so a bounded cache keyed by the PEM text is safe.
const CACHE_LIMIT = 1024;
// A P-256 or Ed25519 key is under 200 characters of PEM; longer text (padded with blank lines) is not kept.
const MAX_CACHED_PEM = 1024;
const cache = new Map<string, EntryKey>();

/** Errors: ENTRY_MALFORMED for a non-string; PEM_MALFORMED, KEY_MALFORMED, KEY_UNSUPPORTED, KEY_MISMATCH (a private key). */
export function entryKey(pem: unknown, what: string): EntryKey {
  if (typeof pem !== 'string') throw new ProvenantError('ENTRY_MALFORMED', `${what}: publicKey must be PEM text`);
  const cached = cache.get(pem);
  if (cached !== undefined) return cached;
  const verifier = loadVerifier(pem);
  const key: EntryKey = { verifier, pem: verifier.publicKeyPem(), keyId: verifier.keyId };
  if (pem.length > MAX_CACHED_PEM) return key;
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(pem, key);
  return key;
}
