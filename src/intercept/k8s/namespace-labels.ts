// Namespace labels for admission, cached: a namespace's labels are read once per TTL (30 s by default, so a label
// change reaches decisions within that), concurrent reads of one namespace share one request, and a failure is not
// cached (the next admission asks again). Bounded: the least recently used namespaces are dropped beyond the limit.
import { LruMap } from '../../core/lru-map.js';

export type NamespaceLabelsFetch = (namespace: string) => Promise<Record<string, string>>;

export interface NamespaceLabelsOptions {
  readonly fetch: NamespaceLabelsFetch;
  readonly ttlMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly labels: Readonly<Record<string, string>>;
  readonly until: number;
}

export class NamespaceLabels {
  private readonly entries: LruMap<string, Entry>;
  private readonly inFlight = new Map<string, Promise<Readonly<Record<string, string>>>>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private fetches = 0;

  constructor(private readonly options: NamespaceLabelsOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.entries = new LruMap(options.maxEntries ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  /** The namespace's labels. Errors: the fetch's (CLUSTER_API_UNAVAILABLE). */
  labels(namespace: string): Promise<Readonly<Record<string, string>>> {
    const known = this.entries.get(namespace);
    if (known !== undefined && known.until > this.now()) return Promise.resolve(known.labels);
    let pending = this.inFlight.get(namespace);
    if (pending === undefined) {
      this.fetches++;
      pending = this.options.fetch(namespace).then((labels) => {
        const frozen = Object.freeze({ ...labels });
        this.entries.set(namespace, { labels: frozen, until: this.now() + this.ttlMs });
        return frozen;
      });
      const settled = (): void => void this.inFlight.delete(namespace);
      pending.then(settled, settled);
      this.inFlight.set(namespace, pending);
    }
    return pending;
  }

  /** Requests made to the API server so far. */
  stats(): { fetches: number; cached: number } {
    return { fetches: this.fetches, cached: this.entries.size };
  }
}
