// RegistryClient: one repository on a distribution (OCI or Docker v2) registry as an ArtifactRepository.
import type { Readable } from 'node:stream';
import { ProvenantError } from '../../core/errors.js';
import { parseDigest, sha256Digest, type Digest } from '../../core/digest.js';
import type { ArtifactRepository, Descriptor, RawManifest } from '../types.js';
import { RegistryAuth, type CredentialSource, type Credentials } from './auth.js';
import { blobExists, DEFAULT_MAX_BLOB_READ, openBlob, pushBlob, readBlob } from './blobs.js';
import { HttpTransport, type HttpOptions } from './http.js';
import { DEFAULT_MAX_MANIFEST_BYTES, deleteManifest, getManifest, headManifest, putManifest } from './manifests.js';
import { registryEndpoint, validateRepository, validateTag, type RegistryEndpoint, type Scheme } from './names.js';
import { addToReferrersTag, queryReferrersApi, queryReferrersTag, referrerInfo } from './referrers.js';
import { RegistrySession } from './session.js';
import { listTags, type ListTagsOptions } from './tags.js';

export interface RegistryClientOptions extends HttpOptions {
  /** host[:port] as in the image reference, e.g. "ghcr.io", "localhost:5000", "docker.io". */
  registry: string;
  /** The repository path, e.g. "library/alpine". */
  repository: string;
  tag?: string;
  /** When given, resolve() fetches by digest (and the tag, if any, is only descriptive). */
  digest?: string;
  /** Plain HTTP for this registry (Docker's "insecure registry"). Same as scheme: "http". */
  insecure?: boolean;
  /** Force a scheme; by default loopback hosts use HTTP and all others HTTPS. */
  scheme?: Scheme;
  credentials?: Credentials | CredentialSource;
  /** Default 4 MiB. */
  maxManifestBytes?: number;
  /**
   * Keep the "sha256-<hex>" referrers index up to date when pushing a manifest with a subject to a
   * registry that does not index subjects itself (distribution-spec "Pushing Manifests with Subject"). Default true.
   */
  maintainReferrersTag?: boolean;
  /** Share one transport (connection pool, TLS settings) among clients; it is then not closed by close(). */
  httpTransport?: HttpTransport;
  now?: () => number;
}

type ReferrersMode = 'unknown' | 'api' | 'tag';
/** Subject used to probe for the referrers API; any digest will do, the API answers 200 for unknown subjects. */
const PROBE_SUBJECT = sha256Digest('');

export class RegistryClient implements ArtifactRepository {
  readonly transport = 'registry' as const;
  readonly endpoint: RegistryEndpoint;
  readonly repository: string;
  readonly tag: string | undefined;
  readonly digest: Digest | undefined;
  private readonly http: HttpTransport;
  private readonly ownsHttp: boolean;
  private readonly session: RegistrySession;
  private readonly maxManifestBytes: number;
  private readonly maintainReferrersTag: boolean;
  private referrersMode: ReferrersMode = 'unknown';

