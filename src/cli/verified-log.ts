// The log as a client should read it: every entry handed out is checked to be in the tree of the trusted checkpoint
// (an inclusion proof verified locally against the verified root), so a service cannot show an entry it never
// logged, or one other clients do not see.
import { sha256Digest, type Digest } from '../core/digest.js';
import { ProvenantError, toProvenantError, type ErrorCode } from '../core/errors.js';
import { parseJsonObject, type JsonObject } from '../core/json.js';
import type { Checkpoint } from '../formats/checkpoint.js';
import type { AppendResult, ConsistencyProof, EntryQuery, InclusionProof, LogEntryView, LogInfo, LogService, SearchPage } from '../log/service.js';
import { leafHash, verifyInclusion } from '../merkle/index.js';
import type { CheckpointGuard } from './checkpoint-guard.js';
import type { LogReader } from './store-access.js';

export interface InclusionFailure {
  readonly index: bigint;
  readonly code: ErrorCode;
  readonly message: string;
}

/** Failures of one entry's proof, reported beside the others; anything else (a fork, an outage) ends the command. */
const COLLECTED: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['MERKLE_PROOF_INVALID', 'MERKLE_ROOT_MISMATCH']);

export class VerifiedLog implements LogService {
  /** Entries whose inclusion did not verify, when collecting rather than throwing. */
  readonly failures: InclusionFailure[] = [];

  constructor(
    readonly inner: LogReader,
    readonly guard: CheckpointGuard,
    private readonly options: { collect?: boolean } = {},
  ) {}

  info(): Promise<LogInfo> {
    return this.inner.info();
  }

  append(proposed: JsonObject): Promise<AppendResult> {
    return this.inner.append(proposed);
  }

  async entry(index: bigint): Promise<LogEntryView> {
    const view = await this.inner.entry(index);
    if (view.index !== index) throw new ProvenantError('SERVICE_PROTOCOL', `asked for entry ${index}, the log answered with entry ${view.index}`);
    return this.checked(view);
  }

  async entryByLeafHash(hash: string): Promise<LogEntryView> {
    const view = await this.inner.entryByLeafHash(hash);
    if (view.leafHash !== hash) throw new ProvenantError('SERVICE_PROTOCOL', `asked for leaf hash ${hash}, the log answered with ${view.leafHash}`);
    return this.checked(view);
  }

  inclusionProof(index: bigint, size?: bigint): Promise<InclusionProof> {
    return this.inner.inclusionProof(index, size);
  }

  consistencyProof(from: bigint, to: bigint): Promise<ConsistencyProof> {
    return this.inner.consistencyProof(from, to);
  }

  search(query: EntryQuery, page?: { after?: bigint; limit?: number }): Promise<SearchPage> {
    return this.inner.search(query, page);
  }

  blob(digest: Digest): Promise<{ mediaType: string; data: Buffer } | null> {
    return this.inner.blob(digest);
  }

  async close(): Promise<void> {
    await this.inner.close();
  }

  /**
   * Proves that the leaf of `entryBytes` is entry `index` of the trusted tree (or of the tree of `size`, which must
   * be consistent with it) and returns the proof and the checkpoint it leads to. Errors: MERKLE_PROOF_INVALID,
   * MERKLE_ROOT_MISMATCH, LOG_FORK, SERVICE_PROTOCOL, and those of the log.
   */
  async prove(index: bigint, hash: Buffer, size?: bigint): Promise<{ proof: InclusionProof; checkpoint: Checkpoint }> {
    let treeSize = size ?? this.guard.latest.size;
    if (size === undefined && index >= treeSize) treeSize = (await this.guard.refresh()).size;
    const proof = await this.inner.inclusionProof(index, treeSize);
    const checkpoint = await this.guard.accept(proof.checkpoint);
    if (proof.index !== index || proof.size !== treeSize || checkpoint.size !== treeSize) {
      throw new ProvenantError('SERVICE_PROTOCOL', `asked for a proof of entry ${index} in the tree of ${treeSize}, got entry ${proof.index} in ${proof.size}`);
    }
    verifyInclusion(hash, index, treeSize, proof.hashes.map((h) => Buffer.from(h, 'hex')), checkpoint.rootHash);
    return { proof, checkpoint };
  }

  private async checked(served: LogEntryView): Promise<LogEntryView> {
    const view = fromBytes(served);
    const hash = leafHash(view.entryBytes);
    // An entry whose bytes do not match its leaf hash is reported by whoever reads it (as tampered); the proof below
    // would only say the same thing less clearly.
    if (hash.toString('hex') !== view.leafHash) return view;
    try {
      await this.prove(view.index, hash);
    } catch (e) {
      const error = toProvenantError(e);
      if (this.options.collect !== true || !COLLECTED.has(error.code)) throw error;
      this.failures.push({ index: view.index, code: error.code, message: `entry ${view.index} is not proven in the trusted tree: ${error.message}` });
    }
    return view;
  }
}

/**
 * The view, if its bytes hash to its leaf hash. VerifiedLog hands out an entry that does not unproven, for audits to
 * report; a command acting on one entry refuses it: LOG_ENTRY_TAMPERED.
 */
export function requireIntact(view: LogEntryView): LogEntryView {
  if (leafHash(view.entryBytes).toString('hex') !== view.leafHash) {
    throw new ProvenantError('LOG_ENTRY_TAMPERED', `entry ${view.index} does not hash to its leaf hash`, { details: { index: view.index.toString() } });
  }
  return view;
}

/** The view with its digest and parsed entry taken from the entry bytes, never from what was said about them. */
function fromBytes(view: LogEntryView): LogEntryView {
  let entry = view.entry;
  try {
    entry = parseJsonObject(view.entryBytes, `entry ${view.index}`);
  } catch {
    // Bytes that are not an entry are reported by whoever reads them; the leaf hash check does not depend on it.
  }
  return { ...view, entryDigest: sha256Digest(view.entryBytes), entry };
}
