// The RFC 6962 §2.1 (RFC 9162 §2.1.1) hash of a Merkle tree with SHA-256. Leaves and interior nodes are hashed
// with different one-byte prefixes so that no leaf can be presented as an interior node (second preimage).
import { createHash } from 'node:crypto';
import { ProvenantError } from '../core/errors.js';

/** Bytes in every node hash (SHA-256). */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({d(0)}) = SHA-256(0x00 || d(0)): the hash of one leaf entry. */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/**
 * SHA-256(0x01 || left || right): the hash of an interior node. Both children must be HASH_SIZE bytes: with other
 * lengths the concatenation no longer says where `left` ends, so two different pairs could hash alike. The
 * verifiers check sizes of untrusted input before they get here; reaching this check is a caller's bug.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new ProvenantError('INTERNAL', `Merkle node children must be ${HASH_SIZE} bytes`, {
      details: { left: left.length, right: right.length },
    });
  }
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** MTH({}) = SHA-256(""): the root of the empty tree. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}
