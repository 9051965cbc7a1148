// An index of a tar file's entries (POSIX.1-2001 pax / ustar, GNU long names) built by reading only the
// headers, then positional reads of entry data. Nothing is extracted. The walk follows Go's archive/tar, which
// Docker and skopeo use to write and read these archives: header-only types carry no data whatever their size
// field says, pax `path`/`linkpath`/`size` override the header, and the archive ends at a zero block (a second
// zero block or end of file must follow; anything else is refused, so entries cannot hide past the end marker
// where Docker would not see them). A tar-stream extractor was not used for reading: it reads every data
// byte, does not expose data offsets, and keeps parsing after zero blocks.
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ProvenantError } from '../core/errors.js';
import { openRegularFile } from './local-files.js';
import {
  BLOCK,
  checksumOk,
  compressionOf,
  cString,
  malformed,
  normalizeArchivePath,
  numeric,
  parsePax,
  symlinkTarget,
  text,
  truncated,
} from './tar-header.js';

export interface TarEntry {
  /** Normalised path: no leading "./" or "/", no empty or "." components, never "..". */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  /** Offset of the entry's data in the file. */
  offset: number;
  /** Length of the entry's data (0 for links and directories). */
  size: number;
  /** For links: the normalised path of the target inside the archive. */
  target?: string;
}

export interface TarLimits {
  maxEntries?: number;
  maxNameLength?: number;
}

export const MAX_TAR_ENTRIES = 100_000;
export const MAX_TAR_NAME_LENGTH = 4096;
const MAX_PAX_BYTES = 1024 * 1024;
const MAX_LINK_HOPS = 16;
const STREAM_CHUNK = 256 * 1024;

const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);

export class TarIndex {
  private constructor(
    private readonly handle: FileHandle,
    /** Entries by normalised name. */
    readonly entries: ReadonlyMap<string, TarEntry>,
  ) {}

