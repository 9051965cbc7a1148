// An IntegrationBatch checked and flattened into the rows both adapters insert. The checks are the invariants the
// tables rely on and readers never re-derive: every stored leaf hash is SHA-256(0x00 || entry), the nodes are
// exactly the complete subtrees the batch finishes, and the checkpoint names the new size. A batch that breaks
// one is a sequencer bug (INTERNAL), refused before the database is touched.
import { assertDigest, parseDigest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { HASH_SIZE, MAX_LEVEL, coverage, leafHash, nodeKey } from '../merkle/index.js';
import type { Blob, IntegrationBatch, StoredCheckpoint, StoredNode } from './ports.js';
import {
  INDEX_TERM_NAMES, INT64_MAX, MAX_TERM_VALUE_BYTES, corrupt, isStorableTermValue, isStorableText, storedIndex,
} from './stored-values.js';

export interface LeafRow {
  readonly index: bigint;
  readonly leafHash: Buffer;
  readonly entry: Buffer;
}

export interface TermRow {
  readonly name: string;
  readonly value: string;
  readonly index: bigint;
}

export interface BatchRows {
  readonly fromSize: bigint;
  readonly toSize: bigint;
  readonly integratedAt: number;
  readonly leaves: readonly LeafRow[];
  readonly nodes: readonly StoredNode[];
  readonly terms: readonly TermRow[];
  /** Distinct by digest. */
  readonly blobs: readonly Blob[];
  readonly checkpoint: StoredCheckpoint;
}

function bad(message: string, details?: Record<string, unknown>): ProvenantError {
  return new ProvenantError('INTERNAL', `invalid integration batch: ${message}`, details === undefined ? {} : { details });
}

function isHash(value: unknown): value is Buffer {
  return Buffer.isBuffer(value) && value.length === HASH_SIZE;
}

function checkTime(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw bad(`${what} must be a non-negative integer of milliseconds`);
}

/** Complete subtrees of every level inside a tree of n leaves: sum over L of floor(n / 2^L) = 2n - popcount(n). */
function completeSubtrees(n: bigint): bigint {
  let ones = 0n;
  for (let x = n; x > 0n; x >>= 1n) ones += x & 1n;
  return 2n * n - ones;
}

export function batchRows(batch: IntegrationBatch): BatchRows {
  const { fromSize, checkpoint } = batch;
  if (typeof fromSize !== 'bigint' || fromSize < 0n) throw bad('fromSize must be a non-negative bigint');
  const toSize = fromSize + BigInt(batch.leaves.length);
  if (toSize > INT64_MAX) {
    throw new ProvenantError('INPUT_TOO_LARGE', `the log cannot grow past ${INT64_MAX} entries`, {
      details: { fromSize: fromSize.toString(), leaves: batch.leaves.length },
    });
  }
  checkTime(batch.integratedAt, 'integratedAt');
  checkTime(checkpoint.issuedAt, 'checkpoint.issuedAt');
  if (checkpoint.size !== toSize) {
    throw bad(`the checkpoint is for size ${checkpoint.size}, the batch ends at ${toSize}`);
  }
  if (!isHash(checkpoint.rootHash)) throw bad('the checkpoint root hash is not 32 bytes');
  if (!isStorableText(checkpoint.note) || checkpoint.note === '') throw bad('the checkpoint note is empty or holds NUL');

  const leaves: LeafRow[] = [];
  const terms: TermRow[] = [];
  const blobs = new Map<string, Blob>();
  const seenLeaves = new Set<string>();
  batch.leaves.forEach((leaf, i) => {
    const index = fromSize + BigInt(i);
    if (!isHash(leaf.leafHash) || !Buffer.isBuffer(leaf.entry)) throw bad(`leaf ${index} needs a 32-byte hash and entry bytes`);
    if (!leaf.leafHash.equals(leafHash(leaf.entry))) throw bad(`leaf ${index}: the leaf hash is not SHA-256(0x00 || entry)`);
    const hex = leaf.leafHash.toString('hex');
    if (seenLeaves.has(hex)) {
      throw new ProvenantError('LOG_DUPLICATE_LEAF', 'the batch holds the same leaf twice', { details: { leafHash: hex } });
    }
    seenLeaves.add(hex);
    leaves.push({ index, leafHash: leaf.leafHash, entry: leaf.entry });
    const seenTerms = new Set<string>();
    for (const term of leaf.terms) {
      if (!INDEX_TERM_NAMES.has(term.name)) throw bad(`leaf ${index}: unknown index term ${JSON.stringify(term.name)}`);
      if (!isStorableTermValue(term.value)) {
        const details = { index: index.toString(), name: term.name };
        if (!isStorableText(term.value)) throw new ProvenantError('UNSUPPORTED', `index term ${term.name} holds NUL`, { details });
        throw new ProvenantError('INPUT_TOO_LARGE', `index term ${term.name} is over ${MAX_TERM_VALUE_BYTES} bytes`, { details });
      }
      const key = `${term.name}\u0000${term.value}`;
      if (seenTerms.has(key)) continue;
      seenTerms.add(key);
      terms.push({ name: term.name, value: term.value, index });
    }
    for (const blob of leaf.blobs) {
      parseDigest(blob.digest, 'blob digest');
      if (!Buffer.isBuffer(blob.data) || !isStorableText(blob.mediaType) || blob.mediaType === '') {
        throw bad(`blob ${blob.digest} needs a media type and data bytes`);
      }
      // Blobs are insert-or-ignore by digest; that is only sound if the digest really names the content.
      assertDigest(blob.data, parseDigest(blob.digest), `blob ${blob.digest}`);
      if (!blobs.has(blob.digest)) blobs.set(blob.digest, blob);
    }
  });

  checkNodes(batch.nodes, leaves, fromSize, toSize);
  return {
    fromSize, toSize, integratedAt: batch.integratedAt, leaves, nodes: batch.nodes, terms, blobs: [...blobs.values()], checkpoint,
  };
}

/** The nodes must be exactly the complete subtrees ending in (fromSize, toSize], each once, leaves matching. */
function checkNodes(nodes: readonly StoredNode[], leaves: readonly LeafRow[], fromSize: bigint, toSize: bigint): void {
  const expected = completeSubtrees(toSize) - completeSubtrees(fromSize);
  if (BigInt(nodes.length) !== expected) {
    throw bad(`${nodes.length} nodes given, the leaves complete ${expected} subtrees`);
  }
  const seen = new Set<string>();
  for (const node of nodes) {
    if (!Number.isInteger(node.level) || node.level < 0 || node.level >= MAX_LEVEL || typeof node.index !== 'bigint' || node.index < 0n) {
      throw bad('a node has an invalid level or index', { level: node.level, index: String(node.index) });
    }
    const key = nodeKey(node);
    const { end } = coverage(node);
    if (end <= fromSize || end > toSize) throw bad(`node ${key} is not completed by this batch`);
    if (!isHash(node.hash)) throw bad(`node ${key} has no 32-byte hash`);
    if (seen.has(key)) throw bad(`node ${key} is given twice`);
    seen.add(key);
    if (node.level === 0) {
      const leaf = leaves[Number(node.index - fromSize)] as LeafRow;
      if (!leaf.leafHash.equals(node.hash)) throw bad(`node ${key} differs from its leaf hash`);
    }
  }
}

/**
 * Run under the sequencer lock with the stored max(checkpoints.size) and max(leaves.idx) (null when none): the
 * batch must build on the stored size, which the leaves and the checkpoints must agree on. An empty batch on an
 * unchanged log that already has a checkpoint also lost a race: the head of that size is taken.
 */
export function checkSequence(stored: { checkpoint: unknown; leaf: unknown }, rows: BatchRows): void {
  const fromCheckpoint = stored.checkpoint === null ? null : storedIndex(stored.checkpoint, 'checkpoint size');
  const size = stored.leaf === null ? 0n : storedIndex(stored.leaf, 'leaf index') + 1n;
  if ((fromCheckpoint ?? 0n) !== size) {
    throw corrupt('the stored leaves and checkpoints disagree on the log size', {
      checkpointSize: fromCheckpoint?.toString() ?? null,
      leaves: size.toString(),
    });
  }
  if (size !== rows.fromSize || (rows.leaves.length === 0 && fromCheckpoint !== null)) {
    throw new ProvenantError('LOG_SEQUENCE_CONFLICT', `the batch was built on size ${rows.fromSize}, the log holds ${size}`, {
      details: { fromSize: rows.fromSize.toString(), storedSize: size.toString() },
    });
  }
}
