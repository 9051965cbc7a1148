// The root filesystem an image's layers build, as paths and metadata only (no content), so that a caller can ask
// after each layer what exists: which package databases, which files a package set claims. Layers are applied
// as image-spec layer.md says and as overlayfs shows them: a layer's whiteouts and opaque markers act on the lower
// layers only (so they are applied before the layer's own entries, whatever their order in the tar); a directory
// over a directory merges, anything else replaces what was there with everything beneath it; and paths are
// literal, so an entry under "lib/" when a lower layer made "lib" a symlink hides that symlink behind a
// directory instead of writing through it (appliers create parents in the layer's own directory).
import { ProvenantError } from '../core/errors.js';
import { EMPTY_SHA256, type LayerEntry } from './layer-entry.js';
import { DEFAULT_LAYER_LIMITS } from './layer-limits.js';
import { compareUtf8, isNormalizedPath, joinPath, normalizeLayerPath } from './paths.js';
import { classifyWhiteout, type Whiteout } from './whiteouts.js';

export interface ViewEntry extends Omit<LayerEntry, 'path' | 'content'> {
  /** Index (from 0) of the layer that created it or last changed its attributes. */
  layer: number;
  /** A directory no layer has an entry for, made because a layer put something beneath it. */
  implicit: boolean;
}

interface Node {
  entry: ViewEntry;
  children?: Map<string, Node>;
}

export interface RootfsViewOptions {
  /** Paths the view may hold at once, implied directories included (LAYER_TOO_MANY_ENTRIES). */
  maxNodes?: number;
}

const DEFAULT_MAX_NODES = 4_000_000;
/** Linux's MAXSYMLINKS. */
const MAX_SYMLINK_HOPS = 40;

export class RootfsView {
  private readonly root: Node = { entry: implicitDir(-1) };
  private nodes = 0;
  private applied = 0;
  private readonly maxNodes: number;

  constructor(options: RootfsViewOptions = {}) {
    this.maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  }

  /** Layers applied so far; the next one applied gets this index. */
  get layers(): number {
    return this.applied;
  }

  /** Paths in the view, implied directories included, the root not. */
  get size(): number {
    return this.nodes;
  }

  /**
   * Applies the next layer's entries (as walkLayer reports them; `content` is not kept). ARCHIVE_PATH_UNSAFE for
   * a path that is not normalised; the whiteout errors of classifyWhiteout; LAYER_TOO_MANY_ENTRIES past
   * maxNodes. After an error the view is part-way through the layer and should be dropped.
   */
  applyLayer(entries: Iterable<LayerEntry>): void {
    const layer = this.applied;
    const whiteouts: Whiteout[] = [];
    const additions: LayerEntry[] = [];
    for (const entry of entries) {
      if (!isNormalizedPath(entry.path)) {
        throw new ProvenantError('ARCHIVE_PATH_UNSAFE', `layer entry path ${JSON.stringify(entry.path.slice(0, 200))} is not normalised`);
      }
      const whiteout = classifyWhiteout(entry.path);
      if (whiteout === undefined) additions.push(entry);
      else whiteouts.push(whiteout);
    }
    for (const whiteout of whiteouts) {
      if (whiteout.kind === 'whiteout') this.remove(whiteout.target);
      else this.makeOpaque(whiteout.dir);
    }
    for (const entry of additions) this.add(entry, layer);
    this.applied++;
  }

  /** The entry at `path` ("/" and "./" prefixes allowed), without following symlinks; "" is the root. */
  get(path: string): ViewEntry | undefined {
    return this.lookup(normalizeLayerPath(path, DEFAULT_LAYER_LIMITS))?.entry;
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  /** Every path under `prefix` ("" for all), depth first, siblings in UTF-8 byte order; `prefix` itself excluded. */
  *entries(prefix = ''): Generator<[string, ViewEntry], void, undefined> {
    const start = normalizeLayerPath(prefix, DEFAULT_LAYER_LIMITS);
    const first = this.lookup(start);
    if (first === undefined) return;
    const stack: [string, Node][] = [[start, first]];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      const [path, node] = top;
      if (node !== first) yield [path, node.entry];
      const names = [...(node.children?.keys() ?? [])].sort(compareUtf8).reverse();
      for (const name of names) stack.push([joinPath(path, name), node.children!.get(name)!]);
    }
  }

