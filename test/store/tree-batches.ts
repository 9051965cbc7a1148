// Real integration batches for store tests: leaves hashed with leafHash, nodes exactly the complete subtrees
// CompactRange reports while appending, checkpoints carrying the real root. A TreeBuilder is immutable, so a
// test can build two competing batches on the same size.
import { sha256Digest } from '../../src/core/digest.js';
import { CompactRange, leafHash, nodeKey, type NodeId } from '../../src/merkle/index.js';
import type { Blob, IndexTerm, IntegrationBatch, StoredCheckpoint, StoredNode } from '../../src/store/ports.js';

export interface TestEntry {
  readonly entry: Buffer;
  readonly terms?: readonly IndexTerm[];
  readonly blobs?: readonly Blob[];
}

/** About 500 bytes of entry, distinct per (tag, n). */
export function entryBytes(tag: string, n: number): Buffer {
  return Buffer.from(JSON.stringify({ kind: 'test', tag, n, pad: 'p'.repeat(440) }));
}

export function testEntry(tag: string, n: number, terms: readonly IndexTerm[] = [], blobs: readonly Blob[] = []): TestEntry {
  return { entry: entryBytes(tag, n), terms, blobs };
}

export function testBlob(text: string): Blob {
  const data = Buffer.from(text);
  return { digest: sha256Digest(data), mediaType: 'application/vnd.test+json', data };
}

export function testNote(size: bigint, root: Buffer): string {
  return `store.test/log\n${size}\n${root.toString('base64')}\n\n\u2014 store.test/log sig\n`;
}

export class TreeBuilder {
  private constructor(private readonly range: CompactRange) {}

  static empty(): TreeBuilder {
    return new TreeBuilder(CompactRange.empty());
  }

  /** A tree of `size` leaves known only by the hashes of its frontier (frontierIds(size), in order). */
  static fromFrontier(size: bigint, hashes: readonly Buffer[]): TreeBuilder {
    return new TreeBuilder(CompactRange.fromFrontier(size, hashes));
  }

  get size(): bigint {
    return this.range.size;
  }

  root(): Buffer {
    return this.range.root();
  }

  /** The batch appending `entries`, and the tree after it; this builder is left as it was. */
  batch(entries: readonly TestEntry[], integratedAt = 1_700_000_000_000): { batch: IntegrationBatch; next: TreeBuilder } {
    const range = CompactRange.fromFrontier(this.range.size, this.range.frontier().map((n) => n.hash));
    const fromSize = range.size;
    const nodes: StoredNode[] = [];
    const leaves = entries.map((e) => {
      const hash = leafHash(e.entry);
      for (const done of range.append(hash)) nodes.push({ level: done.id.level, index: done.id.index, hash: done.hash });
      return { leafHash: hash, entry: e.entry, terms: e.terms ?? [], blobs: e.blobs ?? [] };
    });
    const checkpoint: StoredCheckpoint = {
      size: range.size,
      rootHash: range.root(),
      note: testNote(range.size, range.root()),
      issuedAt: integratedAt + 1,
    };
    return { batch: { fromSize, leaves, nodes, checkpoint, integratedAt }, next: new TreeBuilder(range) };
  }
}

/** Every node of the given batches, by nodeKey. */
export function nodesOf(batches: readonly IntegrationBatch[]): Map<string, StoredNode> {
  const out = new Map<string, StoredNode>();
  for (const b of batches) for (const n of b.nodes) out.set(nodeKey(n), n);
  return out;
}

export function ids(nodes: readonly { level: number; index: bigint }[]): NodeId[] {
  return nodes.map(({ level, index }) => ({ level, index }));
}
