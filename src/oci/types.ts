// Ports of the OCI adapters. Every transport (OCI layout, docker-archive, registry) reads images through
// ImageSource; the ones that can also store attachments (registry, OCI layout) implement ArtifactRepository.
import type { Readable } from 'node:stream';
import type { Digest } from '../core/digest.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** OCI content descriptor (image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
  urls?: string[];
}

/** A manifest or index exactly as stored: the bytes are what the digest covers. */
export interface RawManifest {
  mediaType: string;
  digest: Digest;
  bytes: Buffer;
}

export type Transport = 'oci' | 'docker-archive' | 'registry';

export interface ImageSource {
  readonly transport: Transport;
  /** Human-readable name of what is read, e.g. "oci:./img:latest" or "registry.example/app:1.0". */
  describe(): string;
  /** The top-level manifest or index the reference names (tag or digest). */
  resolve(): Promise<RawManifest>;
  /** A manifest or index by digest, checked against that digest. */
  fetchManifest(digest: Digest): Promise<RawManifest>;
  /**
   * A blob as a stream. The stream fails with DIGEST_MISMATCH (ProvenantError) at its end if the bytes do
   * not hash to `desc.digest`, or with ARCHIVE_TRUNCATED if fewer than `desc.size` bytes arrive.
   */
  openBlob(desc: Descriptor): Promise<Readable>;
  /** A small blob (config, attachment layer) read whole and verified; refused above `maxBytes`. */
  readBlob(desc: Descriptor, maxBytes?: number): Promise<Buffer>;
  close?(): Promise<void>;
}

/** A place that can also store and find artifacts attached to an image (signatures, attestations, SBOMs). */
export interface ArtifactRepository extends ImageSource {
  /** The manifest a tag points at in this repository, or undefined if the tag does not exist. */
  fetchTag(tag: string): Promise<RawManifest | undefined>;
  pushBlob(data: Uint8Array, mediaType: string): Promise<Descriptor>;
  /** Stores a manifest, by digest and, when given, under `tag` (moving the tag if it exists). */
  pushManifest(manifest: RawManifest, tag?: string): Promise<void>;
  /**
   * Descriptors of manifests whose `subject` is `subject`, through the OCI 1.1 referrers API where the
   * repository has one, else the `sha256-<hex>` referrers tag schema (distribution-spec "Referrers Tag Schema").
   */
  listReferrers(subject: Digest, artifactType?: string): Promise<Descriptor[]>;
  /** Whether listReferrers/pushManifest use the referrers API (true) or must maintain the fallback tag. */
  supportsReferrersApi(): Promise<boolean>;
}
