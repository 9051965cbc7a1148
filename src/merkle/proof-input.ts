// Checks on the parts of a proof before any hashing. Everything here normally arrives from a log server or a
// bundle (hashes, proof arrays, sizes), so it is attacker-controlled: lengths are compared before elements are
// touched, and every failure is a ProvenantError with a stable code.
import { ProvenantError } from '../core/errors.js';
import { bytesEqual } from '../core/bytes.js';
import { HASH_SIZE } from './hasher.js';

/** Refuses anything but a HASH_SIZE-byte Uint8Array: MERKLE_PROOF_INVALID. */
export function checkHash(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== HASH_SIZE) {
    const length = value instanceof Uint8Array ? value.length : undefined;
    throw new ProvenantError('MERKLE_PROOF_INVALID', `${what} is not a ${HASH_SIZE}-byte hash`, {
      details: { field: what, length },
    });
  }
  return value;
}

/** Requires an array of exactly `expected` hashes, each HASH_SIZE bytes: MERKLE_PROOF_INVALID otherwise. */
export function checkProof(proof: unknown, expected: number, what: string): readonly Uint8Array[] {
  if (!Array.isArray(proof)) {
    throw new ProvenantError('MERKLE_PROOF_INVALID', `${what} is not an array of hashes`, { details: { field: what } });
  }
  if (proof.length !== expected) {
    throw new ProvenantError('MERKLE_PROOF_INVALID', `${what} has ${proof.length} hashes, expected ${expected}`, {
      details: { field: what, length: proof.length, expected },
    });
  }
  proof.forEach((h: unknown, i) => checkHash(h, `${what}[${i}]`));
  return proof as readonly Uint8Array[];
}

export function proofInvalid(message: string, details: Record<string, unknown>): ProvenantError {
  return new ProvenantError('MERKLE_PROOF_INVALID', message, { details });
}

/** Throws MERKLE_ROOT_MISMATCH, with both roots in hex, unless the calculated root equals the expected one. */
export function assertRoot(calculated: Uint8Array, expected: Uint8Array, what: string, extra: Record<string, unknown> = {}): void {
  if (!bytesEqual(calculated, expected)) {
    throw new ProvenantError('MERKLE_ROOT_MISMATCH', `the proof does not lead to the ${what}`, {
      details: { ...extra, expected: Buffer.from(expected).toString('hex'), calculated: Buffer.from(calculated).toString('hex') },
    });
  }
}
