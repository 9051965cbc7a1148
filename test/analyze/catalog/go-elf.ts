// Builds small ELF executables that carry Go build info the way the Go linker lays it out: a text PT_LOAD
// segment, a writable data PT_LOAD segment whose first bytes are the .go.buildinfo blob (32-byte header, then
// for Go 1.18+ the uvarint-prefixed version and module strings; before 1.18, pointers to Go string headers
// in the data segment), and section headers naming .go.buildinfo. Both ELF classes and byte orders.

/** cmd/go/internal/modload infoStart and infoEnd: the sentinels framing the module info string. */
const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

export interface GoElfOptions {
  goVersion?: string;
  /** The module info text (tab-separated lines, each ending in "\n"); framed with the sentinels here. */
  modinfo?: string;
  /** "inline" (Go 1.18+, flag 0x2) or "pointer" (before Go 1.18). */
  format?: 'inline' | 'pointer';
  is64?: boolean;
  bigEndian?: boolean;
  /** Write section headers (with .go.buildinfo); without them the reader must use the data segment. */
  sections?: boolean;
  /** Bytes put before the blob in the data segment (a non-multiple of 16 misaligns it). */
  padding?: number;
}

export function modinfoOf(lines: string[]): string {
  return lines.map((l) => `${l}\n`).join('');
}

export function goElf(opts: GoElfOptions = {}): Buffer {
  const is64 = opts.is64 ?? true;
  const big = opts.bigEndian ?? false;
  const [textOff, dataOff, vbase] = [0x1000, 0x2000, 0x400000];
  const blobAt = dataOff + (opts.padding ?? 0);
  const mod = Buffer.concat([INFO_START, Buffer.from(opts.modinfo ?? ''), INFO_END]);
  const version = Buffer.from(opts.goVersion ?? 'go1.21.5');
  const w = new Writer(0x2300 + (opts.padding ?? 0) + 2 * (mod.length + version.length), big);
  MAGIC.copy(w.buf, blobAt);
  w.buf[blobAt + 14] = is64 ? 8 : 4;
  let blobEnd: number;
  if ((opts.format ?? 'inline') === 'inline') {
    w.buf[blobAt + 15] = 0x2 | (big ? 0x1 : 0);
    const inline = Buffer.concat([uvarint(version.length), version, uvarint(mod.length), mod]);
    inline.copy(w.buf, blobAt + 32);
    blobEnd = blobAt + 32 + inline.length;
  } else {
    w.buf[blobAt + 15] = big ? 1 : 0;
    const ptr = is64 ? 8 : 4;
    // Go string headers {data, len} at +0x200 of the segment, their bytes at +0x240.
    const hdrAt = dataOff + 0x200;
    const strAt = dataOff + 0x240;
    version.copy(w.buf, strAt);
    mod.copy(w.buf, strAt + version.length);
    const va = (off: number) => vbase + off;
    w.word(blobAt + 16, va(hdrAt), is64);
    w.word(blobAt + 16 + ptr, va(hdrAt + 2 * ptr), is64);
    w.word(hdrAt, va(strAt), is64);
    w.word(hdrAt + ptr, version.length, is64);
    w.word(hdrAt + 2 * ptr, va(strAt + version.length), is64);
    w.word(hdrAt + 3 * ptr, mod.length, is64);
    blobEnd = blobAt + 32;
  }
  const dataEnd = Math.max(blobEnd, dataOff + 0x240 + version.length + mod.length);
  const shstrtab = Buffer.from('\0.go.buildinfo\0.shstrtab\0');
  const strtabAt = dataEnd;
  const shAt = (strtabAt + shstrtab.length + 7) & ~7;
  const shentsize = is64 ? 64 : 40;
  const total = opts.sections === false ? dataEnd : shAt + 3 * shentsize;
  const out = new Writer(total, big);
  w.buf.copy(out.buf, 0, 0, Math.min(w.buf.length, total));
  const b = out.buf;
  b.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, big ? 2 : 1, 1], 0);
  out.u16(16, 2); // ET_EXEC
  out.u16(18, is64 ? 62 : 3); // EM_X86_64 or EM_386
  out.u32(20, 1);
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  out.word(is64 ? 32 : 28, ehsize, is64); // e_phoff
  out.word(is64 ? 40 : 32, opts.sections === false ? 0 : shAt, is64); // e_shoff
  const base = is64 ? 52 : 40;
  [ehsize, phentsize, 2, shentsize, opts.sections === false ? 0 : 3, opts.sections === false ? 0 : 2].forEach((v, i) => out.u16(base + i * 2, v));
  const segment = (at: number, flags: number, off: number, size: number) => {
    out.u32(at, 1); // PT_LOAD
    if (is64) {
      out.u32(at + 4, flags);
      [off, vbase + off, vbase + off, size, size, 0x1000].forEach((v, i) => out.word(at + 8 + i * 8, v, true));
    } else {
      [off, vbase + off, vbase + off, size, size, flags, 0x1000].forEach((v, i) => out.u32(at + 4 + i * 4, v));
    }
  };
  segment(ehsize, 5, textOff, 0x100); // R+X
  segment(ehsize + phentsize, 6, dataOff, dataEnd - dataOff); // R+W
  b.fill(0x90, textOff, textOff + 0x100);
  if (opts.sections !== false) {
    shstrtab.copy(b, strtabAt);
    const section = (i: number, name: number, type: number, flags: number, addr: number, off: number, size: number) => {
      const at = shAt + i * shentsize;
      out.u32(at, name);
      out.u32(at + 4, type);
      if (is64) [flags, addr, off, size].forEach((v, j) => out.word(at + 8 + j * 8, v, true));
      else [flags, addr, off, size].forEach((v, j) => out.u32(at + 8 + j * 4, v));
    };
    section(1, 1, 1, 3, vbase + dataOff, dataOff, blobEnd - dataOff); // .go.buildinfo: PROGBITS, WRITE|ALLOC
    section(2, 15, 3, 0, 0, strtabAt, shstrtab.length); // .shstrtab: STRTAB, not loaded
  }
  return b;
}

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

class Writer {
  readonly buf: Buffer;
  constructor(
    size: number,
    private readonly big: boolean,
  ) {
    this.buf = Buffer.alloc(size);
  }
  u16(at: number, v: number): void {
    if (this.big) this.buf.writeUInt16BE(v, at);
    else this.buf.writeUInt16LE(v, at);
  }
  u32(at: number, v: number): void {
    if (this.big) this.buf.writeUInt32BE(v, at);
    else this.buf.writeUInt32LE(v, at);
  }
  word(at: number, v: number, is64: boolean): void {
    if (!is64) return this.u32(at, v);
    if (this.big) this.buf.writeBigUInt64BE(BigInt(v), at);
    else this.buf.writeBigUInt64LE(BigInt(v), at);
  }
}
