// Writes an OCI image layout whose layers are produced as streams: tar-stream pack -> sha256 of the tar (the
// diff ID) -> gzip -> sha256 of the blob -> a file renamed to its digest at the end. Nothing of a layer is held
// in memory beyond the pipeline's buffers, unlike test/helpers/oci-image.ts, which builds whole tars.
import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { sha256Digest, type Digest } from '../src/core/digest.js';
import { MediaType } from '../src/oci/media-types.js';

export type BenchEntry =
  | { type: 'directory'; path: string }
  | { type: 'file'; path: string; size: number; data: Iterable<Buffer>; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'link'; path: string; target: string };

export interface LayerPlan {
  createdBy: string;
  entries: Iterable<BenchEntry>;
}

export interface WrittenLayer {
  createdBy: string;
  digest: Digest;
  diffId: Digest;
  /** Bytes of the gzip blob. */
  size: number;
  /** Bytes of the tar stream (headers and padding included). */
  tarBytes: number;
  /** Bytes of file content. */
  contentBytes: number;
  entries: number;
  files: number;
  path: string;
}

const MTIME = new Date('2024-05-01T12:00:00Z');

function meter(hash: Hash, count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      hash.update(chunk);
      count(chunk.length);
      callback(null, chunk);
    },
  });
}

/** Writes one gzip layer into `layout`/blobs/sha256 and returns its digests and sizes. */
export async function writeLayer(layout: string, plan: LayerPlan, index: number, level: number): Promise<WrittenLayer> {
  const dir = join(layout, 'blobs', 'sha256');
  const tmp = join(dir, `.layer-${index}.tmp`);
  const diffHash = createHash('sha256');
  const blobHash = createHash('sha256');
  let tarBytes = 0;
  let size = 0;
  const pack = tar.pack();
  const written = pipeline(
    pack,
    meter(diffHash, (n) => (tarBytes += n)),
    createGzip({ level }),
    meter(blobHash, (n) => (size += n)),
    createWriteStream(tmp),
  );
  // An error downstream must not leave us waiting for an entry callback that never comes.
  const failed = written.then(
    () => new Promise<never>(() => undefined),
    (e: unknown) => Promise.reject(e),
  );
  failed.catch(() => undefined);
  let entries = 0;
  let files = 0;
  let contentBytes = 0;
  for (const e of plan.entries) {
    entries++;
    const { sink, done } = openEntry(pack, e);
    if (e.type === 'file') {
      files++;
      contentBytes += e.size;
      for (const chunk of e.data) {
        if (!sink.write(chunk)) await Promise.race([new Promise((r) => sink.once('drain', r)), failed]);
      }
      sink.end();
    }
    await Promise.race([done, failed]);
  }
  pack.finalize();
  await written;
  const digest: Digest = `sha256:${blobHash.digest('hex')}`;
  const path = join(dir, digest.slice('sha256:'.length));
  await rename(tmp, path);
  return { createdBy: plan.createdBy, digest, diffId: `sha256:${diffHash.digest('hex')}`, size, tarBytes, contentBytes, entries, files, path };
}

type Pack = ReturnType<typeof tar.pack>;
/** What is used of a tar-stream entry (a streamx Writable). */
interface EntrySink {
  write(chunk: Buffer): boolean;
  end(): unknown;
  once(event: 'drain', listener: (...args: unknown[]) => void): unknown;
}

function openEntry(pack: Pack, e: BenchEntry): { sink: EntrySink; done: Promise<void> } {
  let cb: (err?: Error | null) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    cb = (err) => (err ? reject(err) : resolve());
  });
  const header = { name: e.path, mtime: MTIME, uid: 0, gid: 0, uname: 'root', gname: 'root' };
  // The typings say node's Writable; tar-stream 3 returns a streamx one, of which this uses only what EntrySink names.
  const entry = (h: Parameters<Pack['entry']>[0]): { sink: EntrySink; done: Promise<void> } => ({ sink: pack.entry(h, cb) as unknown as EntrySink, done });
  switch (e.type) {
    case 'directory':
      return entry({ ...header, name: `${e.path}/`, type: 'directory', mode: 0o755 });
    case 'symlink':
      return entry({ ...header, type: 'symlink', mode: 0o777, linkname: e.target });
    case 'link':
      return entry({ ...header, type: 'link', mode: 0o755, linkname: e.target });
    case 'file':
      return entry({ ...header, type: 'file', mode: e.mode ?? 0o644, size: e.size });
  }
}

/** Writes config, manifest, index.json (the manifest tagged `tag`) and oci-layout around written layers. */
export async function writeLayout(layout: string, layers: WrittenLayer[], tag: string): Promise<Digest> {
  const blobs = join(layout, 'blobs', 'sha256');
  const put = async (bytes: Buffer): Promise<{ digest: Digest; size: number }> => {
    const digest = sha256Digest(bytes);
    await writeFile(join(blobs, digest.slice('sha256:'.length)), bytes);
    return { digest, size: bytes.length };
  };
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: MTIME.toISOString(),
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NODE_VERSION=20.11.1'], WorkingDir: '/app', Cmd: ['node', 'dist/server.js'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((l) => ({ created: MTIME.toISOString(), created_by: l.createdBy })),
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, ...(await put(config)) },
      layers: layers.map((l) => ({ mediaType: MediaType.ociLayerGzip, digest: l.digest, size: l.size })),
    }),
  );
  const m = await put(manifest);
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: [{ mediaType: MediaType.ociManifest, ...m, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  };
  await writeFile(join(layout, 'index.json'), JSON.stringify(index));
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  return m.digest;
}

export async function makeLayoutDir(layout: string): Promise<void> {
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
}
