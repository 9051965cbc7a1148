// An in-memory builder of an append-only RFC 6962 tree that keeps only its "frontier": the hashes of the complete
// subtrees covering leaves [0, size), one per set bit of size (at most 64). Appending a leaf reports every
// complete subtree it finishes, so a store can persist them; with those stored, any root (rootFromFrontier) and
// any proof (proof-plan.ts) is O(log n) reads.
import { ProvenantError } from '../core/errors.js';
import { MAX_U64, toU64, type TreeIndex } from './bits.js';
import { HASH_SIZE, emptyRoot, nodeHash } from './hasher.js';
import { nodeId, rangeNodes, type NodeId } from './node-id.js';

/** A complete subtree and its hash, as `append` reports it. */
export interface CompletedNode {
  readonly id: NodeId;
  readonly hash: Buffer;
}

export class CompactRange {
  /** Frontier hashes, highest level (leftmost subtree) first. */
  private readonly hashes: Buffer[];
  private count: bigint;

  private constructor(size: bigint, hashes: Buffer[]) {
    this.count = size;
    this.hashes = hashes;
  }

  /** A builder for the empty tree. */
  static empty(): CompactRange {
    return new CompactRange(0n, []);
  }

  /**
   * Resumes a tree of `size` leaves from the hashes of `frontierIds(size)`, in that order, read from the caller's
   * store. A wrong count or hash size means the store is corrupt or out of step: INTERNAL.
   */
  static fromFrontier(size: TreeIndex, hashes: readonly Uint8Array[]): CompactRange {
    const n = toU64(size, 'tree size', 'INTERNAL');
    return new CompactRange(n, checkFrontier(n, hashes));
  }

  get size(): bigint {
    return this.count;
  }

  /**
   * Appends one leaf hash (see leafHash) and returns the complete subtrees this finishes, lowest level first:
   * the leaf itself at level 0, then each parent it completes. The returned hashes are fresh copies.
   */
  append(leaf: Uint8Array): CompletedNode[] {
    if (leaf.length !== HASH_SIZE) {
      throw new ProvenantError('INTERNAL', `a leaf hash must be ${HASH_SIZE} bytes, got ${leaf.length}`);
    }
    if (this.count === MAX_U64) throw new ProvenantError('INPUT_TOO_LARGE', 'the tree already holds 2^64 - 1 leaves');
    let hash: Buffer = Buffer.from(leaf);
    let id = nodeId(0, this.count);
    const done: CompletedNode[] = [{ id, hash: Buffer.from(hash) }];
    // Each trailing 1 bit of the old size is a complete subtree of the same level waiting on the left.
    while ((id.index & 1n) === 1n) {
      hash = nodeHash(this.hashes.pop() as Buffer, hash);
      id = nodeId(id.level + 1, id.index >> 1n);
      done.push({ id, hash: Buffer.from(hash) });
    }
    this.hashes.push(hash);
    this.count++;
    return done;
  }

  /** MTH of the leaves appended so far (RFC 6962 §2.1). */
  root(): Buffer {
    return foldFrontier(this.hashes);
  }

  /** The frontier as `frontierIds(size)` names it, with copies of its hashes. */
  frontier(): CompletedNode[] {
    const ids = frontierIds(this.count);
    return ids.map((id, i) => ({ id, hash: Buffer.from(this.hashes[i] as Buffer) }));
  }
}

/** The complete subtrees whose hashes determine the root of a tree of `size` leaves, highest level first. */
export function frontierIds(size: TreeIndex): NodeId[] {
  return rangeNodes(0n, toU64(size, 'tree size', 'USAGE'));
}

/** The root of a tree of `size` leaves from the stored hashes of `frontierIds(size)`, in that order. */
export function rootFromFrontier(size: TreeIndex, hashes: readonly Uint8Array[]): Buffer {
  return foldFrontier(checkFrontier(toU64(size, 'tree size', 'INTERNAL'), hashes));
}

function checkFrontier(size: bigint, hashes: readonly Uint8Array[]): Buffer[] {
  const expected = rangeNodes(0n, size).length;
  if (hashes.length !== expected) {
    throw new ProvenantError('INTERNAL', `a tree of size ${size} has ${expected} frontier hashes, got ${hashes.length}`);
  }
  return hashes.map((h, i) => {
    if (h.length !== HASH_SIZE) throw new ProvenantError('INTERNAL', `frontier hash ${i} is ${h.length} bytes, not ${HASH_SIZE}`);
    return Buffer.from(h);
  });
}

/** RFC 6962 §2.1 splits at the largest power of two below n, so the root folds the frontier from the right. */
function foldFrontier(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return emptyRoot();
  let acc = hashes[hashes.length - 1] as Buffer;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Buffer, acc);
  return Buffer.from(acc);
}
