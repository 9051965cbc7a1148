// Inclusion and consistency proofs from the stored complete subtrees: the merkle planner names the O(log n) nodes
// a proof needs, one nodeHashes call reads them, and rehash folds the right border into its ephemeral node.
import { ProvenantError } from '../core/errors.js';
import { nodeId, planConsistency, planInclusion, rehash, type NodeId } from '../merkle/index.js';
import type { LogStore, StoredCheckpoint } from '../store/ports.js';
import { checkIndex } from './entry-reads.js';
import type { ConsistencyProof, InclusionProof } from './service.js';

/**
 * The audit path of leaf `index` in the tree of `size` (default: the latest checkpoint), with the checkpoint
 * issued at that size. Errors: USAGE (index >= the given size), LOG_ENTRY_NOT_FOUND (index beyond the latest
 * size), LOG_SIZE_UNKNOWN (no checkpoint was issued at `size`), STORE_CORRUPT.
 */
export async function readInclusionProof(store: LogStore, index: bigint, size?: bigint): Promise<InclusionProof> {
  checkIndex(index, 'index');
  let checkpoint: StoredCheckpoint | null;
  if (size === undefined) {
    checkpoint = await store.latestCheckpoint();
    if (checkpoint === null || index >= checkpoint.size) {
      throw new ProvenantError('LOG_ENTRY_NOT_FOUND', `the log has no entry ${index}`, { details: { index: index.toString() } });
    }
  } else {
    checkIndex(size, 'size');
    if (index >= size) {
      throw new ProvenantError('USAGE', `leaf index ${index} is not below tree size ${size}`, {
        details: { index: index.toString(), size: size.toString() },
      });
    }
    checkpoint = await store.checkpointAt(size);
    if (checkpoint === null) throw sizeUnknown(size, 'the log issued no checkpoint of that size');
  }
  const plan = planInclusion(index, checkpoint.size);
  const [leaf, ...path] = await readNodes(store, [nodeId(0, index), ...plan.ids]);
  return {
    index,
    size: checkpoint.size,
    leafHash: (leaf as Buffer).toString('hex'),
    hashes: rehash(plan, path).map(hex),
    checkpoint: checkpoint.note,
  };
}

/**
 * PROOF(from, D[to]) of RFC 6962 §2.1.2. from = to gives an empty proof. Errors: USAGE (from = 0 or from > to),
 * LOG_SIZE_UNKNOWN (to beyond the latest checkpoint), STORE_CORRUPT.
 */
export async function readConsistencyProof(store: LogStore, from: bigint, to: bigint): Promise<ConsistencyProof> {
  checkIndex(from, 'from');
  checkIndex(to, 'to');
  const plan = planConsistency(from, to);
  const latest = await store.latestCheckpoint();
  const latestSize = latest?.size ?? 0n;
  if (to > latestSize) throw sizeUnknown(to, `the log has ${latestSize} entries`);
  const hashes = plan.ids.length === 0 ? [] : rehash(plan, await readNodes(store, plan.ids));
  return { from, to, hashes: hashes.map(hex) };
}

async function readNodes(store: LogStore, ids: readonly NodeId[]): Promise<Buffer[]> {
  const hashes = await store.nodeHashes(ids);
  return hashes.map((hash, i) => {
    if (hash !== undefined) return hash;
    const id = ids[i] as NodeId;
    throw new ProvenantError('STORE_CORRUPT', `the stored subtree ${id.level}/${id.index} a proof needs is missing`, {
      details: { level: id.level, index: id.index.toString() },
    });
  });
}

function sizeUnknown(size: bigint, why: string): ProvenantError {
  return new ProvenantError('LOG_SIZE_UNKNOWN', `no tree of size ${size}: ${why}`, { details: { size: size.toString() } });
}

function hex(hash: Uint8Array): string {
  return Buffer.from(hash).toString('hex');
}
