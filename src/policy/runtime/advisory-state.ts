// The advisory data decisions are matched against: the AdvisoryIndex built from every record of the AdvisoryStore,
// rebuilt only when the store's revision moves. Records are validated on the way in (addAdvisories), so the same
// bytes read back always give the same index; the version string names the revision and the record count, which
// is what a replay needs to ask for the same data.
import { isProvenantError, ProvenantError } from '../../core/errors.js';
import { canonicalJsonBytes, parseJson, type JsonValue } from '../../core/json.js';
import type { AdvisoryPutResult, AdvisoryStore, StoredAdvisory } from '../../store/policy-ports.js';
import { AdvisoryIndex } from '../../vuln/advisory-index.js';
import { advisoryFromJson, OSV_LIMITS, type Advisory } from '../../vuln/osv-record.js';

const PAGE = 1000;
/** Advisories are read while others may be put: a read that saw the revision move is retried this many times. */
const MAX_READ_ATTEMPTS = 3;

export interface AdvisorySnapshot {
  readonly index: AdvisoryIndex;
  /** "adv:<revision>:<count>". */
  readonly version: string;
  readonly revision: bigint;
  readonly count: number;
}

export class AdvisoryState {
  private current: AdvisorySnapshot | undefined;
  private loading: Promise<AdvisorySnapshot> | undefined;

  constructor(private readonly store: AdvisoryStore) {}

  /** The index for the store's current revision, rebuilt when the revision moved. */
  async snapshot(): Promise<AdvisorySnapshot> {
    const revision = await this.store.advisoriesRevision();
    if (this.current !== undefined && this.current.revision === revision) return this.current;
    // Concurrent decisions share one rebuild instead of each reading every record.
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /** The store's advisory count, revision and version, without reading the records or building the index. */
  async version(): Promise<Pick<AdvisorySnapshot, 'version' | 'revision' | 'count'>> {
    const [revision, count] = await Promise.all([this.store.advisoriesRevision(), this.store.advisoryCount()]);
    return { version: `adv:${revision}:${count}`, revision, count };
  }

  /**
   * Validates every record (all or nothing) and stores them. Errors: OSV_MALFORMED or INPUT_TOO_LARGE with
   * `details.index` naming the first bad record; STORE_VALUE_INVALID; the store's.
   */
  async add(records: readonly JsonValue[]): Promise<AdvisoryPutResult> {
    const stored = records.map((record, index): StoredAdvisory => {
      const advisory = withIndex(index, () => advisoryFromJson(record));
      return { id: advisory.id, modified: advisory.modified, record: canonicalJsonBytes(record) };
    });
    return this.store.putAdvisories(stored);
  }

  private async load(): Promise<AdvisorySnapshot> {
    for (let attempt = 1; ; attempt++) {
      const before = await this.store.advisoriesRevision();
      const advisories = await this.readAll();
      const after = await this.store.advisoriesRevision();
      if (before === after || attempt === MAX_READ_ATTEMPTS) {
        // When the revision kept moving, the index may hold newer records than `before` names; the next snapshot
        // sees the revision differ and rebuilds, so nothing newer is missed for long.
        const snapshot: AdvisorySnapshot = { index: AdvisoryIndex.build(advisories), version: `adv:${before}:${advisories.length}`, revision: before, count: advisories.length };
        this.current = snapshot;
        return snapshot;
      }
    }
  }

  private async readAll(): Promise<Advisory[]> {
    const out: Advisory[] = [];
    let afterId: string | undefined;
    for (;;) {
      const page = await this.store.advisories(afterId === undefined ? { limit: PAGE } : { afterId, limit: PAGE });
      for (const row of page) out.push(storedAdvisory(row));
      const last = page[page.length - 1];
      if (last === undefined || page.length < PAGE) return out;
      afterId = last.id;
    }
  }
}

function storedAdvisory(row: StoredAdvisory): Advisory {
  try {
    return advisoryFromJson(parseJson(row.record, `advisory ${row.id}`, { maxLength: OSV_LIMITS.maxRecordLength, maxDepth: OSV_LIMITS.maxDepth }));
  } catch (cause) {
    throw new ProvenantError('STORE_CORRUPT', `the stored advisory ${row.id} no longer reads as an OSV record`, { cause, details: { id: row.id } });
  }
}

function withIndex<T>(index: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!isProvenantError(e) || e.code === 'INTERNAL') throw e;
    throw new ProvenantError(e.code, `advisory ${index}: ${e.message}`, { cause: e, details: { ...e.details, index } });
  }
}
