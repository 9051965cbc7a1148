// Just enough of ELF (System V gABI, "ELF Header", "Program Header", "Sections") to find data in an executable:
// the program headers (to map virtual addresses to file offsets) and the named sections. Both classes and
// byte orders are read. Tables that lie outside the file, or values beyond 2^53, are treated as absent rather
// than failing: a damaged table only means there is less to find.
import { malformed } from './package.js';

export const ELF_MAGIC = Uint8Array.of(0x7f, 0x45, 0x4c, 0x46);
export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
const SHT_NOBITS = 8;
const MAX_TABLE_ENTRIES = 65536;
const MAX_NAME = 256;

export interface ElfSegment {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

export interface ElfSection {
  name: string;
  /** File offset and size of the section's bytes; size 0 for SHT_NOBITS. */
  offset: number;
  size: number;
}

export interface ElfFile {
  is64: boolean;
  bigEndian: boolean;
  segments: ElfSegment[];
  sections: ElfSection[];
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** Errors: PACKAGE_METADATA_MALFORMED when the ELF identification or header itself is unusable. */
export function parseElf(bytes: Uint8Array): ElfFile {
  if (!isElf(bytes) || bytes.length < 52) malformed('ELF file', 'too short for an ELF header');
  const cls = bytes[4];
  const data = bytes[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) malformed('ELF file', 'unknown class or byte order');
  const is64 = cls === 2;
  if (is64 && bytes.length < 64) malformed('ELF file', 'too short for an ELF64 header');
  const r = new Reader(bytes, data === 2, is64);
  const phoff = r.addr(is64 ? 32 : 28);
  const shoff = r.addr(is64 ? 40 : 32);
  const base = is64 ? 54 : 42;
  const [phentsize, phnum, shentsize, shnum, shstrndx] = [0, 2, 4, 6, 8].map((d) => r.u16(base + d)) as [number, number, number, number, number];
  return {
    is64,
    bigEndian: data === 2,
    segments: readSegments(r, phoff, phentsize, phnum),
    sections: readSections(r, shoff, shentsize, shnum, shstrndx),
  };
}

function table(r: Reader, offset: number | undefined, entsize: number, count: number, min: number): number[] {
  if (offset === undefined || offset === 0 || entsize < min || count > MAX_TABLE_ENTRIES) return [];
  if (offset + entsize * count > r.bytes.length) return [];
  return Array.from({ length: count }, (_, i) => offset + i * entsize);
}

function readSegments(r: Reader, phoff: number | undefined, entsize: number, count: number): ElfSegment[] {
  const out: ElfSegment[] = [];
  for (const at of table(r, phoff, entsize, count, r.is64 ? 56 : 32)) {
    const seg = r.is64
      ? { type: r.u32(at), flags: r.u32(at + 4), offset: r.addr(at + 8), vaddr: r.addr(at + 16), filesz: r.addr(at + 32) }
      : { type: r.u32(at), flags: r.u32(at + 24), offset: r.u32(at + 4), vaddr: r.u32(at + 8), filesz: r.u32(at + 16) };
    if (seg.offset === undefined || seg.vaddr === undefined || seg.filesz === undefined) continue;
    if (seg.offset + seg.filesz > r.bytes.length) continue;
    out.push(seg as ElfSegment);
  }
  return out;
}

function readSections(r: Reader, shoff: number | undefined, entsize: number, count: number, strndx: number): ElfSection[] {
  const min = r.is64 ? 64 : 40;
  // Extended numbering: with more than 0xff00 sections, the count and string table index live in section 0.
  if (count === 0 && shoff !== undefined && shoff !== 0 && entsize >= min && shoff + min <= r.bytes.length) {
    count = r.addr(shoff + (r.is64 ? 32 : 20)) ?? 0;
  }
  if (strndx === 0xffff && shoff !== undefined && shoff + min <= r.bytes.length) strndx = r.u32(shoff + (r.is64 ? 40 : 24));
  const raw = table(r, shoff, entsize, count, min).map((at) => ({
    nameOffset: r.u32(at),
    type: r.u32(at + 4),
    offset: r.is64 ? r.addr(at + 24) : r.u32(at + 16),
    size: r.is64 ? r.addr(at + 32) : r.u32(at + 20),
  }));
  const strtab = raw[strndx];
  return raw.flatMap((s) => {
    const size = s.type === SHT_NOBITS ? 0 : s.size;
    if (s.offset === undefined || size === undefined || s.offset + size > r.bytes.length) return [];
    return [{ name: strtab === undefined ? '' : r.cString(strtab.offset, strtab.size, s.nameOffset), offset: s.offset, size }];
  });
}

/** Up to `size` bytes at virtual address `addr`, from the PT_LOAD segment that maps it. */
export function readVirtual(elf: ElfFile, bytes: Uint8Array, addr: number, size: number): Uint8Array | undefined {
  for (const seg of elf.segments) {
    if (seg.type !== PT_LOAD || addr < seg.vaddr || addr >= seg.vaddr + seg.filesz) continue;
    const start = seg.offset + (addr - seg.vaddr);
    return bytes.subarray(start, start + Math.min(size, seg.vaddr + seg.filesz - addr));
  }
  return undefined;
}

class Reader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly bigEndian: boolean,
    readonly is64: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u16(at: number): number {
    return this.view.getUint16(at, !this.bigEndian);
  }

  u32(at: number): number {
    return this.view.getUint32(at, !this.bigEndian);
  }

  /** A word-sized (address or offset) field; undefined when it cannot be a safe integer. */
  addr(at: number): number | undefined {
    if (!this.is64) return this.u32(at);
    const v = this.view.getBigUint64(at, !this.bigEndian);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
  }

  cString(tableOffset: number | undefined, tableSize: number | undefined, at: number): string {
    if (tableOffset === undefined || tableSize === undefined || at >= tableSize) return '';
    // Names longer than any this module looks for need not be read; the bound keeps a table without NULs cheap.
    const start = tableOffset + at;
    const window = this.bytes.subarray(start, Math.min(start + MAX_NAME, tableOffset + tableSize));
    const end = window.indexOf(0);
    return end < 0 ? '' : Buffer.from(window.buffer, window.byteOffset, end).toString('latin1');
  }
}
