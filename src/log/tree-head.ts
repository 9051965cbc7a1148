// The head a sequencer builds on: the latest stored checkpoint and the compact range of its tree, resumed from the
// stored hashes of the tree's frontier (at most 64 reads in one call) and checked against the signed root.
import { ProvenantError } from '../core/errors.js';
import { CompactRange, frontierIds } from '../merkle/index.js';
import type { LogStore, StoredCheckpoint } from '../store/ports.js';

export interface TreeHead {
  readonly checkpoint: StoredCheckpoint;
  readonly tree: CompactRange;
}

/** The stored head, or null for a log that has no checkpoint yet. Errors: STORE_CORRUPT, STORE_UNAVAILABLE. */
export async function loadTreeHead(store: LogStore): Promise<TreeHead | null> {
  const checkpoint = await store.latestCheckpoint();
  if (checkpoint === null) return null;
  const ids = frontierIds(checkpoint.size);
  const hashes = await store.nodeHashes(ids);
  const missing = hashes.findIndex((h) => h === undefined);
  if (missing >= 0) {
    const id = ids[missing] as { level: number; index: bigint };
    throw new ProvenantError('STORE_CORRUPT', `the log of size ${checkpoint.size} lacks its stored subtree ${id.level}/${id.index}`, {
      details: { size: checkpoint.size.toString(), level: id.level, index: id.index.toString() },
    });
  }
  const tree = CompactRange.fromFrontier(checkpoint.size, hashes as Buffer[]);
  if (!tree.root().equals(checkpoint.rootHash)) {
    throw new ProvenantError('STORE_CORRUPT', `the stored subtrees of the log of size ${checkpoint.size} do not hash to its checkpoint root`, {
      details: { size: checkpoint.size.toString() },
    });
  }
  return { checkpoint, tree };
}

/** The head of a log that must have one (after TransparencyLog.open). */
export async function requireTreeHead(store: LogStore): Promise<TreeHead> {
  const head = await loadTreeHead(store);
  if (head === null) throw new ProvenantError('STORE_CORRUPT', 'the log has lost its checkpoints');
  return head;
}
