// Go build info read from an executable as it streams past (a layer walk's ContentScanner), so that Go
// binaries can be cataloged without buffering every ELF file of an image. Instead of mapping the ELF's sections
// and segments (which needs the whole file), this looks for the build info magic at 16-byte aligned file
// offsets: the linker puts .go.buildinfo at the start of the data segment, whose file offset is aligned, and
// close to the start of the file. The search stops at `searchBytes`; once the magic is found only what follows it
// (at most `keepBytes`) is kept. Only the Go 1.18+ inline form can be read this way: the older form points at
// strings elsewhere in the memory image and is reported as UNSUPPORTED.
import { isProvenantError, type ErrorCode } from '../../core/errors.js';
import type { ContentScanner } from '../content-scanner.js';
import { isElf } from './elf.js';
import { BUILDINFO_ALIGN, BUILDINFO_HEADER_SIZE, BUILDINFO_MAGIC, buildInfoOf, hasInlineStrings, inlineStrings } from './go-buildinfo.js';
import { goPackages } from './golang.js';
import { MiB, malformed, type Package } from './package.js';
import { ascending } from '../../core/order.js';

export type GoScanResult = { kind: 'packages'; packages: Package[] } | { kind: 'problem'; code: ErrorCode; message: string };

export interface GoScanOptions {
  /** The magic must start before this file offset. */
  searchBytes?: number;
  /** Bytes kept from the magic on: the header, the version and the module info must fit. */
  keepBytes?: number;
}

export const GO_SEARCH_BYTES = 64 * MiB;
export const GO_KEEP_BYTES = 1 * MiB;
/** The cataloger name problems are reported under (the whole-file cataloger's). */
export const GO_CATALOGER = 'go-binary';

const ELF_HEAD = 4;
const CARRY = BUILDINFO_MAGIC.length - 1;

/** A scanner for the file at `path`; its result is undefined for files that are not Go executables. */
export function goBinaryScanner(path: string, options: GoScanOptions = {}): ContentScanner<GoScanResult> {
  return new GoScanner(path, options.searchBytes ?? GO_SEARCH_BYTES, options.keepBytes ?? GO_KEEP_BYTES);
}

class GoScanner implements ContentScanner<GoScanResult> {
  private state: 'search' | 'keep' | 'done' = 'search';
  /** File offset of the next byte fed. */
  private offset = 0;
  private head = Buffer.alloc(0);
  /** The last bytes searched, in which a magic straddling into the next chunk would start. */
  private tail = Buffer.alloc(0);
  private kept: Buffer[] = [];
  private keptBytes = 0;

  constructor(
    private readonly path: string,
    private readonly searchBytes: number,
    private readonly keepBytes: number,
  ) {}

  update(chunk: Buffer): boolean {
    const at = this.offset;
    this.offset += chunk.length;
    if (this.head.length < ELF_HEAD) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, ELF_HEAD - this.head.length)]);
      if (this.head.length === ELF_HEAD && !isElf(this.head)) return this.stop();
    }
    switch (this.state) {
      case 'search':
        return this.search(chunk, at);
      case 'keep':
        return this.keep(chunk);
      case 'done':
        return false;
    }
  }

  finish(): GoScanResult | undefined {
    if (this.state === 'search' || this.keptBytes === 0 || !isElf(this.head)) return undefined;
    const header = Buffer.concat(this.kept, this.keptBytes);
    this.kept = [];
    try {
      if (header.length < BUILDINFO_HEADER_SIZE) malformed('Go build info', 'the file ends inside its header');
      if (!hasInlineStrings(header)) {
        return { kind: 'problem', code: 'UNSUPPORTED', message: 'Go build info from before Go 1.18 is not read while streaming' };
      }
      const strings = inlineStrings(header);
      if (strings?.mod === undefined) {
        if (this.keptBytes >= this.keepBytes) return { kind: 'problem', code: 'INPUT_TOO_LARGE', message: `Go build info is longer than ${this.keepBytes} bytes` };
        malformed('Go build info', 'a version or module info length runs past the end of the file');
      }
      const info = buildInfoOf(strings.version, strings.mod);
      if (info === undefined) malformed('Go build info', 'the Go version is empty');
      return { kind: 'packages', packages: goPackages(info, this.path) };
    } catch (e) {
      if (!isProvenantError(e)) throw e;
      return { kind: 'problem', code: e.code, message: e.message };
    }
  }

  private search(chunk: Buffer, at: number): boolean {
    const tailAt = at - this.tail.length;
    const haystack = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
    for (let from = 0; ; ) {
      const i = haystack.indexOf(BUILDINFO_MAGIC, from);
      if (i < 0 || tailAt + i >= this.searchBytes) break;
      if ((tailAt + i) % BUILDINFO_ALIGN === 0) {
        this.state = 'keep';
        this.tail = Buffer.alloc(0);
        return this.keep(haystack.subarray(i));
      }
      from = i + 1;
    }
    // Every offset that could still start a magic is at or past this one.
    if (this.offset - CARRY >= this.searchBytes) return this.stop();
    this.tail = Buffer.from(haystack.subarray(Math.max(0, haystack.length - CARRY)));
    return true;
  }

  private keep(chunk: Buffer): boolean {
    const take = Math.min(chunk.length, this.keepBytes - this.keptBytes);
    if (take > 0) this.kept.push(Buffer.from(chunk.subarray(0, take)));
    this.keptBytes += take;
    if (this.keptBytes < this.keepBytes) return true;
    this.state = 'done';
    return false;
  }

  private stop(): false {
    this.state = 'done';
    this.tail = Buffer.alloc(0);
    this.kept = [];
    this.keptBytes = 0;
    return false;
  }
}

/**
 * The packages of several executables (path → packages) as one set: a module found in more than one binary is
 * one package with every location, as catalogAll merges them. New objects; the inputs are not changed.
 */
export function mergeGoPackages(binaries: ReadonlyMap<string, readonly Package[]>): Package[] {
  const merged = new Map<string, Package>();
  for (const path of [...binaries.keys()].sort(ascending)) {
    for (const pkg of binaries.get(path)!) {
      const seen = merged.get(pkg.purl);
      if (seen === undefined) {
        merged.set(pkg.purl, { ...pkg, locations: [...pkg.locations], ...(pkg.dependsOn === undefined ? {} : { dependsOn: [...pkg.dependsOn] }) });
        continue;
      }
      seen.locations = [...new Set([...seen.locations, ...pkg.locations])];
      if (pkg.dependsOn !== undefined) seen.dependsOn = [...new Set([...(seen.dependsOn ?? []), ...pkg.dependsOn])];
    }
  }
  return [...merged.values()];
}
