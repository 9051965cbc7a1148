// Emits the entries of one layer as a build tool would: each new parent directory before its first child,
// every path once. File content is lazy (pool slices), so a layer of any size costs no memory to describe.
import type { ContentKind, ContentPools, Rng } from './content.js';
import type { BenchEntry } from './oci-writer.js';

export class Tree {
  private readonly dirs = new Set<string>();
  private readonly paths = new Set<string>();
  /** Content bytes emitted so far. */
  used = 0;

  constructor(
    readonly pools: ContentPools,
    readonly rng: Rng,
  ) {}

  private *parents(path: string): Generator<BenchEntry> {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (this.dirs.has(dir)) continue;
      this.dirs.add(dir);
      yield { type: 'directory', path: dir };
    }
  }

  /** `path`, or `path` with a numeric suffix before its extension if it was taken. */
  private claim(path: string): string {
    let candidate = path;
    for (let n = 2; this.paths.has(candidate) || this.dirs.has(candidate); n++) candidate = path.replace(/(\.[a-z0-9]+)?$/, `-${n}$1`);
    this.paths.add(candidate);
    return candidate;
  }

  *file(path: string, size: number, kind: ContentKind, mode = 0o644): Generator<BenchEntry> {
    const claimed = this.claim(path);
    yield* this.parents(claimed);
    this.used += size;
    yield { type: 'file', path: claimed, size, mode, data: this.pools.slices(kind, size, this.rng) };
  }

  *bytes(path: string, content: string | Buffer, mode = 0o644): Generator<BenchEntry> {
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    const claimed = this.claim(path);
    yield* this.parents(claimed);
    this.used += data.length;
    yield { type: 'file', path: claimed, size: data.length, mode, data: [data] };
  }

  /** A directory entry (for a directory that may get no children in this layer). */
  *dir(path: string): Generator<BenchEntry> {
    yield* this.parents(`${path}/x`);
  }

  *symlink(path: string, target: string): Generator<BenchEntry> {
    const claimed = this.claim(path);
    yield* this.parents(claimed);
    yield { type: 'symlink', path: claimed, target };
  }

  *hardlink(path: string, target: string): Generator<BenchEntry> {
    const claimed = this.claim(path);
    yield* this.parents(claimed);
    yield { type: 'link', path: claimed, target };
  }

  /** Text of about `size` bytes from the text pool, as a string (for files assembled around it). */
  text(size: number): string {
    return Buffer.concat([...this.pools.slices('text', size, this.rng)]).toString('latin1');
  }

  /** Calls `next` for more files until `budget` content bytes were emitted in all. */
  *fill(budget: number, next: () => Generator<BenchEntry>): Generator<BenchEntry> {
    while (this.used < budget) yield* next();
  }
}
