// A caller-side store as a log would keep one: the complete subtrees CompactRange reports, keyed by node ID,
// with a read counter. Reading a node that was never reported fails the test, which proves that plans name only
// complete subtrees; reading one that is not complete in the tree the proof is for fails as well.
import { CompactRange, coverage, leafHash, nodeKey, planConsistency, planInclusion, rehash, type NodeId } from '../../src/merkle/index.js';

export class NodeStore {
  readonly nodes = new Map<string, Buffer>();
  readonly builder = CompactRange.empty();
  reads = 0;

  static of(entries: readonly Uint8Array[]): NodeStore {
    const store = new NodeStore();
    for (const e of entries) store.append(leafHash(e));
    return store;
  }

  append(hash: Uint8Array): void {
    for (const done of this.builder.append(hash)) {
      const key = nodeKey(done.id);
      if (this.nodes.has(key)) throw new Error(`node ${key} reported twice`);
      this.nodes.set(key, done.hash);
    }
  }

  /** Hashes of `ids`, each of which must be a complete subtree of the tree of `size` leaves. */
  read(ids: readonly NodeId[], size: bigint): Buffer[] {
    this.reads += ids.length;
    return ids.map((id) => {
      if (coverage(id).end > size) throw new Error(`node ${nodeKey(id)} is not complete in a tree of size ${size}`);
      const hash = this.nodes.get(nodeKey(id));
      if (hash === undefined) throw new Error(`node ${nodeKey(id)} is not a stored complete subtree`);
      return hash;
    });
  }

  inclusionProof(index: bigint, size: bigint): Uint8Array[] {
    const plan = planInclusion(index, size);
    return rehash(plan, this.read(plan.ids, size));
  }

  consistencyProof(size1: bigint, size2: bigint): Uint8Array[] {
    const plan = planConsistency(size1, size2);
    return rehash(plan, this.read(plan.ids, size2));
  }
}

export function hex(values: readonly Uint8Array[]): string[] {
  return values.map((v) => Buffer.from(v).toString('hex'));
}
