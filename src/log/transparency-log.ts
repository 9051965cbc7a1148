// The transparency log over a LogStore: an append-only RFC 6962 tree whose heads are C2SP checkpoints signed with
// the log's Ed25519 note key, served as LogService (JSON API, CLI) and as C2SP tlog-tiles resources. Writes go
// through the batching sequencer; reads go straight to the store (StoredLog, which openReader opens without the
// key), so they see what other processes sequenced.
import { ProvenantError, isProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { formatCheckpoint, verifyCheckpointNote } from '../formats/checkpoint.js';
import { parseVerifierKey, signNote, type NoteSigner } from '../formats/signed-note.js';
import { emptyRoot } from '../merkle/index.js';
import type { LogStore } from '../store/ports.js';
import type { EntryPreparer } from './entries/prepared.js';
import { Sequencer, type LogStats } from './sequencer.js';
import type { AppendResult } from './service.js';
import { ORIGIN_SETTING, StoredLog, VERIFIER_KEY_SETTING } from './stored-log.js';
import { loadTreeHead, requireTreeHead, type TreeHead } from './tree-head.js';

export { ORIGIN_SETTING, VERIFIER_KEY_SETTING, StoredLog, type LogReaderOptions } from './stored-log.js';

export const DEFAULT_MAX_BATCH = 1024;
export const DEFAULT_MAX_DELAY_MS = 2;
export const DEFAULT_MAX_PENDING = 100_000;

export interface TransparencyLogOptions {
  readonly store: LogStore;
  /** The checkpoint origin line, e.g. "provenant.example/log"; also the note key name it is signed under. */
  readonly origin: string;
  readonly signer: NoteSigner;
  /** Verifies a proposal and gives the entry to store (prepareEntry of src/log/entries/). */
  readonly prepare: EntryPreparer;
  /** Most entries integrated in one batch (one transaction, one checkpoint). Default 1024. */
  readonly maxBatch?: number;
  /** How long the first waiting append waits for company before its batch starts. Default 2 ms. */
  readonly maxDelayMs?: number;
  /** Appends allowed to wait at once before LOG_BUSY. Default 100,000. */
  readonly maxPending?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly now?: () => number;
}

/** The log with its signing key: the reads of StoredLog (TransparencyLog.openReader opens one), plus appends. */
export class TransparencyLog extends StoredLog {
  private closing: Promise<void> | undefined;

  private constructor(
    store: LogStore,
    origin: string,
    verifierKey: string,
    private readonly sequencer: Sequencer,
  ) {
    super(store, origin, verifierKey);
  }

  /**
   * Opens the log kept in `store`, binding the store to this origin and key on first use. A log with no
   * checkpoint gets the signed checkpoint of the empty tree. The store is closed by close(), not on a failed open.
   * Errors: USAGE (bad options or origin), LOG_KEY_MISMATCH (the store belongs to another origin or key),
   * STORE_CORRUPT, STORE_UNAVAILABLE.
   */
  static async open(options: TransparencyLogOptions): Promise<TransparencyLog> {
    const { store, origin, signer } = options;
    const maxBatch = positiveInteger(options.maxBatch ?? DEFAULT_MAX_BATCH, 'maxBatch');
    const maxPending = positiveInteger(options.maxPending ?? DEFAULT_MAX_PENDING, 'maxPending');
    const maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    if (!Number.isFinite(maxDelayMs) || maxDelayMs < 0) throw new ProvenantError('USAGE', 'maxDelayMs must be a non-negative number');
    // Checks the origin can head a checkpoint before anything is written.
    formatCheckpoint({ origin, size: 0n, rootHash: emptyRoot() });
    await claim(store, ORIGIN_SETTING, origin);
    await claim(store, VERIFIER_KEY_SETTING, signer.verifierKey);
    const now = options.now ?? Date.now;
    const head = (await loadTreeHead(store)) ?? (await startEmpty(store, origin, signer, now));
    try {
      verifyCheckpointNote(head.checkpoint.note, parseVerifierKey(signer.verifierKey), origin);
    } catch (cause) {
      throw new ProvenantError('LOG_KEY_MISMATCH', 'the latest stored checkpoint is not signed by this log key under this origin', { cause });
    }
    const sequencer = new Sequencer({ store, origin, signer, prepare: options.prepare, maxBatch, maxDelayMs, maxPending, now }, head);
    return new TransparencyLog(store, origin, signer.verifierKey, sequencer);
  }

  /** Verifies and appends; resolves once the batch holding the entry is durable. Errors: LOG_CLOSED, LOG_BUSY, those of prepare and the store. */
  override append(proposed: JsonObject): Promise<AppendResult> {
    return this.sequencer.append(proposed);
  }

  async stats(): Promise<LogStats> {
    return this.sequencer.stats();
  }

  /** Refuses new appends (LOG_CLOSED), integrates those already queued, then closes the store. */
  override close(): Promise<void> {
    this.closing ??= this.sequencer.drain().then(() => this.store.close());
    return this.closing;
  }
}

async function claim(store: LogStore, name: string, value: string): Promise<void> {
  const held = await store.claimSetting(name, value);
  if (held !== value) {
    throw new ProvenantError('LOG_KEY_MISMATCH', `the log store is bound to ${name} ${JSON.stringify(held)}, not ${JSON.stringify(value)}`, {
      details: { setting: name, stored: held, given: value },
    });
  }
}

/** Issues the checkpoint of the empty tree, unless another process is doing the same at this moment. */
async function startEmpty(store: LogStore, origin: string, signer: NoteSigner, now: () => number): Promise<TreeHead> {
  const rootHash = emptyRoot();
  const note = await signNote(formatCheckpoint({ origin, size: 0n, rootHash }), [signer]);
  const at = now();
  try {
    await store.integrate({ fromSize: 0n, leaves: [], nodes: [], checkpoint: { size: 0n, rootHash, note, issuedAt: at }, integratedAt: at });
  } catch (e) {
    if (!isProvenantError(e, 'LOG_SEQUENCE_CONFLICT')) throw e;
  }
  return requireTreeHead(store);
}

function positiveInteger(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new ProvenantError('USAGE', `${what} must be a positive integer`);
  return value;
}
