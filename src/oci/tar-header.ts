// Field-level decoding of tar headers (POSIX.1-2001 ustar and pax, GNU extensions) and the path rules applied
// to entry names, shared by the tar index. Failures are ARCHIVE_MALFORMED, ARCHIVE_TRUNCATED or
// ARCHIVE_PATH_UNSAFE.
import { ProvenantError } from '../core/errors.js';

export const BLOCK = 512;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function malformed(reason: string, details: Record<string, unknown> = {}): never {
  throw new ProvenantError('ARCHIVE_MALFORMED', `tar archive is malformed: ${reason}`, { details });
}

export function truncated(offset: number): never {
  throw new ProvenantError('ARCHIVE_TRUNCATED', `tar archive ends early (at byte ${offset})`, { details: { offset } });
}

function unsafe(name: string): never {
  throw new ProvenantError('ARCHIVE_PATH_UNSAFE', `tar entry path ${JSON.stringify(name.slice(0, 200))} escapes the archive root`, {
    details: { name: name.slice(0, 200) },
  });
}

/** Normalises an archive path; ARCHIVE_PATH_UNSAFE for absolute paths and any ".." component. */
export function normalizeArchivePath(raw: string): string {
  if (raw.startsWith('/')) unsafe(raw);
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '..') unsafe(raw);
    if (part !== '' && part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/** A symlink target, relative to the link's directory, as an archive path; unsafe when it leaves the root. */
export function symlinkTarget(linkName: string, target: string): string {
  if (target.startsWith('/')) unsafe(target);
  const parts = linkName.split('/').slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '..') {
      if (parts.length === 0) unsafe(target);
      parts.pop();
    } else if (part !== '' && part !== '.') parts.push(part);
  }
  return parts.join('/');
}

export function cString(block: Uint8Array, start: number, length: number): Uint8Array {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return nul === -1 ? field : field.subarray(0, nul);
}

export function text(bytes: Uint8Array, what: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    return malformed(`${what} is not UTF-8`);
  }
}

/** Octal (NUL/space padded) or, with the high bit set, GNU base-256 big-endian. */
export function numeric(field: Uint8Array, what: string): number {
  if ((field[0]! & 0x80) !== 0) {
    if (field[0] !== 0x80) malformed(`negative or oversized ${what}`);
    let value = 0;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    if (!Number.isSafeInteger(value)) malformed(`${what} out of range`);
    return value;
  }
  const digits = Buffer.from(field).toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) malformed(`${what} is not an octal number`);
  return parseInt(digits, 8);
}

export function checksumOk(block: Uint8Array): boolean {
  const stored = numeric(block.subarray(148, 156), 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}


/** pax extended header records: "<len> <key>=<value>\n", where <len> counts the whole record. */
export function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const lengthText = space === -1 ? '' : Buffer.from(data.subarray(pos, space)).toString('latin1');
    if (!/^[1-9][0-9]{0,7}$/.test(lengthText)) malformed('bad pax record length');
    const end = pos + Number(lengthText);
    if (end > data.length || data[end - 1] !== 0x0a) malformed('bad pax record');
    const record = text(data.subarray(space + 1, end - 1), 'pax record');
    const eq = record.indexOf('=');
    if (eq <= 0) malformed('pax record without key');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos = end;
  }
  return out;
}


const COMPRESSION_MAGIC: [string, number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
];

/** The compression format whose magic number `head` starts with, if any. */
export function compressionOf(head: Uint8Array): string | undefined {
  return COMPRESSION_MAGIC.find(([, magic]) => magic.every((b, i) => head[i] === b))?.[0];
}
