// Image references to manifest digests for admission. A reference that pins a digest needs no registry call; a tag
// is looked up (one HEAD of the manifest) and remembered for a short time, so a rollout of many replicas asks
// the registry once, and concurrent lookups of the same tag share one request. Failures are remembered too, for
// a shorter time, so a broken registry is not asked again by every pod of a rollout; the webhook's failure
// policy then decides.
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { LruMap } from '../core/lru-map.js';
import type { Digest } from '../core/digest.js';
import { parseImageReference, type ImageReference } from '../oci/reference.js';
import { RegistryClient, type CredentialSource, type HttpTransport } from '../oci/registry/index.js';

export interface DigestLookup {
  /** The digest the registry serves for `ref` (a tag). Errors: the registry's. */
  (ref: ImageReference): Promise<Digest>;
}

export interface DigestResolverOptions {
  readonly lookup: DigestLookup;
  /** How long a tag's digest is trusted. Default 30 s. */
  readonly ttlMs?: number;
  /** How long a failed lookup is remembered. Default 5 s. */
  readonly failureTtlMs?: number;
  /** Entries kept; the least recently used go first. Default 10,000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
  /** Told how each reference was resolved, and of each registry request's result (for metrics). */
  readonly onResolved?: (source: ResolvedImage['source']) => void;
  readonly onRegistryRequest?: (result: 'ok' | 'error') => void;
}

export interface ResolvedImage {
  readonly reference: string;
  readonly digest: Digest;
  /** How the digest was known: pinned in the reference, from the cache, or asked of the registry now. */
  readonly source: 'pinned' | 'cache' | 'registry';
}

export interface ResolverStats {
  readonly registryCalls: number;
  readonly registryErrors: number;
  readonly cacheHits: number;
}

type Entry = { readonly at: number } & ({ readonly digest: Digest } | { readonly error: ProvenantError });

export class DigestResolver {
  private readonly entries: LruMap<string, Entry>;
  private readonly inFlight = new Map<string, Promise<Digest>>();
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly now: () => number;
  private calls = 0;
  private errors = 0;
  private hits = 0;

  constructor(private readonly options: DigestResolverOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.failureTtlMs = options.failureTtlMs ?? 5_000;
    this.entries = new LruMap(options.maxEntries ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  /** Errors: REFERENCE_INVALID, and the registry's (remembered for failureTtlMs). */
  async resolve(reference: string): Promise<ResolvedImage> {
    const ref = parseImageReference(reference);
    if (ref.digest !== undefined) {
      this.options.onResolved?.('pinned');
      return { reference, digest: ref.digest, source: 'pinned' };
    }
    const key = ref.toString();
    const known = this.entries.get(key);
    const now = this.now();
    if (known !== undefined) {
      const fresh = 'digest' in known ? now - known.at < this.ttlMs : now - known.at < this.failureTtlMs;
      if (fresh) {
        this.hits++;
        this.options.onResolved?.('cache');
        if ('error' in known) throw known.error;
        return { reference, digest: known.digest, source: 'cache' };
      }
      this.entries.delete(key);
    }
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.lookup(key, ref).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
      this.options.onResolved?.('registry');
    } else {
      // Sharing another admission's request is a hit: no registry request of its own.
      this.hits++;
      this.options.onResolved?.('cache');
    }
    return { reference, digest: await pending, source: 'registry' };
  }

  stats(): ResolverStats {
    return { registryCalls: this.calls, registryErrors: this.errors, cacheHits: this.hits };
  }

  private async lookup(key: string, ref: ImageReference): Promise<Digest> {
    this.calls++;
    try {
      const digest = await this.options.lookup(ref);
      this.options.onRegistryRequest?.('ok');
      this.entries.set(key, { at: this.now(), digest });
      return digest;
    } catch (e) {
      this.errors++;
      this.options.onRegistryRequest?.('error');
      const error = isProvenantError(e) ? e : new ProvenantError('REGISTRY_UNREACHABLE', `looking up ${key} failed`, { cause: e });
      this.entries.set(key, { at: this.now(), error });
      throw error;
    }
  }
}

export interface RegistryLookupOptions {
  /** Shared by every lookup: one connection pool, one set of TLS settings. */
  readonly transport: HttpTransport;
  readonly credentials?: CredentialSource;
}

/** A lookup that asks the image's registry (HEAD of the manifest by tag). Errors: MANIFEST_NOT_FOUND, the registry's. */
export function registryDigestLookup(options: RegistryLookupOptions): DigestLookup {
  return async (ref) => {
    const tag = ref.tag ?? 'latest';
    const client = new RegistryClient({
      registry: ref.registry,
      repository: ref.repository,
      tag,
      httpTransport: options.transport,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });
    try {
      const found = await client.headManifest(tag);
      if (found === undefined) throw new ProvenantError('MANIFEST_NOT_FOUND', `${ref.toString()} does not exist in its registry`, { details: { reference: ref.toString() } });
      return found.digest;
    } finally {
      await client.close();
    }
  };
}
