// A streaming tar reader that sees entries exactly as Go's archive/tar does, because containerd and Docker apply
// layers with it: an entry read differently here than there is a file the analysis never saw. So pax `path`,
// `linkpath` and `size` override the header and GNU long names override pax; header-only types ('1'..'6') carry
// no data whatever their size field says; a '\0' type whose name ends in "/" is a directory; the name prefix
// counts in USTAR and star headers only; a pax global header is skipped with any pending extended headers; the
// archive ends at a zero block. Where Go accepts something that hides content or that Go itself rewrites, this
// refuses: data after the end marker (never applied, yet covered by the diff ID), GNU sparse records (Go
// renames and resizes such files), an extended header with no entry, and a missing end marker.
// tar-stream's extractor was not used: it parses past zero blocks, gives header-only types data and merges
// global pax headers into entries; each of those lets an entry hide from one reader or the other.
import { ProvenantError } from '../core/errors.js';
import { BLOCK, checksumOk, compressionOf, cString, malformed, numeric, parsePax, text, truncated } from '../oci/tar-header.js';
import { overLimit } from './layer-limits.js';

export interface TarHeader {
  /** Type flag; '\0' is already mapped to '0' or '5' as Go maps it. */
  flag: string;
  /** The name as recorded, after pax and GNU overrides; not normalised. */
  name: string;
  linkName: string;
  mode: number;
  /** Bytes of data after the header: 0 for header-only types. */
  size: number;
  devMajor: number;
  devMinor: number;
}

export interface TarRecord {
  header: TarHeader;
  /** The entry's `header.size` bytes of data, in pieces. Whatever is left unread is skipped. */
  data: AsyncIterable<Buffer>;
}

export interface TarReadLimits {
  /** Data of one pax or GNU long-name record (INPUT_TOO_LARGE). */
  maxHeaderDataBytes: number;
  /** Headers of any kind (LAYER_TOO_MANY_ENTRIES); bounds runs of extended headers. */
  maxHeaders: number;
}

const EMPTY = Buffer.alloc(0);
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);
const isZero = (bytes: Uint8Array): boolean => bytes.every((b) => b === 0);
const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/** Pull-based reads over an async iterator of chunks; hands out views of the chunks, not copies. */
export class ByteSource {
  private chunk: Buffer = EMPTY;
  private ended = false;
  /** Bytes handed out so far. */
  position = 0;

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  /** Up to `max` bytes, at least one, or undefined at the end of the input. */
  async piece(max: number): Promise<Buffer | undefined> {
    while (this.chunk.length === 0) {
      if (this.ended) return undefined;
      const next = await this.chunks.next();
      if (next.done === true) this.ended = true;
      else this.chunk = next.value;
    }
    const out = this.chunk.subarray(0, max);
    this.chunk = this.chunk.subarray(out.length);
    this.position += out.length;
    return out;
  }

  /** Exactly `n` bytes, or fewer at the end of the input. */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const part = await this.piece(n - got);
      if (part === undefined) break;
      parts.push(part);
      got += part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, got);
  }

  /** Discards `n` bytes; ARCHIVE_TRUNCATED if the input ends first. */
  async skip(n: number): Promise<void> {
    for (let left = n; left > 0; ) {
      const part = await this.piece(left);
      if (part === undefined) truncated(this.position);
      left -= part.length;
    }
  }

  /** Reads to the end; false as soon as a non-zero byte appears. */
  async restIsZero(): Promise<boolean> {
    for (;;) {
      const part = await this.piece(Number.MAX_SAFE_INTEGER);
      if (part === undefined) return true;
      if (!isZero(part)) return false;
    }
  }
}

interface Pending {
  pax: Map<string, string> | undefined;
  longName: string | undefined;
  longLink: string | undefined;
}

const nothingPending = (): Pending => ({ pax: undefined, longName: undefined, longLink: undefined });

/** The entries of the tar archive `src` reads, as Go's archive/tar would return them. */
export async function* readTar(src: ByteSource, limits: TarReadLimits): AsyncGenerator<TarRecord, void, undefined> {
  let pending = nothingPending();
  let headers = 0;
  for (;;) {
    const offset = src.position;
    const block = await src.read(BLOCK);
    if (block.length < BLOCK) shortBlock(block, offset);
    if (isZero(block)) {
      if (pending.pax !== undefined || pending.longName !== undefined || pending.longLink !== undefined) {
        malformed('an extended header is not followed by an entry', { offset });
      }
      await endOfArchive(src, offset);
      return;
    }
    if (offset === 0) notCompressed(block);
    if (!checksumOk(block)) malformed(offset === 0 ? 'not a tar archive' : 'header checksum mismatch', { offset });
    if (++headers > limits.maxHeaders) {
      overLimit('LAYER_TOO_MANY_ENTRIES', `the layer has more than ${limits.maxHeaders} tar headers`, 'maxEntries', limits.maxHeaders);
    }
    const flag = String.fromCharCode(block[156]!);
    const headerSize = numeric(block.subarray(124, 136), 'size');
    switch (flag) {
      case 'x':
        pending.pax = paxRecords(await metaData(src, headerSize, limits, 'pax header'));
        continue;
      case 'g':
        paxRecords(await metaData(src, headerSize, limits, 'pax global header'));
        pending = nothingPending();
        continue;
      case 'L':
      case 'K': {
        const value = text(cString(await metaData(src, headerSize, limits, 'GNU long name'), 0, headerSize), 'GNU long name');
        if (flag === 'L') pending.longName = value;
        else pending.longLink = value;
        continue;
      }
    }
    const header = entryHeader(block, flag, headerSize, pending);
    pending = nothingPending();
    let remaining = header.size;
    const data: AsyncIterable<Buffer> = {
      async *[Symbol.asyncIterator]() {
        while (remaining > 0) {
          const part = await src.piece(remaining);
          if (part === undefined) truncated(src.position);
          remaining -= part.length;
          yield part;
        }
      },
    };
    yield { header, data };
    await src.skip(remaining + padding(header.size));
  }
}

