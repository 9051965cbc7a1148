// Builds small, deterministic container images in memory (gzip tar layers, a config with history, an OCI or
// Docker manifest) and writes them as an OCI image layout or as a `docker save` archive of either shape.
// Shared by the tests of every area that needs an image.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { digestHex, sha256Digest, type Digest } from '../../src/core/digest.js';
import { MediaType } from '../../src/oci/media-types.js';
import { parseImageReference } from '../../src/oci/reference.js';
import type { Descriptor, Platform, RawManifest } from '../../src/oci/types.js';

export interface TarSpecEntry {
  name: string;
  data?: string | Buffer;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
}

/** A tar archive (tar-stream pack; mtime 0, root-owned) of `entries`, in order. */
export async function tarBytes(entries: TarSpecEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const done = collect(pack);
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
    const type = e.type ?? 'file';
    const header = { name: e.name, type, mode: type === 'directory' ? 0o755 : 0o644, mtime: new Date(0), uid: 0, gid: 0 };
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') pack.entry({ ...header, size: data?.length ?? 0 }, data ?? Buffer.alloc(0), cb);
      else pack.entry({ ...header, linkname: e.linkname }, cb);
    });
  }
  pack.finalize();
  return done;
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

export interface LayerSpec {
  files: Record<string, string | Buffer>;
  createdBy: string;
}

export interface ImageSpec {
  layers?: LayerSpec[];
  /** Build steps without a layer, inserted into history before the layer of the same position. */
  emptySteps?: { before: number; createdBy: string }[];
  format?: 'oci' | 'docker';
  platform?: Platform;
  annotations?: Record<string, string>;
  subject?: Descriptor;
  artifactType?: string;
}

export interface BuiltLayer {
  desc: Descriptor;
  compressed: Buffer;
  uncompressed: Buffer;
  diffId: Digest;
  createdBy: string;
}

export interface TestImage {
  config: { desc: Descriptor; bytes: Buffer };
  layers: BuiltLayer[];
  manifest: RawManifest;
  /** Every blob (config, layers, manifest) by digest. */
  blobs: Map<Digest, Buffer>;
}

export const DEFAULT_LAYERS: LayerSpec[] = [
  { files: { 'etc/os-release': 'ID=testos\n', 'bin/sh': '#!fake shell\n' }, createdBy: '/bin/sh -c #(nop) ADD file:base in /' },
  { files: { 'app/main.js': 'console.log("hi")\n' }, createdBy: 'COPY app /app # buildkit' },
];

function descriptor(mediaType: string, bytes: Buffer): Descriptor {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length };
}

export async function buildImage(spec: ImageSpec = {}): Promise<TestImage> {
  const docker = spec.format === 'docker';
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers: BuiltLayer[] = [];
  for (const layer of spec.layers ?? DEFAULT_LAYERS) {
    const uncompressed = await tarBytes(Object.entries(layer.files).map(([name, data]) => ({ name, data })));
    const compressed = gzipSync(uncompressed);
    const mediaType = docker ? MediaType.dockerLayerGzip : MediaType.ociLayerGzip;
    layers.push({ desc: descriptor(mediaType, compressed), compressed, uncompressed, diffId: sha256Digest(uncompressed), createdBy: layer.createdBy });
  }
  const history: Record<string, unknown>[] = [];
  layers.forEach((l, i) => {
    for (const step of spec.emptySteps ?? []) {
      if (step.before === i) history.push({ created: '2024-01-01T00:00:00Z', created_by: step.createdBy, empty_layer: true });
    }
    history.push({ created: '2024-01-01T00:00:00Z', created_by: l.createdBy });
  });
  const configDoc = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant === undefined ? {} : { variant: platform.variant }),
    created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history,
  };
  const configBytes = Buffer.from(JSON.stringify(configDoc));
  const config = { desc: descriptor(docker ? MediaType.dockerConfig : MediaType.ociConfig, configBytes), bytes: configBytes };
  const manifestDoc: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: docker ? MediaType.dockerManifest : MediaType.ociManifest,
    ...(spec.artifactType === undefined ? {} : { artifactType: spec.artifactType }),
    config: config.desc,
    layers: layers.map((l) => l.desc),
    ...(spec.subject === undefined ? {} : { subject: spec.subject }),
    ...(spec.annotations === undefined ? {} : { annotations: spec.annotations }),
  };
  const bytes = Buffer.from(JSON.stringify(manifestDoc));
  const manifest: RawManifest = { mediaType: manifestDoc['mediaType'] as string, digest: sha256Digest(bytes), bytes };
  const blobs = new Map<Digest, Buffer>([[config.desc.digest, configBytes]]);
  for (const l of layers) blobs.set(l.desc.digest, l.compressed);
  blobs.set(manifest.digest, bytes);
  return { config, layers, manifest, blobs };
}

