// Addresses of complete (perfect) subtrees. The node at (level, index) is the root of the perfect subtree over
// leaves [index * 2^level, (index + 1) * 2^level); level 0 holds the leaves. A complete subtree never changes once
// the log has grown past it, which is why storage keeps exactly these hashes and nothing else.
import { ProvenantError } from '../core/errors.js';
import { MAX_U64 } from './bits.js';

export interface NodeId {
  readonly level: number;
  readonly index: bigint;
}

/** Largest level a node of a uint64-sized tree can have. */
export const MAX_LEVEL = 64;

export function nodeId(level: number, index: bigint): NodeId {
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL || index < 0n || index > MAX_U64 >> BigInt(level)) {
    throw new ProvenantError('INTERNAL', `no Merkle node at level ${level}, index ${index}`, {
      details: { level, index: index.toString() },
    });
  }
  return { level, index };
}

export function parent(id: NodeId): NodeId {
  return nodeId(id.level + 1, id.index >> 1n);
}

export function sibling(id: NodeId): NodeId {
  return nodeId(id.level, id.index ^ 1n);
}

/** The leaves under the node, as the half-open range [begin, end). */
export function coverage(id: NodeId): { begin: bigint; end: bigint } {
  const level = BigInt(id.level);
  return { begin: id.index << level, end: (id.index + 1n) << level };
}

/** A stable string for map keys and storage keys: "level/index" in decimal. */
export function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

export function sameNode(a: NodeId, b: NodeId): boolean {
  return a.level === b.level && a.index === b.index;
}

/**
 * The complete subtrees that exactly cover the leaves [begin, end), left to right: each is the largest one that
 * starts at the current position (aligned to its size) and fits before `end`. For begin = 0 this is the
 * "frontier" of a tree of size `end`: one node per set bit of `end`, by decreasing level. At most 2 * 64 nodes.
 */
export function rangeNodes(begin: bigint, end: bigint): NodeId[] {
  if (begin < 0n || end < begin || end > MAX_U64) {
    throw new ProvenantError('INTERNAL', `invalid leaf range [${begin}, ${end})`);
  }
  const out: NodeId[] = [];
  let pos = begin;
  while (pos < end) {
    let level = 0;
    // Grow while the next size keeps `pos` aligned and still fits in the range.
    while (level < 63 && (pos & ((2n << BigInt(level)) - 1n)) === 0n && pos + (2n << BigInt(level)) <= end) level++;
    out.push(nodeId(level, pos >> BigInt(level)));
    pos += 1n << BigInt(level);
  }
  return out;
}
