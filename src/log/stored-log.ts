// The transparency log as kept in a LogStore, for reading: LogService and the C2SP tlog-tiles resources, served
// straight from the store. It needs no signing key, so it cannot append; TransparencyLog adds the sequencer.
import type { Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { verifyCheckpointNote } from '../formats/checkpoint.js';
import { parseVerifierKey } from '../formats/signed-note.js';
import type { LogStore, StoredCheckpoint } from '../store/ports.js';
import { readBlob, readEntry, readEntryByLeafHash, searchEntries } from './entry-reads.js';
import { readConsistencyProof, readInclusionProof } from './proof-reads.js';
import type {
  AppendResult, ConsistencyProof, EntryQuery, InclusionProof, LogEntryView, LogInfo, LogService, SearchPage,
} from './service.js';
import { readEntryBundle, readHashTile } from './tile-reads.js';

/** Settings that bind a store to one log identity (LogStore.claimSetting). */
export const ORIGIN_SETTING = 'log.origin';
export const VERIFIER_KEY_SETTING = 'log.verifierKey';

export interface LogReaderOptions {
  readonly store: LogStore;
  /** The origin the caller expects; another bound origin is LOG_KEY_MISMATCH. Default: the one bound. */
  readonly origin?: string;
}

export class StoredLog implements LogService {
  protected constructor(
    protected readonly store: LogStore,
    readonly origin: string,
    /** The note verifier key clients pin: "<name>+<key id>+<base64(0x01 || key)>". */
    readonly verifierKey: string,
  ) {}

  /**
   * Opens the log kept in `store` for reading, under the origin and verifier key bound in the store. Nothing is
   * written. The store is closed by close(), not on a failed open. Errors: STORE_EMPTY (no log in the store yet),
   * LOG_KEY_MISMATCH (another origin is bound), STORE_CORRUPT, STORE_UNAVAILABLE.
   */
  static async openReader(options: LogReaderOptions): Promise<StoredLog> {
    const { store } = options;
    const head = await store.latestCheckpoint();
    if (head === null) throw new ProvenantError('STORE_EMPTY', 'there is no log in this store yet');
    // TransparencyLog.open claims both settings before it issues the first checkpoint, so in a store that has a
    // checkpoint these claims write nothing: they return the values bound. A store stripped of its settings gets
    // the checkpoint's own origin and an empty key, which verifies nothing and so is reported below.
    const origin = await store.claimSetting(ORIGIN_SETTING, options.origin ?? head.note.slice(0, head.note.indexOf('\n')));
    if (options.origin !== undefined && origin !== options.origin) {
      throw new ProvenantError('LOG_KEY_MISMATCH', `the log store is bound to ${ORIGIN_SETTING} ${JSON.stringify(origin)}, not ${JSON.stringify(options.origin)}`, {
        details: { setting: ORIGIN_SETTING, stored: origin, given: options.origin },
      });
    }
    const verifierKey = await store.claimSetting(VERIFIER_KEY_SETTING, '');
    try {
      verifyCheckpointNote(head.note, parseVerifierKey(verifierKey), origin);
    } catch (cause) {
      throw new ProvenantError('STORE_CORRUPT', 'the latest stored checkpoint is not signed by the key bound in the store under its origin', { cause });
    }
    return new StoredLog(store, origin, verifierKey);
  }

  async info(): Promise<LogInfo> {
    const checkpoint = await this.latest();
    return {
      origin: this.origin,
      size: checkpoint.size,
      rootHash: checkpoint.rootHash.toString('hex'),
      checkpoint: checkpoint.note,
      verifierKey: this.verifierKey,
    };
  }

  /** Always refused: LOG_READ_ONLY. */
  append(_proposed: JsonObject): Promise<AppendResult> {
    return Promise.reject(new ProvenantError('LOG_READ_ONLY', `the log ${this.origin} is open for reading only; appending needs its signing key`));
  }

  entry(index: bigint): Promise<LogEntryView> {
    return readEntry(this.store, index);
  }

  entryByLeafHash(leafHash: string): Promise<LogEntryView> {
    return readEntryByLeafHash(this.store, leafHash);
  }

  inclusionProof(index: bigint, size?: bigint): Promise<InclusionProof> {
    return readInclusionProof(this.store, index, size);
  }

  consistencyProof(from: bigint, to: bigint): Promise<ConsistencyProof> {
    return readConsistencyProof(this.store, from, to);
  }

  search(query: EntryQuery, page?: { after?: bigint; limit?: number }): Promise<SearchPage> {
    return searchEntries(this.store, query, page);
  }

  blob(digest: Digest): Promise<{ mediaType: string; data: Buffer } | null> {
    return readBlob(this.store, digest);
  }

  /** The latest checkpoint, byte for byte as signed (C2SP signed note). */
  async checkpointNote(): Promise<string> {
    return (await this.latest()).note;
  }

  /** Hash tile `index` of tile level `level`, full or partial of `width`; null when the log has no such tile. */
  tile(level: number, index: bigint, width?: number): Promise<Buffer | null> {
    return readHashTile(this.store, level, index, width);
  }

  /** Entry bundle `index`, full or partial of `width`; null when the log has no such bundle. */
  entryBundle(index: bigint, width?: number): Promise<Buffer | null> {
    return readEntryBundle(this.store, index, width);
  }

  ping(): Promise<boolean> {
    return this.store.ping();
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private async latest(): Promise<StoredCheckpoint> {
    const checkpoint = await this.store.latestCheckpoint();
    if (checkpoint === null) throw new ProvenantError('STORE_CORRUPT', 'the log has lost its checkpoints');
    return checkpoint;
  }
}
