// Walks one layer blob as a stream, never extracting anything: every tar entry is reported with its normalised
// path, type, mode, size and a SHA-256 (file content is hashed as it streams past). Memory does not grow with the
// layer's size, only with its entry count (bounded) and the files a caller asks to capture (bounded). The walk is
// only as trustworthy as the blob: give it a stream that fails on a digest mismatch (ImageSource.openBlob does),
// and trust nothing it yielded unless the walk ran to completion.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { sha256Hex, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { malformed } from '../oci/tar-header.js';
import type { ContentScanner } from './content-scanner.js';
import { EntryTree } from './entry-tree.js';
import { EMPTY_SHA256, deviceDescriptor, type DeviceInfo, type LayerEntry } from './layer-entry.js';
import { layerLimits, overLimit, type LayerLimits } from './layer-limits.js';
import { compressionOfLayer, LayerStream } from './layer-stream.js';
import { normalizeLayerPath, utf8Length } from './paths.js';
import { ByteSource, readTar, type TarRecord } from './tar-reader.js';
import { classifyWhiteout } from './whiteouts.js';

export interface WalkOptions<S = never> {
  /** The layer descriptor's media type: says whether the blob is gzip, plain tar or (refused) zstd. */
  mediaType: string;
  limits?: Partial<LayerLimits>;
  /** Regular files for which this returns true are buffered whole into `entry.content` (within the capture limits). */
  capture?: (path: string, size: number) => boolean;
  /** Regular files for which this returns a scanner have their content streamed through it; what its `finish`
   *  returns becomes `entry.scan`. Nothing is buffered for it here: its memory is the scanner's own. */
  scan?: (path: string, size: number) => ContentScanner<S> | undefined;
}

/** An entry of the walk, with the result of the `scan` option's scanner for files that had one. */
export type WalkedEntry<S = never> = LayerEntry & { scan?: S };

export interface LayerSummary {
  /** sha256 of the uncompressed tar: what the image config lists in rootfs.diff_ids. */
  diffId: Digest;
  /** Entries reported (the root directory is not one). */
  entries: number;
  compressedBytes: number;
  uncompressedBytes: number;
}

/**
 * The entries of the layer `blob`, in archive order; the generator's return value is the summary. The walk owns
 * `blob` and destroys it when it ends, fails or is abandoned. Throws at once (UNSUPPORTED) for zstd or a media type
 * that is not a layer. While walking: ARCHIVE_MALFORMED, ARCHIVE_TRUNCATED, ARCHIVE_PATH_UNSAFE, UNSUPPORTED
 * (sparse files, unknown entry types, AUFS metadata), LAYER_* limits, INPUT_TOO_LARGE (capture and header
 * limits), and whatever ProvenantError the blob stream fails with (DIGEST_MISMATCH, ...).
 */
export function walkLayer<S = never>(blob: Readable, options: WalkOptions<S>): AsyncGenerator<WalkedEntry<S>, LayerSummary, undefined> {
  let stream: LayerStream;
  let limits: LayerLimits;
  try {
    limits = layerLimits(options.limits);
    stream = new LayerStream(blob, compressionOfLayer(options.mediaType), limits);
  } catch (e) {
    blob.destroy();
    throw e;
  }
  return walk(stream, new EntryReader(limits, options.capture, options.scan));
}

/** Walks the whole layer and returns its entries with the summary. */
export async function readLayer<S = never>(blob: Readable, options: WalkOptions<S>): Promise<{ entries: WalkedEntry<S>[]; summary: LayerSummary }> {
  const walker = walkLayer(blob, options);
  const entries: WalkedEntry<S>[] = [];
  for (;;) {
    const next = await walker.next();
    if (next.done === true) return { entries, summary: next.value };
    entries.push(next.value);
  }
}

async function* walk<S>(stream: LayerStream, reader: EntryReader<S>): AsyncGenerator<WalkedEntry<S>, LayerSummary, undefined> {
  try {
    const limits = reader.limits;
    const source = new ByteSource(stream.chunks());
    // Each entry may bring a pax header and two GNU long-name headers; more than that is a flood of metadata.
    for await (const record of readTar(source, { maxHeaderDataBytes: limits.maxHeaderDataBytes, maxHeaders: limits.maxEntries * 4 + 16 })) {
      const entry = await reader.read(record);
      if (entry !== undefined) yield entry;
    }
    return {
      diffId: stream.diffId(),
      entries: reader.count,
      compressedBytes: stream.compressedBytes,
      uncompressedBytes: stream.uncompressedBytes,
    };
  } finally {
    stream.destroy();
  }
}

class EntryReader<S> {
  count = 0;
  private pathBytes = 0;
  private captured = 0;
  private readonly tree: EntryTree;

  constructor(
    readonly limits: LayerLimits,
    private readonly capture: WalkOptions<S>['capture'],
    private readonly scan: WalkOptions<S>['scan'],
  ) {
    this.tree = new EntryTree(limits.maxEntries * 2);
  }