/** An OCI index over images, each entry carrying the image's platform from its config. */
export function buildIndex(entries: { image: TestImage; platform?: Platform }[]): RawManifest {
  const doc = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: entries.map(({ image, platform }) => ({
      ...descriptor(image.manifest.mediaType, image.manifest.bytes),
      ...(platform === undefined ? {} : { platform }),
    })),
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  return { mediaType: MediaType.ociIndex, digest: sha256Digest(bytes), bytes };
}

export interface LayoutEntry {
  manifest: RawManifest;
  name?: string;
  annotations?: Record<string, string>;
}

/** Writes an OCI image layout holding `blobs`, with index.json listing `entries` in order. */
export async function writeOciLayout(dir: string, blobs: Map<Digest, Buffer>, entries: LayoutEntry[]): Promise<void> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const [digest, bytes] of blobs) await writeFile(join(dir, 'blobs', 'sha256', digestHex(digest)), bytes);
  for (const e of entries) await writeFile(join(dir, 'blobs', 'sha256', digestHex(e.manifest.digest)), e.manifest.bytes);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(join(dir, 'index.json'), JSON.stringify(indexDocument(entries)));
}

function indexDocument(entries: LayoutEntry[]): object {
  return {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: entries.map((e) => {
      const annotations = { ...e.annotations, ...(e.name === undefined ? {} : { 'org.opencontainers.image.ref.name': e.name }) };
      return { ...descriptor(e.manifest.mediaType, e.manifest.bytes), ...(Object.keys(annotations).length ? { annotations } : {}) };
    }),
  };
}

export interface ArchiveOptions {
  /** classic: manifest.json + <diffid>.tar layers (skopeo, Docker < 25); oci-layout: Docker >= 25. */
  shape: 'classic' | 'oci-layout';
  repoTags?: string[];
  /** classic only: also write Docker's legacy <id>/layer.tar symlinks and point manifest.json at them. */
  legacyLayerDirs?: boolean;
  /** Entries appended after the archive's own (e.g. hostile names). */
  extraEntries?: TarSpecEntry[];
}

/** The entries of a `docker save` archive of `image`; write them with tarBytes. */
export function dockerArchiveEntries(image: TestImage, opts: ArchiveOptions): TarSpecEntry[] {
  const repoTags = opts.repoTags ?? ['example.com/app:v1'];
  const configHex = digestHex(image.config.desc.digest);
  if (opts.shape === 'classic') {
    const entries: TarSpecEntry[] = image.layers.map((l) => ({ name: `${digestHex(l.diffId)}.tar`, data: l.uncompressed }));
    entries.push({ name: `${configHex}.json`, data: image.config.bytes });
    const layerPaths = image.layers.map((l, i) => (opts.legacyLayerDirs ? `legacy${i}/layer.tar` : `${digestHex(l.diffId)}.tar`));
    if (opts.legacyLayerDirs) {
      image.layers.forEach((l, i) => entries.push({ name: `legacy${i}/layer.tar`, type: 'symlink', linkname: `../${digestHex(l.diffId)}.tar` }));
    }
    entries.push({ name: 'manifest.json', data: JSON.stringify([{ Config: `${configHex}.json`, RepoTags: repoTags, Layers: layerPaths }]) });
    return [...entries, ...(opts.extraEntries ?? [])];
  }
  const blobs = [...image.blobs].map(([d, bytes]) => ({ name: `blobs/sha256/${digestHex(d)}`, data: bytes }));
  const layoutEntries = repoTags.map((t) => {
    const ref = parseImageReference(t);
    return { manifest: image.manifest, name: ref.tag, annotations: { 'io.containerd.image.name': ref.toString() } };
  });
  const index = indexDocument(layoutEntries);
  const manifestJson = [{ Config: `blobs/sha256/${configHex}`, RepoTags: repoTags, Layers: image.layers.map((l) => `blobs/sha256/${digestHex(l.desc.digest)}`) }];
  return [
    { name: 'blobs', type: 'directory' },
    { name: 'blobs/sha256', type: 'directory' },
    ...blobs,
    { name: 'index.json', data: JSON.stringify(index) },
    { name: 'manifest.json', data: JSON.stringify(manifestJson) },
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    ...(opts.extraEntries ?? []),
  ];
}

export async function writeDockerArchive(file: string, image: TestImage, opts: ArchiveOptions): Promise<Buffer> {
  const bytes = await tarBytes(dockerArchiveEntries(image, opts));
  await writeFile(file, bytes);
  return bytes;
}
