// `docker save` tarballs as an image source, addressed like skopeo's `docker-archive:FILE[:REF]` (REF is a
// RepoTag such as "app:1" or "@N", the N-th image). The archive is indexed once (headers only) and blobs are
// then read as byte ranges of the file; nothing is extracted.
//
// Two shapes exist:
// - OCI-shaped (Docker 25 and later): an OCI image layout (oci-layout, index.json, blobs/sha256/...) beside
//   manifest.json. resolve() returns the manifest bytes index.json names, unchanged, so its digest is the one
//   the image has in a registry whenever the layout kept the original manifest (containerd image store).
// - Classic (Docker before 25, and what skopeo 1.9 writes): manifest.json items {Config, RepoTags, Layers}
//   with layers stored as tar files. There is no manifest in the archive, so one is synthesised: a Docker v2
//   schema 2 manifest whose config descriptor covers the config bytes as stored and whose layer descriptors
//   cover the layer tars as stored (application/vnd.docker.image.rootfs.diff.tar, digest = the diffID,
//   size = the tar's length; a gzip-compressed layer file is described as ...diff.tar.gzip with the digest of
//   its compressed bytes).
//
// What that manifest is and is not, checked with skopeo 1.9.3 on Debian:
// - `skopeo inspect --raw docker-archive:FILE` synthesises the same document with the same property order and
//   the same digests and sizes, except that it labels the uncompressed layers "...diff.tar.gzip" (a mislabel
//   in containers/image's docker/internal/tarfile source). Our manifest therefore differs from skopeo's by
//   that media type only, and so does its digest.
// - `skopeo copy docker-archive:FILE docker://...` never pushes that manifest: a registry destination always
//   compresses (skopeo has no option to disable it for docker://), so the pushed manifest lists tar.gzip
//   layers whose digests depend on the compressor. The config digest and the diffIDs are what an archive and
//   its registry copy share; the manifest digest of a classic archive is not the registry's.
// - Layer content is verified lazily: openBlob fails with DIGEST_MISMATCH when a layer tar does not hash to
//   its diffID, so the synthesised manifest binds the config and the layers exactly as a real one would.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { assertDigest, digestHex, parseDigest, sha256Digest, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import {
  CONTAINERD_IMAGE_NAME,
  parseArchiveManifest,
  parseArchiveSelector,
  selectArchiveItem,
  selectIndexEntry,
  synthesizeDockerManifest,
  type ArchiveItem,
  type ArchiveSelector,
} from './docker-archive-manifest.js';
import { MAX_CONFIG_BYTES, parseImageConfig } from './image-config.js';
import { checkOciLayoutFile, parseLayoutIndex } from './layout-index.js';
import { fsError } from './local-files.js';
import { MAX_MANIFEST_BYTES, toRawManifest, type ImageIndex } from './manifest.js';
import { MediaType } from './media-types.js';
import { compressionOf } from './tar-header.js';
import { TarIndex, type TarEntry } from './tar-index.js';
import type { Descriptor, ImageSource, RawManifest } from './types.js';
import { readVerified, verifiedStream } from './verified-stream.js';

interface ClassicImage {
  shape: 'classic';
  item: ArchiveItem;
  manifest: RawManifest;
  config: { digest: Digest; bytes: Buffer };
  layers: Map<Digest, TarEntry>;
}

interface OciShapedImage {
  shape: 'oci-layout';
  index: ImageIndex;
  selected: Descriptor;
}

function archiveError(reason: string, details: Record<string, unknown> = {}): ProvenantError {
  return new ProvenantError('ARCHIVE_MALFORMED', `docker archive ${reason}`, { details });
}

export class DockerArchive implements ImageSource {
  readonly transport = 'docker-archive' as const;

  private constructor(
    readonly file: string,
    private readonly refText: string | undefined,
    private readonly tar: TarIndex,
    private readonly image: ClassicImage | OciShapedImage,
  ) {}

