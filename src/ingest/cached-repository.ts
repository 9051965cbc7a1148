// A read-only view of a repository that remembers what it read for the length of one examination. Discovery of
// attachments and their verification (src/attest/) each read the same tags, referrer listings and layers; with
// this view the registry is asked once, and every reader sees the same snapshot even while new pushes land.
import type { Readable } from 'node:stream';
import type { Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import type { ArtifactRepository, Descriptor, RawManifest } from '../oci/types.js';

export class CachedRepository implements ArtifactRepository {
  readonly transport;
  private readonly manifests = new Map<string, Promise<RawManifest>>();
  private readonly tags = new Map<string, Promise<RawManifest | undefined>>();
  private readonly blobs = new Map<string, Promise<Buffer>>();
  private readonly referrers = new Map<string, Promise<Descriptor[]>>();
  private referrersApi: Promise<boolean> | undefined;

  constructor(private readonly inner: ArtifactRepository) {
    this.transport = inner.transport;
  }

  describe(): string {
    return this.inner.describe();
  }

  resolve(): Promise<RawManifest> {
    return this.inner.resolve();
  }

  fetchManifest(digest: Digest): Promise<RawManifest> {
    return remember(this.manifests, digest, () => this.inner.fetchManifest(digest));
  }

  fetchTag(tag: string): Promise<RawManifest | undefined> {
    return remember(this.tags, tag, () => this.inner.fetchTag(tag));
  }

  openBlob(desc: Descriptor): Promise<Readable> {
    return this.inner.openBlob(desc);
  }

  // Keyed by digest and limit: a caller with a lower limit must still be refused what it cannot take.
  readBlob(desc: Descriptor, maxBytes?: number): Promise<Buffer> {
    return remember(this.blobs, `${desc.digest} ${desc.size} ${maxBytes ?? ''}`, () => this.inner.readBlob(desc, maxBytes));
  }

  listReferrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    return remember(this.referrers, `${subject} ${artifactType ?? ''}`, () => this.inner.listReferrers(subject, artifactType));
  }

  supportsReferrersApi(): Promise<boolean> {
    this.referrersApi ??= this.inner.supportsReferrersApi();
    return this.referrersApi;
  }

  pushBlob(): Promise<Descriptor> {
    return Promise.reject(readOnly());
  }

  pushManifest(): Promise<void> {
    return Promise.reject(readOnly());
  }
}

function remember<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = load();
    cache.set(key, value);
    // A failed read is not kept: the examination is retried as a whole, and a retry must ask again.
    value.catch(() => cache.delete(key));
  }
  return value;
}

function readOnly(): ProvenantError {
  return new ProvenantError('INTERNAL', 'the registry ingest never writes to a registry');
}