  async read(record: TarRecord): Promise<WalkedEntry<S> | undefined> {
    const { header } = record;
    const path = normalizeLayerPath(header.name, this.limits);
    if (path === '') {
      if (header.flag !== '5') malformed('an entry that is not a directory names the layer root');
      return undefined;
    }
    this.account(path, header.size);
    const whiteout = classifyWhiteout(path) !== undefined;
    switch (header.flag) {
      case '0':
      case '7':
        if (header.name.endsWith('/')) malformed(`regular file ${JSON.stringify(path)} is named like a directory`, { path });
        this.tree.add(path, whiteout ? 'whiteout' : 'file');
        return this.file(path, header.mode, header.size, record.data);
      case '1': {
        const target = normalizeLayerPath(header.linkName, this.limits);
        const kind = target === '' ? 'dir' : this.tree.kindOf(target);
        if (kind === undefined || kind === 'implicit' || kind === 'dir' || kind === 'whiteout') {
          malformed(`hard link ${JSON.stringify(path)} does not name an earlier file of the layer`, { path, target });
        }
        this.tree.add(path, whiteout ? 'whiteout' : 'hardlink');
        return { path, type: 'hardlink', mode: header.mode, size: 0, sha256: sha256Hex(target), linkTarget: target };
      }
      case '2': {
        const target = header.linkName;
        const bytes = utf8Length(target);
        if (bytes === 0) malformed(`symlink ${JSON.stringify(path)} has an empty target`, { path });
        if (bytes > this.limits.maxLinkBytes) {
          overLimit('LAYER_PATH_TOO_LONG', `symlink target is ${bytes} bytes, over the limit`, 'maxLinkBytes', this.limits.maxLinkBytes, { path, bytes });
        }
        this.tree.add(path, whiteout ? 'whiteout' : 'symlink');
        return { path, type: 'symlink', mode: header.mode, size: 0, sha256: sha256Hex(target), linkTarget: target };
      }
      case '3':
      case '4':
      case '6': {
        const device: DeviceInfo =
          header.flag === '6'
            ? { kind: 'fifo', major: 0, minor: 0 }
            : { kind: header.flag === '3' ? 'char' : 'block', major: header.devMajor, minor: header.devMinor };
        // overlayfs stores a whiteout as a 0/0 character device: such an entry would delete, not create.
        if (device.kind === 'char' && device.major === 0 && device.minor === 0) {
          malformed(`${JSON.stringify(path)} is a 0/0 character device, which overlayfs reads as a whiteout`, { path });
        }
        this.tree.add(path, whiteout ? 'whiteout' : 'other');
        return { path, type: 'other', mode: header.mode, size: 0, sha256: sha256Hex(deviceDescriptor(device)), device };
      }
      case '5':
        this.tree.add(path, whiteout ? 'whiteout' : 'dir');
        return { path, type: 'dir', mode: header.mode, size: 0, sha256: EMPTY_SHA256 };
    }
    throw new ProvenantError('UNSUPPORTED', `layer entry ${JSON.stringify(path)} has tar type ${JSON.stringify(header.flag)}`, {
      details: { path, typeflag: header.flag },
    });
  }

  private account(path: string, size: number): void {
    const { maxEntries, maxTotalPathBytes, maxUncompressedBytes } = this.limits;
    if (++this.count > maxEntries) overLimit('LAYER_TOO_MANY_ENTRIES', `the layer has more than ${maxEntries} entries`, 'maxEntries', maxEntries);
    this.pathBytes += utf8Length(path);
    if (this.pathBytes > maxTotalPathBytes) {
      overLimit('LAYER_TOO_MANY_ENTRIES', `the layer's paths exceed ${maxTotalPathBytes} bytes in all`, 'maxTotalPathBytes', maxTotalPathBytes);
    }
    if (size > maxUncompressedBytes) {
      overLimit('LAYER_TOO_LARGE', `layer entry ${JSON.stringify(path)} declares ${size} bytes`, 'maxUncompressedBytes', maxUncompressedBytes, { path, size });
    }
  }

  private async file(path: string, mode: number, size: number, data: AsyncIterable<Buffer>): Promise<WalkedEntry<S>> {
    const keep = this.capture !== undefined && this.capture(path, size);
    if (keep) {
      const { maxCaptureBytes, maxCaptureTotalBytes } = this.limits;
      if (size > maxCaptureBytes) captureTooLarge(path, size, 'maxCaptureBytes', maxCaptureBytes);
      if (this.captured + size > maxCaptureTotalBytes) captureTooLarge(path, size, 'maxCaptureTotalBytes', maxCaptureTotalBytes);
      this.captured += size;
    }
    const scanner = this.scan?.(path, size);
    let feeding = scanner !== undefined;
    const hash = createHash('sha256');
    const parts: Buffer[] = [];
    for await (const part of data) {
      hash.update(part);
      if (keep) parts.push(part);
      if (feeding) feeding = scanner!.update(part);
    }
    const entry: WalkedEntry<S> = { path, type: 'file', mode, size, sha256: hash.digest('hex') };
    if (keep) entry.content = Buffer.concat(parts, size);
    const result = scanner?.finish();
    if (result !== undefined) entry.scan = result;
    return entry;
  }
}

function captureTooLarge(path: string, size: number, limit: 'maxCaptureBytes' | 'maxCaptureTotalBytes', max: number): never {
  throw new ProvenantError('INPUT_TOO_LARGE', `captured file ${JSON.stringify(path)} (${size} bytes) is over the ${limit} limit of ${max}`, {
    details: { path, size, limit, max },
  });
}
