// A small, strict reader of zip files (PKWARE APPNOTE.TXT 6.3.10), enough for the per-ecosystem `all.zip`
// exports of osv.dev: stored and deflated members of a single-disk archive without ZIP64. The archive is
// untrusted, so every declared size is bounded before anything is inflated, the inflater is capped at the
// declared size, local and central headers must agree, members may not overlap (overlapping members are the
// basis of non-recursive zip bombs), and every member's CRC-32 is checked.
import { open, type FileHandle } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { ProvenantError } from '../core/errors.js';
import { crc32 } from './crc32.js';

export interface ZipLimits {
  /** Members in the central directory, directories included (INPUT_TOO_LARGE). */
  maxEntries: number;
  /** Bytes of the central directory (INPUT_TOO_LARGE). */
  maxCentralDirectoryBytes: number;
  /** Uncompressed bytes of one member (INPUT_TOO_LARGE). */
  maxEntryBytes: number;
  /** Uncompressed bytes of all members together (INPUT_TOO_LARGE). */
  maxTotalBytes: number;
  /** Uncompressed bytes per compressed byte of one member (ARCHIVE_DECOMPRESSION_BOMB), past `ratioGraceBytes`. */
  maxCompressionRatio: number;
  /** Uncompressed size below which the ratio is not checked: small, repetitive JSON compresses well. */
  ratioGraceBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 1_000_000,
  maxCentralDirectoryBytes: 256 * MiB,
  maxEntryBytes: 16 * MiB,
  maxTotalBytes: 4096 * MiB,
  maxCompressionRatio: 200,
  ratioGraceBytes: 1 * MiB,
});

export interface ZipEntry {
  name: string;
  data: Buffer;
}

// APPNOTE 4.3.16 (end of central directory), 4.3.12 (central header), 4.3.7 (local header), 4.3.9 (descriptor),
// 4.3.15 (ZIP64 end of central directory locator).
const EOCD_SIG = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const CENTRAL_SIG = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL_SIG = 0x04034b50;
const LOCAL_SIZE = 30;
const DESCRIPTOR_SIG = 0x08074b50;
const ZIP64_EXTRA_ID = 0x0001;
// APPNOTE 4.4.4: bit 0 encrypted, bit 3 sizes in a data descriptor, bit 6 strong encryption, bit 11 UTF-8 names,
// bit 13 encrypted central directory.
const FLAG_ENCRYPTED = 0x0001 | 0x0040 | 0x2000;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

interface CentralEntry {
  name: string;
  nameBytes: Buffer;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}


/**
 * Reads the files of a zip archive, directories skipped, in archive order. Errors: ARCHIVE_MALFORMED,
 * ARCHIVE_TRUNCATED, ARCHIVE_PATH_UNSAFE, ARCHIVE_DECOMPRESSION_BOMB, INPUT_TOO_LARGE, UNSUPPORTED (ZIP64,
 * several disks, encryption, methods other than stored and deflate), IO_ERROR, FILE_NOT_FOUND.
 */
export async function* readZipEntries(path: string, limits: Partial<ZipLimits> = {}): AsyncGenerator<ZipEntry> {
  const lim: ZipLimits = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const fh = await open(path, 'r').catch((cause: NodeJS.ErrnoException) => {
    throw new ProvenantError(cause.code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'IO_ERROR', 'the zip file cannot be opened', { cause });
  });
  try {
    const fileSize = (await fh.stat()).size;
    const { cdOffset, cdSize, count } = await readEnd(fh, fileSize, lim);
    const entries = parseCentral(await readAt(fh, cdOffset, cdSize), count, lim);
    let end = 0;
    for (const entry of [...entries].sort((a, b) => a.localOffset - b.localOffset)) {
      if (entry.localOffset < end) throw malformed('members overlap', entry.name);
      const { data, next } = await readMember(fh, entry, cdOffset);
      end = next;
      if (!entry.name.endsWith('/')) yield { name: entry.name, data };
    }
  } finally {
    await fh.close();
  }
}