  constructor(options: RegistryClientOptions) {
    if (options.insecure === true && options.scheme === 'https') throw new ProvenantError('USAGE', 'insecure (plain HTTP) contradicts scheme "https"');
    this.endpoint = registryEndpoint(options.registry, options.insecure === true ? 'http' : options.scheme);
    this.repository = validateRepository(options.repository);
    this.tag = options.tag === undefined ? undefined : validateTag(options.tag);
    this.digest = options.digest === undefined ? undefined : parseDigest(options.digest, 'image digest');
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
    this.maintainReferrersTag = options.maintainReferrersTag ?? true;
    this.ownsHttp = options.httpTransport === undefined;
    this.http = options.httpTransport ?? new HttpTransport(options);
    const auth = new RegistryAuth({
      endpoint: this.endpoint,
      repository: this.repository,
      transport: this.http,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.now === undefined ? {} : { now: options.now }),
    });
    this.session = new RegistrySession(this.endpoint, this.repository, this.http, auth);
  }

  describe(): string {
    const name = `${this.endpoint.registry}/${this.repository}`;
    if (this.digest !== undefined) return `${name}${this.tag === undefined ? '' : `:${this.tag}`}@${this.digest}`;
    return `${name}:${this.tag ?? 'latest'}`;
  }

  /** The manifest the reference names: by digest when it has one, else by tag ("latest" when none). */
  async resolve(): Promise<RawManifest> {
    const reference = this.digest ?? this.tag ?? 'latest';
    const manifest = await getManifest(this.session, reference, this.maxManifestBytes);
    if (manifest === undefined) throw new ProvenantError('MANIFEST_NOT_FOUND', `${this.describe()} does not exist`);
    return manifest;
  }

  async fetchManifest(digest: Digest): Promise<RawManifest> {
    parseDigest(digest, 'manifest digest');
    const manifest = await getManifest(this.session, digest, this.maxManifestBytes);
    if (manifest === undefined) throw new ProvenantError('MANIFEST_NOT_FOUND', `manifest ${this.session.name}@${digest} does not exist`);
    return manifest;
  }

  async fetchTag(tag: string): Promise<RawManifest | undefined> {
    return getManifest(this.session, validateTag(tag), this.maxManifestBytes);
  }

  /** HEAD: the descriptor of a tag or digest, or undefined when it does not exist. */
  async headManifest(reference: string): Promise<Descriptor | undefined> {
    return headManifest(this.session, checkReference(reference), this.maxManifestBytes);
  }

  async hasBlob(digest: Digest): Promise<boolean> {
    return blobExists(this.session, parseDigest(digest, 'blob digest'));
  }

  openBlob(desc: Descriptor): Promise<Readable> {
    return openBlob(this.session, desc);
  }

  readBlob(desc: Descriptor, maxBytes = DEFAULT_MAX_BLOB_READ): Promise<Buffer> {
    return readBlob(this.session, desc, maxBytes);
  }

  pushBlob(data: Uint8Array, mediaType: string): Promise<Descriptor> {
    return pushBlob(this.session, data, mediaType);
  }

  /**
   * PUT by `tag`, else by digest. A manifest with a subject is then added to the referrers tag index unless
   * the registry confirmed (OCI-Subject) that it indexes subjects itself.
   */
  async pushManifest(manifest: RawManifest, tag?: string): Promise<void> {
    const info = this.maintainReferrersTag ? referrerInfo(manifest) : undefined;
    const pushed = await putManifest(this.session, manifest, tag === undefined ? manifest.digest : validateTag(tag), this.maxManifestBytes);
    if (info === undefined) return;
    if (pushed.ociSubject !== undefined) {
      this.referrersMode = 'api';
      return;
    }
    await addToReferrersTag(this.session, info, this.maxManifestBytes);
  }

  deleteManifest(digest: Digest): Promise<void> {
    return deleteManifest(this.session, parseDigest(digest, 'manifest digest'));
  }

  listTags(options: ListTagsOptions = {}): Promise<string[]> {
    return listTags(this.session, options);
  }

  async listReferrers(subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    parseDigest(subject, 'subject digest');
    if (this.referrersMode !== 'tag') {
      const answer = await queryReferrersApi(this.session, subject, this.maxManifestBytes, artifactType);
      switch (answer.kind) {
        case 'listed':
          this.referrersMode = 'api';
          return answer.descriptors;
        case 'unsupported':
          if (answer.certain) this.referrersMode = 'tag';
          break;
      }
    }
    return queryReferrersTag(this.session, subject, this.maxManifestBytes, artifactType);
  }

  async supportsReferrersApi(): Promise<boolean> {
    if (this.referrersMode === 'unknown') {
      const answer = await queryReferrersApi(this.session, PROBE_SUBJECT, this.maxManifestBytes);
      if (answer.kind === 'listed') this.referrersMode = 'api';
      else if (answer.certain) this.referrersMode = 'tag';
      else return false;
    }
    return this.referrersMode === 'api';
  }

  async close(): Promise<void> {
    if (this.ownsHttp) this.http.close();
  }
}

function checkReference(reference: string): string {
  return reference.startsWith('sha256:') ? parseDigest(reference, 'reference') : validateTag(reference);
}
