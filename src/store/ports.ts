// The storage port of the transparency log. The domain (src/log/) appends and proves through this interface only;
// src/store/sqlite/ and src/store/postgres/ implement it with the same schema and pass the same test suite.
//
// What is stored: every leaf (its entry bytes and leaf hash), the hash of every complete subtree (level 0 is the
// leaf hash itself), every signed checkpoint the log has issued, blobs referenced by entries, and index terms for
// search. Nothing is ever updated or deleted: integrate() only inserts.

/** A complete subtree: level L, index i covers leaves [i * 2^L, (i + 1) * 2^L). */
export interface StoredNode {
  readonly level: number;
  readonly index: bigint;
  readonly hash: Buffer;
}

export interface StoredLeaf {
  readonly index: bigint;
  readonly leafHash: Buffer;
  /** The canonical entry bytes, exactly as hashed: leafHash = SHA-256(0x00 || entry). */
  readonly entry: Buffer;
  /** When the batch holding this leaf was integrated (ms since the epoch). */
  readonly integratedAt: number;
}

/** A signed tree head as the log issued it. */
export interface StoredCheckpoint {
  readonly size: bigint;
  readonly rootHash: Buffer;
  /** The C2SP signed note, byte for byte as served. */
  readonly note: string;
  readonly issuedAt: number;
}

/** A search key of an entry: which subject, predicate type, signer, line or target it concerns, or its own digest. */
export interface IndexTerm {
  readonly name: IndexTermName;
  readonly value: string;
}

export type IndexTermName = 'kind' | 'subject' | 'predicateType' | 'signer' | 'line' | 'target' | 'repository' | 'entry';

/** Content kept beside the log and named by digest from an entry (e.g. the full DSSE envelope of an attestation). */
export interface Blob {
  readonly digest: string;
  readonly mediaType: string;
  readonly data: Buffer;
}

export interface NewLeaf {
  readonly leafHash: Buffer;
  readonly entry: Buffer;
  readonly terms: readonly IndexTerm[];
  readonly blobs: readonly Blob[];
}

/** One sequencing step: leaves [fromSize, fromSize + leaves.length), the subtrees they complete, and the new head. */
export interface IntegrationBatch {
  /** The size the sequencer built on. If the stored size differs, integrate() refuses with LOG_SEQUENCE_CONFLICT. */
  readonly fromSize: bigint;
  readonly leaves: readonly NewLeaf[];
  /** Every complete subtree the new leaves finish, level 0 (the leaves) included. */
  readonly nodes: readonly StoredNode[];
  readonly checkpoint: StoredCheckpoint;
  readonly integratedAt: number;
}

export interface SearchQuery {
  /** Every term must match (AND). At least one term. */
  readonly terms: readonly IndexTerm[];
  /** Only indices greater than this (paging). */
  readonly after?: bigint;
  /** At most this many indices, ascending. */
  readonly limit: number;
}

export interface LogStore {
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Appends one batch in a single durable transaction, holding the sequencer lock for its duration (SQLite: the
   * database write lock taken by BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory lock). Returns only
   * after the commit is on disk. Errors: LOG_SEQUENCE_CONFLICT when the stored size is not `fromSize` (another
   * sequencer appended; reload and retry), LOG_DUPLICATE_LEAF when a leaf hash is already stored, STORE_UNAVAILABLE.
   */
  integrate(batch: IntegrationBatch): Promise<void>;
  /** The latest checkpoint, or null for an empty log. */
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  /** The checkpoint issued at exactly `size`, or null. */
  checkpointAt(size: bigint): Promise<StoredCheckpoint | null>;
  /** Checkpoints with size in [from, to], ascending (for audits of every head handed out). */
  checkpoints(from: bigint, to: bigint, limit: number): Promise<StoredCheckpoint[]>;
  /** Hashes of the given complete subtrees, in order; undefined where a node is not stored. */
  nodeHashes(ids: readonly { level: number; index: bigint }[]): Promise<(Buffer | undefined)[]>;
  /** Hashes of nodes at `level` with index in [begin, end), ascending and contiguous (what a tile holds). */
  nodeRange(level: number, begin: bigint, end: bigint): Promise<Buffer[]>;
  /** Leaves [begin, end), ascending. */
  leaves(begin: bigint, end: bigint): Promise<StoredLeaf[]>;
  /** The index of each given leaf hash that is stored (keys: lowercase hex of the leaf hash). */
  findLeaves(leafHashes: readonly Buffer[]): Promise<Map<string, bigint>>;
  search(query: SearchQuery): Promise<bigint[]>;
  blob(digest: string): Promise<Blob | null>;
  /**
   * Sets a store-wide setting if it is not set yet and returns the value in force (the one given, or the one
   * stored before). The log binds its origin and verifier key this way, so a store is never served under another
   * name or key.
   */
  claimSetting(name: string, value: string): Promise<string>;
  /** True when the database answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
