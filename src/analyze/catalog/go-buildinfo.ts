// The build information the Go linker embeds in executables (debug/buildinfo, runtime/debug.ParseBuildInfo).
// It sits at the start of the .go.buildinfo section, or failing that of the first writable, non-executable
// PT_LOAD segment, 16-byte aligned within its first 64 KiB: a 32-byte header, "\xff Go buildinf:" (14 bytes),
// pointer size, flags. With flag 0x2 (Go 1.18+) two uvarint-length-prefixed strings follow the header: the Go
// version and the module info; before that, two pointers (in the byte order of flag 0x1) address Go string
// headers in the data segment. The module info is framed by two 16-byte sentinels and is tab-separated lines:
// "path\t<pkg>", "mod\t<path>\t<version>[\t<sum>]", "dep\t..." (same columns), "=>\t<path>\t<version>\t<sum>"
// (replacing the module on the line before), and "build\t<key>=<value>" (not needed here, not read).
import { isElf, parseElf, PF_W, PF_X, PT_LOAD, readVirtual, type ElfFile } from './elf.js';
import { malformed, utf8Text } from './package.js';

export interface GoModule {
  path: string;
  version: string;
  sum: string;
  replace?: GoModule;
}

export interface GoBuildInfo {
  goVersion: string;
  /** The main package's import path ("path" line). */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
}

/** The header's first bytes; the header starts at a 16-byte aligned offset. */
export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
export const BUILDINFO_HEADER_SIZE = 32;
export const BUILDINFO_ALIGN = 16;
const [MAGIC, HEADER_SIZE, ALIGN] = [BUILDINFO_MAGIC, BUILDINFO_HEADER_SIZE, BUILDINFO_ALIGN];
const SEARCH_SIZE = 64 * 1024;
const MAX_STRING = 16 * 1024 * 1024;

/** Build info of an ELF Go executable; undefined for anything else. Errors: PACKAGE_METADATA_MALFORMED. */
export function readGoBuildInfo(bytes: Uint8Array): GoBuildInfo | undefined {
  if (!isElf(bytes)) return undefined;
  const elf = parseElf(bytes);
  const region = dataRegion(elf, bytes);
  if (region === undefined) return undefined;
  const header = findHeader(region);
  if (header === undefined) return undefined;
  let version: string;
  let mod: string;
  if (hasInlineStrings(header)) {
    const strings = inlineStrings(header);
    version = strings?.version ?? '';
    mod = strings?.mod ?? '';
  } else {
    version = pointedString(elf, bytes, header, 16);
    mod = pointedString(elf, bytes, header, 16 + header[14]!);
  }
  return buildInfoOf(version, mod);
}

/** Whether a header (starting at the magic) is the Go 1.18+ form, its strings following it inline. */
export function hasInlineStrings(header: Uint8Array): boolean {
  return header.length >= HEADER_SIZE && (header[15]! & 0x2) !== 0;
}

/**
 * The Go 1.18+ version and module info strings after a header (starting at the magic): `mod` is absent when
 * only the version could be read, the whole result when not even that (a length runs past the bytes given).
 */
export function inlineStrings(header: Uint8Array): { version: string; mod?: string } | undefined {
  const first = uvarintString(header, HEADER_SIZE);
  if (first === undefined) return undefined;
  const second = uvarintString(header, first.next);
  return second === undefined ? { version: first.value } : { version: first.value, mod: second.value };
}

/** Build info from the two strings (the module info still framed by its sentinels); undefined without a version. */
export function buildInfoOf(version: string, mod: string): GoBuildInfo | undefined {
  if (version === '') return undefined;
  // Strip the framing sentinels (cmd/go/internal/modload infoStart and infoEnd), as debug/buildinfo does.
  const modinfo = mod.length >= 33 && mod[mod.length - 17] === '\n' ? mod.slice(16, -16) : '';
  return { goVersion: version, ...parseModInfo(modinfo) };
}

