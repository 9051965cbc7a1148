// Planning proofs over stored complete subtrees. A server that keeps only the hashes of complete subtrees (see
// node-id.ts) builds any RFC 6962 §2.1.1 audit path or §2.1.2 consistency proof by reading the node IDs of a plan,
// then calling `rehash`. A proof hash on the tree's right border may stand for an incomplete ("ephemeral")
// subtree; it has no stored hash and is recomputed from the complete subtrees that cover its leaves. Every plan
// names at most 2 * 64 + 1 nodes, so a proof costs O(log n) reads whatever the tree size.
import { ProvenantError } from '../core/errors.js';
import { bitLength, isPowerOfTwo, toU64, trailingZeros, type TreeIndex } from './bits.js';
import { HASH_SIZE, nodeHash } from './hasher.js';
import { coverage, nodeId, parent, rangeNodes, sibling, type NodeId } from './node-id.js';

/** Nodes `ids[begin, end)`, lowest level first, hash together into the one proof hash of node `id`. */
export interface EphemeralNode {
  readonly id: NodeId;
  readonly begin: number;
  readonly end: number;
}

export interface ProofPlan {
  /** Complete subtrees whose stored hashes make up the proof, in proof order (bottom of the path first). */
  readonly ids: readonly NodeId[];
  /** Present when two or more of `ids` must be combined into one proof hash. */
  readonly ephemeral: EphemeralNode | undefined;
}

/** Plans the audit path PATH(index, D[size]) of RFC 6962 §2.1.1. Requires index < size (USAGE otherwise). */
export function planInclusion(index: TreeIndex, size: TreeIndex): ProofPlan {
  const i = toU64(index, 'leaf index', 'USAGE');
  const n = toU64(size, 'tree size', 'USAGE');
  if (i >= n) {
    throw new ProvenantError('USAGE', `leaf index ${i} is not below tree size ${n}`, {
      details: { index: i.toString(), size: n.toString() },
    });
  }
  return withoutFirst(pathFrom(nodeId(0, i), n));
}

/**
 * Plans the consistency proof PROOF(size1, D[size2]) of RFC 6962 §2.1.2. Requires 0 < size1 <= size2: a proof
 * from the empty tree proves nothing (RFC 9162 §2.1.4), so it is refused (USAGE) rather than answered empty.
 */
export function planConsistency(size1: TreeIndex, size2: TreeIndex): ProofPlan {
  const m = toU64(size1, 'first tree size', 'USAGE');
  const n = toU64(size2, 'second tree size', 'USAGE');
  if (m === 0n || m > n) {
    throw new ProvenantError('USAGE', `no consistency proof from tree size ${m} to ${n}`, {
      details: { size1: m.toString(), size2: n.toString() },
    });
  }
  if (m === n) return { ids: [], ephemeral: undefined };
  // The proof is the audit path, inside tree `n`, of the largest complete subtree that ends the old tree. The old
  // tree's root is built from that subtree and the left-hand hashes of the path; when the old tree is itself a
  // complete subtree the verifier already holds its hash (the old root), so it is left out.
  const level = trailingZeros(m);
  const plan = pathFrom(nodeId(level, (m - 1n) >> BigInt(level)), n);
  return isPowerOfTwo(m) ? withoutFirst(plan) : plan;
}

/**
 * Combines the hashes read for `plan.ids` (same order and count) into the proof. Hashes come from the caller's own
 * store, so a wrong count or size is a bug or corruption there: INTERNAL.
 */
export function rehash(plan: ProofPlan, hashes: readonly Uint8Array[]): Uint8Array[] {
  if (hashes.length !== plan.ids.length) {
    throw new ProvenantError('INTERNAL', `proof plan needs ${plan.ids.length} hashes, got ${hashes.length}`);
  }
  hashes.forEach((h, i) => {
    if (h.length !== HASH_SIZE) {
      throw new ProvenantError('INTERNAL', `stored hash ${i} of the proof plan is ${h.length} bytes, not ${HASH_SIZE}`);
    }
  });
  const eph = plan.ephemeral;
  if (eph === undefined) return [...hashes];
  let combined = hashes[eph.begin] as Uint8Array;
  // Each further node lies to the left of, and one or more levels above, everything combined so far.
  for (let i = eph.begin + 1; i < eph.end; i++) combined = nodeHash(hashes[i] as Uint8Array, combined);
  return [...hashes.slice(0, eph.begin), combined, ...hashes.slice(eph.end)];
}

/**
 * Nodes proving that the complete subtree `start` is part of the tree of `size` leaves: `start` itself, then its
 * path's siblings up to the "fork" (the highest ancestor of `start` that is still complete), then the subtrees
 * right of the fork (the fork's sibling, incomplete, hence ephemeral), then the subtrees left of the fork.
 */
function pathFrom(start: NodeId, size: bigint): ProofPlan {
  // `start` is complete, so its index is below size >> level and the two differ; the highest differing bit says
  // how many levels up the fork is.
  const inner = bitLength(start.index ^ (size >> BigInt(start.level))) - 1;
  const fork = nodeId(start.level + inner, start.index >> BigInt(inner));
  const ids: NodeId[] = [start];
  for (let node = start; node.level < fork.level; node = parent(node)) ids.push(sibling(node));
  const { begin, end } = coverage(fork);
  const right = rangeNodes(end, size).reverse();
  const left = rangeNodes(0n, begin).reverse();
  const ephemeral = right.length > 1 ? { id: sibling(fork), begin: ids.length, end: ids.length + right.length } : undefined;
  ids.push(...right, ...left);
  return { ids, ephemeral };
}

function withoutFirst(plan: ProofPlan): ProofPlan {
  const eph = plan.ephemeral;
  return {
    ids: plan.ids.slice(1),
    ephemeral: eph === undefined ? undefined : { id: eph.id, begin: eph.begin - 1, end: eph.end - 1 },
  };
}