async function readEnd(fh: FileHandle, fileSize: number, lim: ZipLimits): Promise<{ cdOffset: number; cdSize: number; count: number }> {
  const tailLength = Math.min(fileSize, EOCD_SIZE + 0xffff);
  const tail = await readAt(fh, fileSize - tailLength, tailLength);
  // The record ends the file exactly: its comment length must reach the last byte (APPNOTE 4.3.16).
  let at = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG && i + EOCD_SIZE + tail.readUInt16LE(i + 20) === tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    // A file that starts like a zip but has no end record was cut short.
    if (tail.length >= 4 && (await readAt(fh, 0, 4)).readUInt32LE(0) === LOCAL_SIG) {
      throw new ProvenantError('ARCHIVE_TRUNCATED', 'the zip file has no end of central directory record');
    }
    throw new ProvenantError('ARCHIVE_MALFORMED', 'the file is not a zip archive (no end of central directory record)');
  }
  const eocdOffset = fileSize - tailLength + at;
  const disk = tail.readUInt16LE(at + 4);
  const cdDisk = tail.readUInt16LE(at + 6);
  const diskCount = tail.readUInt16LE(at + 8);
  const count = tail.readUInt16LE(at + 10);
  const cdSize = tail.readUInt32LE(at + 12);
  const cdOffset = tail.readUInt32LE(at + 16);
  const zip64Locator = at >= ZIP64_LOCATOR_SIZE && tail.readUInt32LE(at - ZIP64_LOCATOR_SIZE) === ZIP64_LOCATOR_SIG;
  if (zip64Locator || count === 0xffff || diskCount === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw new ProvenantError('UNSUPPORTED', 'ZIP64 archives are not supported');
  }
  if (disk !== 0 || cdDisk !== 0 || diskCount !== count) throw multiDisk();
  if (count > lim.maxEntries) throw new ProvenantError('INPUT_TOO_LARGE', `the zip archive has ${count} members, over the limit`);
  if (cdSize > lim.maxCentralDirectoryBytes) throw new ProvenantError('INPUT_TOO_LARGE', `the zip central directory is ${cdSize} bytes, over the limit`);
  if (cdOffset + cdSize > eocdOffset) {
    throw new ProvenantError('ARCHIVE_TRUNCATED', 'the zip central directory reaches past its end record', {
      details: { cdOffset, cdSize, eocdOffset },
    });
  }
  if (cdOffset + cdSize !== eocdOffset) throw malformed('unexpected bytes between the central directory and its end record');
  return { cdOffset, cdSize, count };
}

function parseCentral(cd: Buffer, count: number, lim: ZipLimits): CentralEntry[] {
  const entries: CentralEntry[] = [];
  const names = new Set<string>();
  let pos = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (pos + CENTRAL_SIZE > cd.length || cd.readUInt32LE(pos) !== CENTRAL_SIG) throw malformed(`central header ${i} is missing`);
    const flags = cd.readUInt16LE(pos + 8);
    const method = cd.readUInt16LE(pos + 10);
    const compressedSize = cd.readUInt32LE(pos + 20);
    const size = cd.readUInt32LE(pos + 24);
    const nameLength = cd.readUInt16LE(pos + 28);
    const extraLength = cd.readUInt16LE(pos + 30);
    const commentLength = cd.readUInt16LE(pos + 32);
    const diskStart = cd.readUInt16LE(pos + 34);
    const localOffset = cd.readUInt32LE(pos + 42);
    const recordEnd = pos + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (recordEnd > cd.length) throw malformed(`central header ${i} runs past the central directory`);
    const nameBytes = cd.subarray(pos + CENTRAL_SIZE, pos + CENTRAL_SIZE + nameLength);
    const name = decodeName(nameBytes, flags);
    const extra = cd.subarray(pos + CENTRAL_SIZE + nameLength, pos + CENTRAL_SIZE + nameLength + extraLength);
    if (hasZip64Extra(extra, name) || [compressedSize, size, localOffset].includes(0xffffffff) || diskStart === 0xffff) {
      throw new ProvenantError('UNSUPPORTED', 'ZIP64 members are not supported', { details: { entry: name } });
    }
    if (diskStart !== 0) throw multiDisk();
    if (flags & FLAG_ENCRYPTED) throw new ProvenantError('UNSUPPORTED', 'encrypted zip members are not supported', { details: { entry: name } });
    if (method !== 0 && method !== 8) throw new ProvenantError('UNSUPPORTED', `zip method ${method} is not supported`, { details: { entry: name } });
    if (names.has(name)) throw malformed('the name appears twice', name);
    names.add(name);
    if (name.endsWith('/') && size !== 0) throw malformed('a directory member has content', name);
    if (method === 0 && compressedSize !== size) throw malformed('a stored member has two different sizes', name);
    if (size > lim.maxEntryBytes) throw new ProvenantError('INPUT_TOO_LARGE', `zip member is ${size} bytes, over the limit`, { details: { entry: name } });
    if (size > lim.ratioGraceBytes && size > compressedSize * lim.maxCompressionRatio) {
      throw new ProvenantError('ARCHIVE_DECOMPRESSION_BOMB', `zip member inflates ${compressedSize} bytes to ${size}`, {
        details: { entry: name, compressedSize, size },
      });
    }
    total += size;
    if (total > lim.maxTotalBytes) throw new ProvenantError('INPUT_TOO_LARGE', 'the zip members together are over the size limit');
    entries.push({ name, nameBytes, flags, method, crc: cd.readUInt32LE(pos + 16), compressedSize, size, localOffset });
    pos = recordEnd;
  }
  if (pos !== cd.length) throw malformed('the central directory is longer than its members');
  return entries;
}

