// What a backend's test file hands the LogStore contract suite.
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import type { LogStore, StoredCheckpoint, StoredNode } from '../../src/store/ports.js';

/** Rows written straight into the tables, bypassing integrate(): the tail of a log of a huge size. */
export interface SeedRows {
  readonly leaf: { readonly index: bigint; readonly leafHash: Buffer; readonly entry: Buffer; readonly integratedAt: number };
  readonly nodes: readonly StoredNode[];
  readonly checkpoint: StoredCheckpoint;
}

export interface StoreUnderTest {
  readonly store: LogStore;
  /** Opens another LogStore on the same database (another connection or handle); the first one stays open. */
  readonly reopen: () => Promise<LogStore>;
  /** Removes the database once every store opened on it is closed. */
  readonly cleanup: () => Promise<void>;
  /** Writes rows with the backend's own client, for sizes no test could integrate its way to. */
  readonly seed?: (rows: SeedRows) => Promise<void>;
}

export const isCode = (code: ErrorCode) => (e: unknown) => e instanceof ProvenantError && e.code === code;
