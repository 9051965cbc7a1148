// Layer tars for the analyze tests: well-formed ones through tar-stream's pack, hostile shapes block by block.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { readLayer, walkLayer, type WalkOptions } from '../../src/analyze/layer-walk.js';
import type { LayerEntry } from '../../src/analyze/layer-entry.js';
import type { LayerLimits } from '../../src/analyze/layer-limits.js';

export const PLAIN = 'application/vnd.oci.image.layer.v1.tar';
export const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

export interface PackEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  data?: string | Buffer;
  mode?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  uid?: number;
  mtime?: Date;
  pax?: Record<string, string>;
}

/** A tar archive of `entries`, in order, written by tar-stream. */
export async function packTar(entries: PackEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(Buffer.from(chunk as Buffer));
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
      mtime: e.mtime ?? new Date(0),
      uid: e.uid ?? 0,
      gid: 0,
      linkname: e.linkname,
      devmajor: e.devmajor,
      devminor: e.devminor,
      pax: e.pax,
    };
    await new Promise<void>((resolve, reject) => {
      const callback = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === 'file') {
        const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
        pack.entry({ ...header, size: data.length }, data, callback);
      } else pack.entry(header, callback);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface RawHeader {
  size?: number;
  flag?: string;
  link?: string;
  mode?: number;
  format?: 'ustar' | 'gnu' | 'v7';
  prefix?: string;
  trailer?: string;
  badSum?: boolean;
}

/** One 512-byte header block, for shapes tar-stream will not write. `name` may be raw bytes. */
export function rawHeader(name: string | Buffer, opts: RawHeader = {}): Buffer {
  const b = Buffer.alloc(512);
  (typeof name === 'string' ? Buffer.from(name) : name).copy(b, 0, 0, 100);
  b.write(`${(opts.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  b.write(`${(opts.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b.write(opts.flag ?? '0', 156, 'latin1');
  if (opts.link !== undefined) b.write(opts.link, 157, 100);
  const format = opts.format ?? 'ustar';
  if (format === 'ustar') b.write('ustar\x0000', 257, 'latin1');
  if (format === 'gnu') b.write('ustar  \0', 257, 'latin1');
  if (opts.prefix !== undefined) b.write(opts.prefix, 345, 155);
  if (opts.trailer !== undefined) b.write(opts.trailer, 508, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${(opts.badSum === true ? sum + 1 : sum).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

/** `data` padded to a whole number of blocks. */
export const pad = (data: Buffer): Buffer => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
export const END = Buffer.alloc(1024);

/** pax records "<len> <key>=<value>\n" with the lengths right. */
export function paxData(records: Record<string, string>): Buffer {
  const parts = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) length++;
    return Buffer.from(`${length}${body}`);
  });
  return Buffer.concat(parts);
}

/** A header of `flag` carrying `data`, padded. */
export function metaEntry(flag: string, data: Buffer): Buffer {
  return Buffer.concat([rawHeader('meta', { flag, size: data.length }), pad(data)]);
}

/** `bytes` as a stream of `chunk`-byte pieces (the walk must not care where chunks end). */
export function streamOf(bytes: Buffer, chunk = 64 * 1024): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) pieces.push(bytes.subarray(i, i + chunk));
  return Readable.from(pieces);
}

export interface WalkBytesOptions {
  gzip?: boolean;
  mediaType?: string;
  chunk?: number;
  limits?: Partial<LayerLimits>;
  capture?: WalkOptions['capture'];
}

/** Walks `tarBytes` (gzipped first when asked) to the end. */
export function walkBytes(tarBytes: Buffer, opts: WalkBytesOptions = {}): ReturnType<typeof readLayer> {
  const blob = opts.gzip === true ? gzipSync(tarBytes) : tarBytes;
  const mediaType = opts.mediaType ?? (opts.gzip === true ? GZIP : PLAIN);
  return readLayer(streamOf(blob, opts.chunk), { mediaType, limits: opts.limits, capture: opts.capture });
}

/** The entries of a walk, or the error code it failed with. */
export async function outcome(tarBytes: Buffer, opts: WalkBytesOptions = {}): Promise<LayerEntry[] | string> {
  try {
    return (await walkBytes(tarBytes, opts)).entries;
  } catch (e) {
    return e instanceof ProvenantError ? e.code : `not a ProvenantError: ${String(e)}`;
  }
}

export async function codeOf(tarBytes: Buffer, opts: WalkBytesOptions = {}): Promise<string> {
  const result = await outcome(tarBytes, opts);
  return typeof result === 'string' ? result : 'ok';
}

/** For assert.throws / assert.rejects: a ProvenantError with this code. */
export const isCode =
  (code: ErrorCode) =>
  (e: unknown): boolean =>
    e instanceof ProvenantError && e.code === code;

export { walkLayer };