  /**
   * Indexes the tar file at `path`. Errors: FILE_NOT_FOUND, ARCHIVE_MALFORMED (not a tar, bad checksum, data
   * after the end marker, duplicate names), ARCHIVE_TRUNCATED, ARCHIVE_PATH_UNSAFE, INPUT_TOO_LARGE (entry
   * count or name length), UNSUPPORTED (a compressed archive).
   */
  static async open(path: string, limits: TarLimits = {}): Promise<TarIndex> {
    const handle = await openRegularFile(path, `archive ${path}`, 'FILE_NOT_FOUND', 'ARCHIVE_MALFORMED');
    try {
      const entries = await walk(handle, (await handle.stat()).size, limits);
      return new TarIndex(handle, entries);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Follows symlinks and hard links to a regular file; undefined when nothing of that name exists. */
  resolveFile(name: string): TarEntry | undefined {
    let current = normalizeArchivePath(name);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const entry = this.entries.get(current);
      if (entry === undefined) return undefined;
      switch (entry.type) {
        case 'file':
          return entry;
        case 'symlink':
        case 'hardlink':
          current = entry.target!;
          continue;
        case 'directory':
        case 'other':
          return malformed(`${JSON.stringify(name)} is not a regular file`, { name });
      }
    }
    return malformed(`too many links resolving ${JSON.stringify(name)}`, { name });
  }

  /** Reads an entry whole. INPUT_TOO_LARGE above `maxBytes`; ARCHIVE_TRUNCATED if the file shrank. */
  async read(entry: TarEntry, maxBytes: number): Promise<Buffer> {
    if (entry.size > maxBytes) {
      throw new ProvenantError('INPUT_TOO_LARGE', `${entry.name} is ${entry.size} bytes, over the limit of ${maxBytes}`, {
        details: { name: entry.name, size: entry.size, limit: maxBytes },
      });
    }
    const data = await readAt(this.handle, entry.offset, entry.size);
    if (data.length !== entry.size) truncated(entry.offset + data.length);
    return data;
  }

  /**
   * The entry's data as a stream of positional reads; several may be open at once, and destroying one leaves
   * the archive open. If the file shrank since indexing the stream ends early (verifiedStream reports it).
   */
  stream(entry: TarEntry): Readable {
    const handle = this.handle;
    const end = entry.offset + entry.size;
    let pos = entry.offset;
    return new Readable({
      read(this: Readable): void {
        const length = Math.min(STREAM_CHUNK, end - pos);
        if (length <= 0) {
          this.push(null);
          return;
        }
        const buffer = Buffer.allocUnsafe(length);
        handle.read(buffer, 0, length, pos).then(
          ({ bytesRead }) => {
            pos += bytesRead;
            this.push(bytesRead === 0 ? null : buffer.subarray(0, bytesRead));
          },
          (e: unknown) => this.destroy(e instanceof Error ? e : new Error(String(e))),
        );
      },
    });
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

const isZero = (block: Uint8Array): boolean => block.every((b) => b === 0);

async function walk(handle: FileHandle, fileSize: number, limits: TarLimits): Promise<Map<string, TarEntry>> {
  const maxEntries = limits.maxEntries ?? MAX_TAR_ENTRIES;
  const maxName = limits.maxNameLength ?? MAX_TAR_NAME_LENGTH;
  const entries = new Map<string, TarEntry>();
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let longLink: string | undefined;
  let headers = 0;
  for (let pos = 0; ; ) {
    const block = await readAt(handle, pos, BLOCK);
    if (pos === 0) {
      const compressed = compressionOf(block);
      if (compressed !== undefined) {
        throw new ProvenantError('UNSUPPORTED', `the archive is ${compressed}-compressed; decompress it first`, {
          details: { compression: compressed },
        });
      }
      if (block.length < BLOCK) malformed('too short to be a tar archive');
    }
    if (block.length < BLOCK) truncated(pos + block.length);
    if (isZero(block)) {
      const next = await readAt(handle, pos + BLOCK, BLOCK);
      if (next.length > 0 && !isZero(next)) malformed('data follows the end-of-archive block', { offset: pos });
      if (pax.size > 0 || longName !== undefined || longLink !== undefined) malformed('extended header without an entry');
      return entries;
    }
    if (!checksumOk(block)) malformed(pos === 0 ? 'not a tar archive' : 'header checksum mismatch', { offset: pos });
    if (++headers > maxEntries * 4) tooMany(maxEntries);

    const flag = String.fromCharCode(block[156]!);
    const headerSize = numeric(block.subarray(124, 136), 'size');
    const dataOffset = pos + BLOCK;
    const readData = async (limit: number, what: string): Promise<Buffer> => {
      if (headerSize > limit) tooLarge(what, headerSize, limit);
      const data = await readAt(handle, dataOffset, headerSize);
      if (data.length < headerSize) truncated(dataOffset + data.length);
      return data;
    };

    let dataSize = headerSize;
    if (flag === 'x') {
      for (const [k, v] of parsePax(await readData(MAX_PAX_BYTES, 'pax header'))) pax.set(k, v);
    } else if (flag === 'L' || flag === 'K') {
      const value = text(cString(await readData(maxName + 1, 'long name'), 0, headerSize), 'long name');
      if (flag === 'L') longName = value;
      else longLink = value;
    } else if (flag !== 'g') {
      const ustar = Buffer.from(block.subarray(257, 263)).toString('latin1') === 'ustar\0';
      const prefix = ustar ? text(cString(block, 345, 155), 'name prefix') : '';
      const short = text(cString(block, 0, 100), 'name');
      const rawName = pax.get('path') ?? longName ?? (prefix === '' ? short : `${prefix}/${short}`);
      const rawLink = pax.get('linkpath') ?? longLink ?? text(cString(block, 157, 100), 'link name');
      if (rawName.length > maxName || rawLink.length > maxName) tooLarge('entry name', Math.max(rawName.length, rawLink.length), maxName);
      const paxSize = pax.get('size');
      if (paxSize !== undefined) {
        if (!/^[0-9]{1,16}$/.test(paxSize) || !Number.isSafeInteger(Number(paxSize))) malformed('bad pax size');
        dataSize = Number(paxSize);
      }
      if (HEADER_ONLY.has(flag)) dataSize = 0;
      addEntry(entries, makeEntry(flag, rawName, rawLink, dataOffset, dataSize), maxEntries);
      pax = new Map();
      longName = undefined;
      longLink = undefined;
    }
    pos = dataOffset + Math.ceil(dataSize / BLOCK) * BLOCK;
    if (pos > fileSize) truncated(fileSize);
  }
}

function makeEntry(flag: string, rawName: string, rawLink: string, offset: number, size: number): TarEntry {
  const name = normalizeArchivePath(rawName);
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      return rawName.endsWith('/') && flag === '\0' ? { name, type: 'directory', offset, size: 0 } : { name, type: 'file', offset, size };
    case '1':
      return { name, type: 'hardlink', offset, size, target: normalizeArchivePath(rawLink) };
    case '2':
      return { name, type: 'symlink', offset, size, target: symlinkTarget(name, rawLink) };
    case '5':
      return { name, type: 'directory', offset, size };
  }
  return { name, type: 'other', offset, size };
}

function addEntry(entries: Map<string, TarEntry>, entry: TarEntry, maxEntries: number): void {
  if (entry.name === '' && entry.type === 'directory') return;
  const existing = entries.get(entry.name);
  if (existing !== undefined) {
    if (existing.type === 'directory' && entry.type === 'directory') return;
    malformed(`entry ${JSON.stringify(entry.name)} appears twice`, { name: entry.name });
  }
  if (entries.size >= maxEntries) tooMany(maxEntries);
  entries.set(entry.name, entry);
}

function tooMany(limit: number): never {
  throw new ProvenantError('INPUT_TOO_LARGE', `the archive has more than ${limit} entries`, { details: { limit } });
}

function tooLarge(what: string, size: number, limit: number): never {
  throw new ProvenantError('INPUT_TOO_LARGE', `${what} is ${size} bytes, over the limit of ${limit}`, { details: { size, limit } });
}