  /**
   * Opens an archive and selects an image (`ref`: a RepoTag, "@N", or nothing for the only image). Errors:
   * FILE_NOT_FOUND, ARCHIVE_MALFORMED, ARCHIVE_TRUNCATED, ARCHIVE_PATH_UNSAFE, LAYOUT_MALFORMED, CONFIG_MALFORMED,
   * MANIFEST_NOT_FOUND, IMAGE_AMBIGUOUS, REFERENCE_INVALID, INPUT_TOO_LARGE, UNSUPPORTED (compressed).
   */
  static async open(file: string, ref?: string): Promise<DockerArchive> {
    const selector = parseArchiveSelector(ref);
    const tar = await TarIndex.open(file);
    try {
      const isOciShaped = tar.resolveFile('oci-layout') !== undefined && tar.resolveFile('index.json') !== undefined;
      const image = isOciShaped ? await loadOciShaped(tar, selector) : await loadClassic(tar, selector);
      return new DockerArchive(file, ref === '' ? undefined : ref, tar, image);
    } catch (e) {
      await tar.close();
      throw e;
    }
  }

  /** Opens `docker-archive:FILE[:REF]` (prefix optional); the first ":" separates FILE from REF, as in skopeo. */
  static async fromSpec(spec: string): Promise<DockerArchive> {
    const body = spec.startsWith('docker-archive:') ? spec.slice('docker-archive:'.length) : spec;
    const colon = body.indexOf(':');
    const file = colon === -1 ? body : body.slice(0, colon);
    if (file === '') throw new ProvenantError('REFERENCE_INVALID', `${JSON.stringify(spec)} names no file`, { details: { spec } });
    return DockerArchive.open(file, colon === -1 ? undefined : body.slice(colon + 1));
  }

  get shape(): 'classic' | 'oci-layout' {
    return this.image.shape;
  }

  describe(): string {
    return `docker-archive:${this.file}${this.refText === undefined ? '' : `:${this.refText}`}`;
  }

  /** The tags the selected image was saved under. */
  repoTags(): string[] {
    if (this.image.shape === 'classic') return [...this.image.item.repoTags];
    const name = this.image.selected.annotations?.[CONTAINERD_IMAGE_NAME];
    return name === undefined ? [] : [name];
  }

  async resolve(): Promise<RawManifest> {
    if (this.image.shape === 'classic') return this.image.manifest;
    return this.fetchManifest(this.image.selected.digest);
  }

  async fetchManifest(digest: Digest): Promise<RawManifest> {
    const checked = parseDigest(digest);
    if (this.image.shape === 'classic') {
      if (checked === this.image.manifest.digest) return this.image.manifest;
      throw new ProvenantError('MANIFEST_NOT_FOUND', `the archive has no manifest ${checked}`, { details: { digest: checked } });
    }
    const entry = this.tar.resolveFile(`blobs/sha256/${digestHex(checked)}`);
    if (entry === undefined) {
      throw new ProvenantError('MANIFEST_NOT_FOUND', `the archive has no manifest ${checked}`, { details: { digest: checked } });
    }
    const bytes = await this.tar.read(entry, MAX_MANIFEST_BYTES);
    assertDigest(bytes, checked, `manifest ${checked}`);
    const listed = this.image.index.manifests.find((d) => d.digest === checked);
    return toRawManifest(bytes, listed?.mediaType).raw;
  }

  async openBlob(desc: Descriptor): Promise<Readable> {
    const verifier = verifiedStream(desc);
    const source = this.openUnverified(desc);
    source.on('error', (e) => verifier.destroy(fsError(e, this.file, 'BLOB_NOT_FOUND', `blob ${desc.digest}`)));
    verifier.on('close', () => source.destroy());
    return source.pipe(verifier);
  }

  async readBlob(desc: Descriptor, maxBytes = MAX_CONFIG_BYTES): Promise<Buffer> {
    return readVerified(this.openUnverified(desc), desc, maxBytes).catch((e: unknown) => {
      throw fsError(e, this.file, 'BLOB_NOT_FOUND', `blob ${desc.digest}`);
    });
  }

