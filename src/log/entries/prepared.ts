// What the entry layer hands the sequencer: the canonical bytes to hash and store, the search terms and the blobs
// the entry names. Producing one means the proposal was parsed strictly and its signatures verified.
import type { Blob, IndexTerm } from '../../store/ports.js';

export interface PreparedEntry {
  /** Canonical JSON (RFC 8785) of the stored entry; the leaf hash is SHA-256(0x00 || entry). */
  readonly entry: Buffer;
  readonly terms: readonly IndexTerm[];
  readonly blobs: readonly Blob[];
}

/** Parses and verifies a proposed entry. Implemented by prepareEntry in ./index.ts. */
export type EntryPreparer = (proposed: unknown) => Promise<PreparedEntry>;