/** Names are relative paths below the archive root (APPNOTE 4.4.17: forward slashes, no drive or leading slash). */
function decodeName(bytes: Buffer, flags: number): string {
  let name: string;
  if (flags & FLAG_UTF8) {
    try {
      name = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch (cause) {
      throw new ProvenantError('ARCHIVE_MALFORMED', 'a zip member name is not valid UTF-8', { cause });
    }
  } else {
    // Without bit 11 a name is CP437; only its ASCII subset, which UTF-8 shares, is read.
    if (bytes.some((b) => b >= 0x80)) throw new ProvenantError('UNSUPPORTED', 'zip member names in CP437 are not supported');
    name = bytes.toString('latin1');
  }
  if (name.length === 0) throw malformed('a member has an empty name');
  const unsafe =
    name.includes('\0') || name.includes('\\') || name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.split('/').includes('..');
  if (unsafe) throw new ProvenantError('ARCHIVE_PATH_UNSAFE', 'a zip member name is not a safe relative path', { details: { entry: name } });
  return name;
}

function hasZip64Extra(extra: Buffer, name: string): boolean {
  let found = false;
  let pos = 0;
  while (pos < extra.length) {
    if (pos + 4 > extra.length) throw malformed('the extra field is cut short', name);
    const id = extra.readUInt16LE(pos);
    pos += 4 + extra.readUInt16LE(pos + 2);
    if (pos > extra.length) throw malformed('the extra field is cut short', name);
    if (id === ZIP64_EXTRA_ID) found = true;
  }
  return found;
}

async function readMember(fh: FileHandle, entry: CentralEntry, cdOffset: number): Promise<{ data: Buffer; next: number }> {
  if (entry.localOffset + LOCAL_SIZE > cdOffset) throw malformed('a member reaches into the central directory', entry.name);
  const header = await readAt(fh, entry.localOffset, LOCAL_SIZE);
  if (header.readUInt32LE(0) !== LOCAL_SIG) throw malformed('no local header at the offset the central directory gives', entry.name);
  const flags = header.readUInt16LE(6);
  const nameLength = header.readUInt16LE(26);
  const dataStart = entry.localOffset + LOCAL_SIZE + nameLength + header.readUInt16LE(28);
  const dataEnd = dataStart + entry.compressedSize;
  if (dataEnd > cdOffset) throw malformed('a member reaches into the central directory', entry.name);
  const localName = await readAt(fh, entry.localOffset + LOCAL_SIZE, nameLength);
  const sameSizes = [14, 18, 22].every((o, i) => header.readUInt32LE(o) === [entry.crc, entry.compressedSize, entry.size][i]);
  const zeroSizes = [14, 18, 22].every((o) => header.readUInt32LE(o) === 0);
  // With a data descriptor the local header may carry zeros (APPNOTE 4.4.4 bit 3); otherwise it must match.
  const sizesAgree = sameSizes || ((entry.flags & FLAG_DESCRIPTOR) !== 0 && zeroSizes);
  const agree =
    ((flags ^ entry.flags) & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR | FLAG_UTF8)) === 0 &&
    header.readUInt16LE(8) === entry.method &&
    localName.equals(entry.nameBytes) &&
    sizesAgree;
  if (!agree) throw malformed('the local header disagrees with the central directory', entry.name);
  let next = dataEnd;
  if (entry.flags & FLAG_DESCRIPTOR) next = await checkDescriptor(fh, entry, dataEnd, cdOffset);
  const raw = await readAt(fh, dataStart, entry.compressedSize);
  const data = entry.method === 0 ? raw : inflate(raw, entry);
  if (data.length !== entry.size) throw malformed('the member inflates to another size than declared', entry.name);
  if (crc32(data) !== entry.crc) throw malformed('the member fails its CRC-32 check', entry.name);
  return { data, next };
}

/** APPNOTE 4.3.9: CRC-32 and both sizes after the data, with or without a leading signature. */
async function checkDescriptor(fh: FileHandle, entry: CentralEntry, at: number, cdOffset: number): Promise<number> {
  const available = Math.min(16, cdOffset - at);
  const bytes = await readAt(fh, at, available);
  const matches = (o: number): boolean =>
    o + 12 <= bytes.length &&
    bytes.readUInt32LE(o) === entry.crc &&
    bytes.readUInt32LE(o + 4) === entry.compressedSize &&
    bytes.readUInt32LE(o + 8) === entry.size;
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === DESCRIPTOR_SIG && matches(4)) return at + 16;
  if (matches(0)) return at + 12;
  throw malformed('the data descriptor is missing or disagrees with the central directory', entry.name);
}

function inflate(raw: Buffer, entry: CentralEntry): Buffer {
  try {
    // The cap makes a member that inflates past its declared size fail here instead of exhausting memory.
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
  } catch (cause) {
    throw new ProvenantError('ARCHIVE_MALFORMED', 'a zip member does not inflate to its declared size', {
      details: { entry: entry.name },
      cause,
    });
  }
}

function multiDisk(): ProvenantError {
  return new ProvenantError('UNSUPPORTED', 'zip archives spanning several disks are not supported');
}

function malformed(reason: string, entry?: string): ProvenantError {
  return new ProvenantError('ARCHIVE_MALFORMED', `the zip archive is malformed: ${reason}`, {
    details: entry === undefined ? undefined : { entry },
  });
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new ProvenantError('ARCHIVE_TRUNCATED', 'the zip file ends early');
    done += bytesRead;
  }
  return buffer;
}
