// What every face sees of the log: the embedded log (TransparencyLog over a LogStore) and the HTTP client of a
// running `provenant serve` both implement LogService, so each command works with `--data DIR` or `--server URL`.
// Hashes are lowercase hex; indices and sizes are bigint in code and decimal strings on the wire.
import type { Digest } from '../core/digest.js';
import type { JsonObject } from '../core/json.js';

export interface LogInfo {
  /** The checkpoint origin line (the log's name), e.g. "provenant.example/log". */
  readonly origin: string;
  readonly size: bigint;
  readonly rootHash: string;
  /** The latest signed checkpoint (C2SP signed note text). */
  readonly checkpoint: string;
  /** The log's verifier key in the note verifier-key format: "<name>+<hex key id>+<base64(0x01 || Ed25519 key)>". */
  readonly verifierKey: string;
}

export interface AppendResult {
  readonly index: bigint;
  readonly leafHash: string;
  /** "sha256:" of the canonical entry bytes; lineage records name their predecessor by it. */
  readonly entryDigest: Digest;
  /** True when an identical entry was already in the log: index is the existing one. */
  readonly duplicate: boolean;
  /** A checkpoint whose tree contains the entry. */
  readonly checkpoint: string;
}

export interface LogEntryView {
  readonly index: bigint;
  readonly leafHash: string;
  readonly entryDigest: Digest;
  /** The canonical entry bytes, base64 on the wire; verify leafHash from these, never from `entry`. */
  readonly entryBytes: Buffer;
  readonly entry: JsonObject;
  readonly integratedAt: string;
}

export interface InclusionProof {
  readonly index: bigint;
  readonly size: bigint;
  readonly leafHash: string;
  readonly hashes: readonly string[];
  /** The signed checkpoint of `size` the proof leads to. */
  readonly checkpoint: string;
}

export interface ConsistencyProof {
  readonly from: bigint;
  readonly to: bigint;
  readonly hashes: readonly string[];
}

export interface EntryQuery {
  readonly subject?: Digest;
  readonly predicateType?: string;
  /** A signer key id: "sha256:<hex of the DER SubjectPublicKeyInfo>". */
  readonly signer?: string;
  /** A lineage line "provider/name". */
  readonly line?: string;
  /** The entry digest a revocation or auditor attestation points at. */
  readonly target?: Digest;
  readonly kind?: string;
  readonly repository?: string;
  /** The entry's own entry digest ("sha256:" of its canonical bytes). Entries stored before this term was added lack it. */
  readonly entry?: Digest;
}

export interface SearchPage {
  readonly indices: readonly bigint[];
  /** Pass as `after` for the next page; absent on the last page. */
  readonly next?: bigint;
}

export interface LogService {
  info(): Promise<LogInfo>;
  /** Verifies a proposed entry (see src/log/entries/) and appends it, or returns the index of its identical twin. */
  append(proposed: JsonObject): Promise<AppendResult>;
  entry(index: bigint): Promise<LogEntryView>;
  entryByLeafHash(leafHash: string): Promise<LogEntryView>;
  /** Proof for `index` in the tree of `size` (default: the latest checkpoint). */
  inclusionProof(index: bigint, size?: bigint): Promise<InclusionProof>;
  consistencyProof(from: bigint, to: bigint): Promise<ConsistencyProof>;
  search(query: EntryQuery, page?: { after?: bigint; limit?: number }): Promise<SearchPage>;
  /** Content an entry names by digest (e.g. an attestation's full envelope); null when the log does not hold it. */
  blob(digest: Digest): Promise<{ mediaType: string; data: Buffer } | null>;
  close(): Promise<void>;
}
