// Verification of RFC 6962 proofs, following the procedures of RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
// (consistency). All arguments except the caller's own trusted root are usually attacker-controlled, so the
// preconditions (index and sizes, exact proof length, 32-byte hashes) are all checked before the first hash is
// computed, and the work done is bounded by the proof length the sizes dictate (at most 64 + 1 hashes).
import { bitLength, isPowerOfTwo, popCount, toU64, trailingZeros, type TreeIndex } from './bits.js';
import { nodeHash } from './hasher.js';
import { assertRoot, checkHash, checkProof, proofInvalid } from './proof-input.js';

/**
 * The root of the tree of `size` leaves implied by an inclusion proof for `leafHash` at `index`.
 * Errors: MERKLE_PROOF_INVALID (index >= size, wrong proof length, a hash not 32 bytes).
 */
export function rootFromInclusionProof(leafHash: Uint8Array, index: TreeIndex, size: TreeIndex, proof: readonly Uint8Array[]): Buffer {
  const i = toU64(index, 'leaf index');
  const n = toU64(size, 'tree size');
  if (i >= n) throw proofInvalid(`leaf index ${i} is not below tree size ${n}`, { index: i.toString(), size: n.toString() });
  let r: Uint8Array = checkHash(leafHash, 'leaf hash');
  const path = checkProof(proof, inclusionProofLength(i, n), 'inclusion proof');

  // RFC 9162 §2.1.3.2 step 2 onwards: fn walks up the path of the leaf, sn the path of the last leaf.
  let fn = i;
  let sn = n - 1n;
  for (const p of path) {
    if (sn === 0n) throw proofInvalid('inclusion proof is longer than the path', { index: i.toString(), size: n.toString() });
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      // Levels where the path runs along the right border have no sibling in the proof.
      while (fn !== 0n && (fn & 1n) === 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw proofInvalid('inclusion proof is shorter than the path', { index: i.toString(), size: n.toString() });
  return Buffer.from(r);
}

/**
 * Verifies that `leafHash` is leaf `index` of the tree of `size` leaves whose root is `root`. `root` must come
 * from a source the caller trusts (a verified signed tree head), never from the same response as the proof.
 * Errors: MERKLE_PROOF_INVALID (malformed input), MERKLE_ROOT_MISMATCH.
 */
export function verifyInclusion(leafHash: Uint8Array, index: TreeIndex, size: TreeIndex, proof: readonly Uint8Array[], root: Uint8Array): void {
  checkHash(root, 'root hash');
  assertRoot(rootFromInclusionProof(leafHash, index, size, proof), root, 'root hash');
}

/**
 * The root of the tree of `size2` leaves implied by a consistency proof from the tree of `size1` leaves whose
 * root is `root1`; the proof must also rebuild `root1`. Requires 0 < size1 <= size2; for size1 = size2 the proof
 * must be empty and the result is root1. A proof from the empty tree proves nothing (RFC 9162 §2.1.4) and is
 * refused. Errors: MERKLE_PROOF_INVALID, MERKLE_ROOT_MISMATCH (root1 not rebuilt).
 */
export function rootFromConsistencyProof(size1: TreeIndex, size2: TreeIndex, proof: readonly Uint8Array[], root1: Uint8Array): Buffer {
  const m = toU64(size1, 'first tree size');
  const n = toU64(size2, 'second tree size');
  const first = checkHash(root1, 'first root hash');
  if (m === 0n || m > n) {
    throw proofInvalid(`no consistency proof from tree size ${m} to ${n}`, { size1: m.toString(), size2: n.toString() });
  }
  const consistency = checkProof(proof, consistencyProofLength(m, n), 'consistency proof');
  if (m === n) return Buffer.from(first);

  // RFC 9162 §2.1.4.2. When the old tree is a complete subtree its root is the first node of the path.
  const path = isPowerOfTwo(m) ? [first, ...consistency] : consistency;
  let fn = m - 1n;
  let sn = n - 1n;
  while (fn > 0n && (fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0n) throw proofInvalid('consistency proof is longer than the path', { size1: m.toString(), size2: n.toString() });
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn !== 0n && (fn & 1n) === 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw proofInvalid('consistency proof is shorter than the path', { size1: m.toString(), size2: n.toString() });
  assertRoot(fr, first, 'first root hash', { tree: 'first' });
  return Buffer.from(sr);
}

/**
 * Verifies that the tree of `size2` leaves with root `root2` extends the tree of `size1` leaves with root `root1`.
 * Both roots must come from trusted (signature-verified) tree heads. Hash sizes are checked even when
 * size1 = size2, where no hashing happens: a root that is not 32 bytes is never a valid tree head.
 * Errors: MERKLE_PROOF_INVALID, MERKLE_ROOT_MISMATCH (details.tree says which root failed).
 */
export function verifyConsistency(size1: TreeIndex, size2: TreeIndex, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  checkHash(root2, 'second root hash');
  assertRoot(rootFromConsistencyProof(size1, size2, proof, root1), root2, 'second root hash', { tree: 'second' });
}

/**
 * Length of the audit path of leaf `index` in a tree of `size` leaves. Below the level where the paths of leaf
 * `index` and of the last leaf meet ("inner"), every level has a sibling; above it the path follows the right
 * border, and only levels where it is a right child (a set bit of the index) contribute a hash.
 */
export function inclusionProofLength(index: bigint, size: bigint): number {
  const inner = bitLength(index ^ (size - 1n));
  return inner + popCount(index >> BigInt(inner));
}

/**
 * Length of PROOF(size1, D[size2]) for 0 < size1 <= size2: the audit path of leaf size1 - 1 from the level of
 * the largest complete subtree ending the old tree, plus that subtree's hash unless it is the old tree itself.
 */
export function consistencyProofLength(size1: bigint, size2: bigint): number {
  if (size1 === size2) return 0;
  const shift = trailingZeros(size1);
  return inclusionProofLength(size1 - 1n, size2) - shift + (isPowerOfTwo(size1) ? 0 : 1);
}