  async close(): Promise<void> {
    await this.tar.close();
  }

  private openUnverified(desc: Descriptor): Readable {
    const digest = parseDigest(desc.digest);
    let entry: TarEntry | undefined;
    if (this.image.shape === 'classic') {
      if (digest === this.image.config.digest) return Readable.from([this.image.config.bytes]);
      entry = this.image.layers.get(digest);
    } else {
      entry = this.tar.resolveFile(`blobs/sha256/${digestHex(digest)}`);
    }
    if (entry === undefined) throw new ProvenantError('BLOB_NOT_FOUND', `the archive has no blob ${digest}`, { details: { digest } });
    return this.tar.stream(entry);
  }
}

function requireFile(tar: TarIndex, path: string, what: string): TarEntry {
  const entry = tar.resolveFile(path);
  if (entry === undefined) throw archiveError(`lacks ${what} ${JSON.stringify(path)}`, { path });
  return entry;
}

async function loadOciShaped(tar: TarIndex, selector: ArchiveSelector): Promise<OciShapedImage> {
  checkOciLayoutFile(await tar.read(requireFile(tar, 'oci-layout', 'file'), 64 * 1024));
  const { index } = parseLayoutIndex(await tar.read(requireFile(tar, 'index.json', 'file'), MAX_MANIFEST_BYTES));
  return { shape: 'oci-layout', index, selected: selectIndexEntry(index.manifests, selector) };
}

async function loadClassic(tar: TarIndex, selector: ArchiveSelector): Promise<ClassicImage> {
  const manifestEntry = tar.resolveFile('manifest.json');
  if (manifestEntry === undefined) throw archiveError('has neither manifest.json nor an OCI layout');
  const item = selectArchiveItem(parseArchiveManifest(await tar.read(manifestEntry, MAX_MANIFEST_BYTES)), selector);
  const configBytes = await tar.read(requireFile(tar, item.config, 'config'), MAX_CONFIG_BYTES);
  const config = parseImageConfig(configBytes);
  if (item.layers.length !== config.diffIds.length) {
    throw archiveError(`lists ${item.layers.length} layers for an image config with ${config.diffIds.length}`);
  }
  const layers = new Map<Digest, TarEntry>();
  const descriptors: Descriptor[] = [];
  for (const [i, path] of item.layers.entries()) {
    const entry = requireFile(tar, path, 'layer');
    const desc = await describeLayer(tar, entry, config.diffIds[i]!);
    if (!layers.has(desc.digest)) layers.set(desc.digest, entry);
    descriptors.push(desc);
  }
  const configDigest = sha256Digest(configBytes);
  const bytes = synthesizeDockerManifest({ digest: configDigest, size: configBytes.length }, descriptors);
  return {
    shape: 'classic',
    item,
    manifest: { mediaType: MediaType.dockerManifest, digest: sha256Digest(bytes), bytes },
    config: { digest: configDigest, bytes: configBytes },
    layers,
  };
}

async function describeLayer(tar: TarIndex, entry: TarEntry, diffId: Digest): Promise<Descriptor> {
  const compression = compressionOf(await tar.read({ ...entry, size: Math.min(entry.size, 6) }, 6));
  if (compression === 'gzip') {
    const hash = createHash('sha256');
    for await (const chunk of tar.stream(entry)) hash.update(chunk as Buffer);
    return { mediaType: MediaType.dockerLayerGzip, digest: `sha256:${hash.digest('hex')}`, size: entry.size };
  }
  if (compression !== undefined) {
    throw new ProvenantError('UNSUPPORTED', `layer ${entry.name} is ${compression}-compressed, which docker archives do not use`, {
      details: { name: entry.name, compression },
    });
  }
  return { mediaType: MediaType.dockerLayer, digest: diffId, size: entry.size };
}