function dataRegion(elf: ElfFile, bytes: Uint8Array): Uint8Array | undefined {
  const section = elf.sections.find((s) => s.name === '.go.buildinfo');
  if (section !== undefined) return bytes.subarray(section.offset, section.offset + Math.min(section.size, SEARCH_SIZE));
  const seg = elf.segments.find((p) => p.type === PT_LOAD && (p.flags & (PF_X | PF_W)) === PF_W);
  return seg === undefined ? undefined : bytes.subarray(seg.offset, seg.offset + Math.min(seg.filesz, SEARCH_SIZE));
}

function findHeader(region: Uint8Array): Uint8Array | undefined {
  const haystack = Buffer.from(region.buffer, region.byteOffset, region.byteLength);
  for (let from = 0; ; ) {
    const i = haystack.indexOf(MAGIC, from);
    if (i < 0 || region.length - i < HEADER_SIZE) return undefined;
    if (i % ALIGN === 0) return region.subarray(i);
    from = i + 1;
  }
}

function uvarintString(data: Uint8Array, at: number): { value: string; next: number } | undefined {
  let length = 0;
  let shift = 0;
  let pos = at;
  for (;;) {
    if (pos >= data.length || shift > 49) return undefined;
    const b = data[pos++]!;
    length += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  if (length > MAX_STRING || length > data.length - pos) return undefined;
  return { value: utf8Text(data.subarray(pos, pos + length)), next: pos + length };
}

/** Before Go 1.18: a pointer to a Go string header {data pointer, length} in the executable's memory image. */
function pointedString(elf: ElfFile, bytes: Uint8Array, header: Uint8Array, at: number): string {
  const ptrSize = header[14];
  if (ptrSize !== 4 && ptrSize !== 8) return '';
  const littleEndian = header[15] === 0;
  const readPtr = (b: Uint8Array, off: number): number => {
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (ptrSize === 4) return view.getUint32(off, littleEndian);
    const v = view.getBigUint64(off, littleEndian);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v);
  };
  const stringHeader = readVirtual(elf, bytes, readPtr(header, at), 2 * ptrSize);
  if (stringHeader === undefined || stringHeader.length < 2 * ptrSize) return '';
  const dataAddr = readPtr(stringHeader, 0);
  const length = readPtr(stringHeader, ptrSize);
  if (dataAddr < 0 || length < 0 || length > MAX_STRING) return '';
  const data = readVirtual(elf, bytes, dataAddr, length);
  return data === undefined || data.length < length ? '' : utf8Text(data);
}

/** runtime/debug.ParseBuildInfo, less the build settings. */
export function parseModInfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  const out: Omit<GoBuildInfo, 'goVersion'> = { deps: [] };
  let last: GoModule | undefined;
  const lines = text.split('\n');
  // A final line without its newline is ignored, as ParseBuildInfo does.
  lines.pop();
  lines.forEach((line, i) => {
    const [word, ...cols] = line.split('\t');
    if (word === 'path' && cols.length > 0) {
      out.path = line.slice(5);
    } else if ((word === 'mod' || word === 'dep') && cols.length > 0) {
      last = moduleOf(cols, i + 1);
      if (word === 'mod') out.main = last;
      else out.deps.push(last);
    } else if (word === '=>' && cols.length > 0) {
      if (cols.length !== 3) malformed('Go build info', `line ${i + 1}: a replacement needs 3 columns`, { line: i + 1 });
      if (last === undefined) malformed('Go build info', `line ${i + 1}: a replacement with no module before it`, { line: i + 1 });
      last.replace = moduleOf(cols, i + 1);
      last = undefined;
    }
  });
  return out;
}

function moduleOf(cols: string[], line: number): GoModule {
  if (cols.length !== 2 && cols.length !== 3) malformed('Go build info', `line ${line}: expected 2 or 3 columns`, { line });
  return { path: cols[0]!, version: cols[1]!, sum: cols[2] ?? '' };
}
