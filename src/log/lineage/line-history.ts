// What the history of a lineage line is made of: its records in chain order, the auditor attestations on each,
// and every problem found, each with a stable code and the log index where it shows.
import type { Digest } from '../../core/digest.js';
import type { ErrorCode } from '../../core/errors.js';
import type { AuditPredicate, LineageArtifact } from '../entries/index.js';

export type LineageProblemCode = Extract<
  ErrorCode,
  'LINEAGE_GAP' | 'LINEAGE_FORK' | 'LINEAGE_BROKEN_LINK' | 'LINEAGE_UNTRUSTED_SIGNER' | 'LINEAGE_RECORD_INVALID'
>;

export interface LineageProblem {
  readonly code: LineageProblemCode;
  /** The log index of the entry where the problem shows (for a gap: the first record after it). */
  readonly index: bigint;
  /** The sequence concerned (for a gap: the first one missing); null when the entry could not be read. */
  readonly sequence: number | null;
  readonly message: string;
}

export interface AuditView extends Pick<AuditPredicate, 'auditor' | 'type' | 'result' | 'score' | 'createdAt' | 'note'> {
  readonly index: bigint;
  readonly entryDigest: Digest;
  readonly signer: string;
  /**
   * True when the audit verifies and names this record's line and artifact. An auditor is a third party: its key
   * is reported, not required to be trusted.
   */
  readonly verified: boolean;
  /** Why `verified` is false. */
  readonly reason?: string;
}

export interface RevocationView {
  readonly index: bigint;
  readonly entryDigest: Digest;
  readonly reason: string;
  readonly createdAt: string;
  readonly signer: string;
  /**
   * True when the revocation counts: signed by the record's own signer, or by a trusted signer when trusted signers
   * are given. Anyone may append a revocation; only these revoke.
   */
  readonly honoured: boolean;
}

export interface LineageRecordView {
  readonly index: bigint;
  readonly sequence: number;
  /** Recomputed from the entry bytes, never taken from the store. */
  readonly entryDigest: Digest;
  readonly previous: Digest | null;
  readonly artifact: LineageArtifact;
  /** The artifact's digest (the statement subject). */
  readonly digest: Digest;
  readonly signer: string;
  readonly createdAt: string;
  readonly note?: string;
  readonly audits: readonly AuditView[];
  readonly revocations: readonly RevocationView[];
  /** True when an honoured revocation targets the record. A revoked record stays in the chain (nothing is deleted). */
  readonly revoked: boolean;
}

export interface LineHistory {
  readonly line: string;
  /** Every record that verifies, by sequence then log index. */
  readonly records: readonly LineageRecordView[];
  /** By log index. */
  readonly problems: readonly LineageProblem[];
  /** True when the line has at least one record and no problem. */
  readonly verified: boolean;
}

export interface LineHistoryOptions {
  /** Key ids ("sha256:<hex of the SPKI DER>") allowed to sign records of the line; any key when absent. */
  readonly trustedSigners?: readonly string[];
}
