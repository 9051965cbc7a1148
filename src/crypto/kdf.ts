// scrypt (RFC 7914) as the password KDF of sigstore encrypted keys. Decryption accepts exactly the three
// parameter sets go-securesystemslib's `encrypted` package accepts (CheckParams): anything else could make a
// crafted key file cost gigabytes of memory or minutes of CPU before the password is even checked.
import { scrypt } from 'node:crypto';
import { ProvenantError } from '../core/errors.js';

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export type ScryptLevel = 'legacy' | 'standard' | 'owasp';

export const SCRYPT_LEVELS: Readonly<Record<ScryptLevel, ScryptParams>> = {
  // go-securesystemslib "Legacy": what cosign wrote before it moved to go-securesystemslib's package.
  legacy: { N: 32768, r: 8, p: 1 },
  // "Standard": what encrypted.Encrypt, and so `cosign generate-key-pair`, writes today.
  standard: { N: 65536, r: 8, p: 1 },
  // "OWASP": accepted on read.
  owasp: { N: 131072, r: 8, p: 1 },
};

export const DEFAULT_SCRYPT_LEVEL: ScryptLevel = 'standard';

/** Length of the derived key: an XSalsa20-Poly1305 key. */
export const DERIVED_KEY_BYTES = 32;

const MAX_COST = SCRYPT_LEVELS.owasp.N * SCRYPT_LEVELS.owasp.r * SCRYPT_LEVELS.owasp.p;

/**
 * Accepts `params` only if it is one of SCRYPT_LEVELS. Errors: INPUT_TOO_LARGE when N·r·p exceeds the
 * strongest accepted level; KEY_MALFORMED for any other set (non-integers, N not a power of two, ...).
 */
export function checkScryptParams(N: unknown, r: unknown, p: unknown): ScryptParams {
  for (const level of Object.values(SCRYPT_LEVELS)) {
    if (N === level.N && r === level.r && p === level.p) return level;
  }
  const details = { N: N ?? null, r: r ?? null, p: p ?? null };
  if (isPositiveInteger(N) && isPositiveInteger(r) && isPositiveInteger(p) && N * r * p > MAX_COST) {
    throw new ProvenantError('INPUT_TOO_LARGE', `scrypt parameters N=${N} r=${r} p=${p} exceed the accepted cost`, { details });
  }
  throw new ProvenantError('KEY_MALFORMED', 'encrypted key uses scrypt parameters other than the accepted sets', { details });
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** scrypt(password as UTF-8, salt, N, r, p) → 32 bytes, run off the main thread. */
export function deriveKey(password: string, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const { N, r, p } = params;
  // OpenSSL needs about 128·r·(N + p) bytes; Node's default maxmem (32 MiB) is below the standard level.
  const maxmem = 128 * r * (N + p) + 1024 * 1024;
  const secret = Buffer.from(password, 'utf8');
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, DERIVED_KEY_BYTES, { N, r, p, maxmem }, (err, key) => {
      secret.fill(0);
      if (err) reject(new ProvenantError('INTERNAL', 'scrypt failed', { cause: err }));
      else resolve(key);
    });
  });
}
