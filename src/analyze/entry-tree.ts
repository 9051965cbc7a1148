// The paths one layer walk has seen, as a tree of path components. It answers the questions that need earlier
// entries: does this path repeat one (layer.md forbids duplicate entries; repeated directories are tolerated, the
// later attributes winning as on apply), does it lie under something that is not a directory, and does a hard
// link name an earlier entry. A tree rather than a map of full paths keeps each check linear in the path's
// length; its size is bounded because paths imply at most a few parent directories each.
import { ProvenantError } from '../core/errors.js';
import type { LayerEntryType } from './layer-entry.js';
import { overLimit } from './layer-limits.js';

/** 'implicit': a directory that only appears as the parent of later entries. */
export type EntryKind = LayerEntryType | 'whiteout' | 'implicit';

interface Node {
  kind: EntryKind;
  children?: Map<string, Node>;
}

function malformed(path: string, reason: string): never {
  throw new ProvenantError('ARCHIVE_MALFORMED', `layer entry ${JSON.stringify(path)} ${reason}`, { details: { path } });
}

export class EntryTree {
  private readonly root: Node = { kind: 'dir' };
  private nodes = 0;

  /** `maxNodes` bounds entries plus implied parent directories (LAYER_TOO_MANY_ENTRIES). */
  constructor(private readonly maxNodes: number) {}

  /**
   * Records an entry. ARCHIVE_PATH_UNSAFE when a parent is a symlink of this layer (appliers would write
   * through it); ARCHIVE_MALFORMED when a parent is another non-directory, or the path repeats an entry, or a
   * non-directory comes after entries beneath it.
   */
  add(path: string, kind: Exclude<EntryKind, 'implicit'>): void {
    const parts = path.split('/');
    const name = parts.pop()!;
    let node = this.root;
    for (const part of parts) {
      let child = node.children?.get(part);
      if (child === undefined) child = this.create(node, part, 'implicit');
      else if (child.kind === 'symlink') {
        throw new ProvenantError('ARCHIVE_PATH_UNSAFE', `layer entry ${JSON.stringify(path)} lies under a symlink of the same layer`, {
          details: { path },
        });
      } else if (child.kind !== 'dir' && child.kind !== 'implicit') malformed(path, `lies under a ${child.kind} entry`);
      node = child;
    }
    const existing = node.children?.get(name);
    if (existing === undefined) this.create(node, name, kind);
    else if (existing.kind === 'implicit' && kind === 'dir') existing.kind = 'dir';
    else if (existing.kind === 'implicit') malformed(path, 'is not a directory, yet earlier entries lie under it');
    else if (existing.kind !== 'dir' || kind !== 'dir') malformed(path, 'appears twice in the layer');
  }

  /** The kind of what `path` names so far, without following links; undefined if nothing. */
  kindOf(path: string): EntryKind | undefined {
    let node: Node | undefined = this.root;
    for (const part of path.split('/')) {
      node = node.children?.get(part);
      if (node === undefined) return undefined;
    }
    return node.kind;
  }

  private create(parent: Node, name: string, kind: EntryKind): Node {
    if (++this.nodes > this.maxNodes) {
      overLimit('LAYER_TOO_MANY_ENTRIES', `the layer's entries and their parent directories exceed ${this.maxNodes}`, 'maxEntries', this.maxNodes);
    }
    const node: Node = { kind };
    (parent.children ??= new Map()).set(name, node);
    return node;
  }
}