function shortBlock(block: Buffer, offset: number): never {
  // At the very start, a short input that does not even look like a tar header is garbage, not a cut archive.
  if (offset === 0 && block.length > 0) {
    notCompressed(block);
    if (block.length < 263 || Buffer.from(block.subarray(257, 262)).toString('latin1') !== 'ustar') malformed('too short to be a tar archive');
  }
  return truncated(offset + block.length);
}

function notCompressed(block: Buffer): void {
  const compression = compressionOf(block);
  if (compression !== undefined) malformed(`the content is ${compression}-compressed, not a tar archive`, { compression });
}

/** One zero block ends the archive (Go accepts end of input after it); anything but zeros may follow. */
async function endOfArchive(src: ByteSource, offset: number): Promise<void> {
  const second = await src.read(BLOCK);
  if (second.length === 0) return;
  if (second.length < BLOCK) truncated(src.position);
  if (!isZero(second)) malformed('a zero block is followed by a header', { offset });
  if (!(await src.restIsZero())) malformed('data follows the end-of-archive marker', { offset });
}

async function metaData(src: ByteSource, size: number, limits: TarReadLimits, what: string): Promise<Buffer> {
  if (size > limits.maxHeaderDataBytes) {
    throw new ProvenantError('INPUT_TOO_LARGE', `a ${what} is ${size} bytes, over the limit of ${limits.maxHeaderDataBytes}`, {
      details: { limit: 'maxHeaderDataBytes', max: limits.maxHeaderDataBytes, size },
    });
  }
  const data = await src.read(size);
  if (data.length < size) truncated(src.position);
  await src.skip(padding(size));
  return data;
}

function paxRecords(data: Buffer): Map<string, string> {
  const records = parsePax(data);
  for (const [key, value] of records) {
    if (key.startsWith('GNU.sparse.')) {
      throw new ProvenantError('UNSUPPORTED', 'GNU sparse files are not supported in layers', { details: { record: key } });
    }
    if ((key === 'path' || key === 'linkpath') && value.includes('\0')) {
      throw new ProvenantError('ARCHIVE_PATH_UNSAFE', `pax ${key} contains a NUL byte`, { details: { record: key } });
    }
    if (key === 'size' && value !== '' && !(/^[0-9]{1,16}$/.test(value) && Number.isSafeInteger(Number(value)))) {
      malformed('pax size is not a decimal size', { value: value.slice(0, 40) });
    }
  }
  return records;
}

/** Go reads the prefix field only in USTAR headers, and only its first 131 bytes in star headers. */
function headerName(block: Buffer): string {
  const latin1 = (start: number, end: number): string => Buffer.from(block.subarray(start, end)).toString('latin1');
  const name = text(cString(block, 0, 100), 'entry name');
  if (latin1(257, 263) !== 'ustar\0') return name;
  const prefixLength = latin1(508, 512) === 'tar\0' ? 131 : 155;
  const prefix = text(cString(block, 345, prefixLength), 'entry name prefix');
  return prefix === '' ? name : `${prefix}/${name}`;
}

const orUndefined = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

function entryHeader(block: Buffer, rawFlag: string, headerSize: number, pending: Pending): TarHeader {
  // Go: the header, then pax records that are not empty, then GNU long names that are not empty.
  const name = orUndefined(pending.longName) ?? orUndefined(pending.pax?.get('path')) ?? headerName(block);
  const linkName =
    orUndefined(pending.longLink) ?? orUndefined(pending.pax?.get('linkpath')) ?? text(cString(block, 157, 100), 'link name');
  const paxSize = orUndefined(pending.pax?.get('size'));
  const size = paxSize === undefined ? headerSize : Number(paxSize);
  const flag = rawFlag === '\0' ? (name.endsWith('/') ? '5' : '0') : rawFlag;
  const device = flag === '3' || flag === '4';
  return {
    flag,
    name,
    linkName,
    mode: numeric(block.subarray(100, 108), 'mode'),
    size: HEADER_ONLY.has(flag) ? 0 : size,
    devMajor: device ? numeric(block.subarray(329, 337), 'device major') : 0,
    devMinor: device ? numeric(block.subarray(337, 345), 'device minor') : 0,
  };
}