  /**
   * `path` with every symlink among its directories resolved inside the root filesystem (absolute targets
   * relative to the root, ".." stopping at the root), the last component left as it is. Components that do not
   * exist are kept literally. Undefined after more than 40 symlinks, as Linux gives ELOOP.
   */
  resolveParents(path: string): string | undefined {
    const pending = normalizeLayerPath(path, DEFAULT_LAYER_LIMITS).split('/').reverse();
    const names: string[] = [];
    const trail: (Node | undefined)[] = [this.root];
    let hops = 0;
    for (let part = pending.pop(); part !== undefined; part = pending.pop()) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (names.length > 0) {
          names.pop();
          trail.pop();
        }
        continue;
      }
      const node = trail[trail.length - 1]?.children?.get(part);
      if (pending.length > 0 && node?.entry.type === 'symlink' && node.entry.linkTarget !== undefined) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        const target = node.entry.linkTarget;
        if (target.startsWith('/')) {
          names.length = 0;
          trail.length = 1;
        }
        pending.push(...target.split('/').reverse());
        continue;
      }
      names.push(part);
      trail.push(node);
    }
    return names.join('/');
  }

  private lookup(path: string): Node | undefined {
    if (path === '') return this.root;
    let node: Node | undefined = this.root;
    for (const part of path.split('/')) {
      node = node.children?.get(part);
      if (node === undefined) return undefined;
    }
    return node;
  }

  private remove(path: string): void {
    const slash = path.lastIndexOf('/');
    const parent = this.lookup(slash === -1 ? '' : path.slice(0, slash));
    const name = path.slice(slash + 1);
    const node = parent?.children?.get(name);
    if (node === undefined) return;
    this.nodes -= countNodes(node);
    parent!.children!.delete(name);
  }

  private makeOpaque(dir: string): void {
    const node = this.lookup(dir);
    if (node === undefined || node.entry.type !== 'dir' || node.children === undefined) return;
    for (const child of node.children.values()) this.nodes -= countNodes(child);
    delete node.children;
  }

  private add(entry: LayerEntry, layer: number): void {
    const parts = entry.path.split('/');
    const name = parts.pop()!;
    let node = this.root;
    for (const part of parts) {
      let child = node.children?.get(part);
      if (child === undefined || child.entry.type !== 'dir') {
        if (child !== undefined) this.nodes -= countNodes(child);
        child = this.create(node, part, implicitDir(layer));
      }
      node = child;
    }
    const existing = node.children?.get(name);
    const next = viewEntry(entry, layer);
    if (existing !== undefined && existing.entry.type === 'dir' && next.type === 'dir') {
      existing.entry = next;
      return;
    }
    if (existing !== undefined) this.nodes -= countNodes(existing);
    this.create(node, name, next);
  }

  private create(parent: Node, name: string, entry: ViewEntry): Node {
    if (++this.nodes > this.maxNodes) {
      throw new ProvenantError('LAYER_TOO_MANY_ENTRIES', `the root filesystem holds more than ${this.maxNodes} paths`, {
        details: { limit: 'maxNodes', max: this.maxNodes },
      });
    }
    const node: Node = { entry };
    (parent.children ??= new Map()).set(name, node);
    return node;
  }
}

function implicitDir(layer: number): ViewEntry {
  return { type: 'dir', mode: 0o755, size: 0, sha256: EMPTY_SHA256, layer, implicit: true };
}

function viewEntry(entry: LayerEntry, layer: number): ViewEntry {
  const out: ViewEntry = { type: entry.type, mode: entry.mode, size: entry.size, sha256: entry.sha256, layer, implicit: false };
  if (entry.linkTarget !== undefined) out.linkTarget = entry.linkTarget;
  if (entry.device !== undefined) out.device = { ...entry.device };
  return out;
}

function countNodes(node: Node): number {
  let count = 0;
  const stack = [node];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    count++;
    for (const child of top.children?.values() ?? []) stack.push(child);
  }
  return count;
}
