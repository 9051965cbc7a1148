// The file-tree hash of a layer: an RFC 6962 Merkle root over one leaf per path the layer creates or deletes,
// sorted by the UTF-8 bytes of the path. Unlike the diff ID it does not depend on how the tar was written (entry
// order, headers, timestamps, owners, padding), so a node agent can recompute it from the layer's unpacked
// directory and prove that what runs is what was built. docs/file-tree-hash.md is the normative description;
// the leaves are defined so that the tar side and the directory side see the same thing.
import type { Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { canonicalJsonBytes } from '../core/json.js';
import { CompactRange, leafHash } from '../merkle/index.js';
import { EMPTY_SHA256, type LayerEntry } from './layer-entry.js';
import { compareUtf8, isNormalizedPath, parentPath } from './paths.js';
import { classifyWhiteout } from './whiteouts.js';

/** Names this algorithm wherever a file-tree hash is recorded. */
export const FILE_TREE_HASH_ALGORITHM = 'provenant-file-tree-v1';

export type TreeLeafType = 'file' | 'dir' | 'symlink' | 'other' | 'whiteout' | 'opaque';

export interface TreeLeaf {
  /** Normalised path; whiteouts and opaque markers keep their OCI names (".wh.x", ".wh..wh..opq"). */
  path: string;
  type: TreeLeafType;
  /** Permission bits (mode & 0o7777): 0o777 for symlinks, 0 for whiteouts and opaque markers. */
  mode: number;
  /** Content bytes of files; 0 for every other type. */
  size: number;
  /** Lowercase hex SHA-256, as LayerEntry.sha256 defines it; of the empty string for dir, whiteout, opaque. */
  sha256: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const LINKABLE = new Set<TreeLeafType>(['file', 'symlink', 'other']);
const PERMISSIONS = 0o7777;
/** Mode given to a parent directory the layer has no entry for: what containerd and Docker create it with. */
export const IMPLICIT_DIR_MODE = 0o755;

/** The bytes of one leaf: canonical JSON (RFC 8785) of [path, type, mode, size, sha256], UTF-8. */
export function encodeTreeLeaf(leaf: TreeLeaf): Buffer {
  return canonicalJsonBytes([leaf.path, leaf.type, leaf.mode, leaf.size, leaf.sha256]);
}

/**
 * The leaves of a layer's entries (as walkLayer reports them): whiteouts and opaque markers become leaves of
 * their own type; a hard link becomes a leaf like the one it links to (an unpacked layer shows it as the same
 * inode); symlinks get mode 0o777 (Linux keeps no other); parents the layer has no entry for become directories of
 * mode 0o755. ARCHIVE_MALFORMED for a repeated path (a repeated directory keeps its last attributes), a hard link
 * that does not end at a file, symlink or device of the layer, or a path under a non-directory.
 */
export function layerTreeLeaves(entries: Iterable<LayerEntry>): TreeLeaf[] {
  const leaves = new Map<string, TreeLeaf>();
  const links = new Map<string, LayerEntry>();
  const put = (leaf: TreeLeaf): void => {
    const existing = leaves.get(leaf.path);
    if (existing !== undefined && (existing.type !== 'dir' || leaf.type !== 'dir')) malformed(leaf.path, 'appears twice');
    leaves.set(leaf.path, leaf);
  };
  for (const entry of entries) {
    const whiteout = classifyWhiteout(entry.path);
    if (whiteout !== undefined) {
      put({ path: entry.path, type: whiteout.kind, mode: 0, size: 0, sha256: EMPTY_SHA256 });
      continue;
    }
    const mode = entry.mode & PERMISSIONS;
    switch (entry.type) {
      case 'file':
        put({ path: entry.path, type: 'file', mode, size: entry.size, sha256: entry.sha256 });
        break;
      case 'dir':
        put({ path: entry.path, type: 'dir', mode, size: 0, sha256: EMPTY_SHA256 });
        break;
      case 'symlink':
        put({ path: entry.path, type: 'symlink', mode: 0o777, size: 0, sha256: entry.sha256 });
        break;
      case 'other':
        put({ path: entry.path, type: 'other', mode, size: 0, sha256: entry.sha256 });
        break;
      case 'hardlink':
        if (links.has(entry.path)) malformed(entry.path, 'appears twice');
        links.set(entry.path, entry);
        break;
    }
  }
  for (const link of links.values()) put({ ...linkedLeaf(link, leaves, links), path: link.path });
  addImplicitParents(leaves);
  return [...leaves.values()];
}

function linkedLeaf(link: LayerEntry, leaves: ReadonlyMap<string, TreeLeaf>, links: ReadonlyMap<string, LayerEntry>): TreeLeaf {
  const visited = new Set<string>([link.path]);
  for (let current = link; ; ) {
    const target = current.linkTarget ?? '';
    if (visited.has(target)) malformed(link.path, 'is a hard link in a cycle');
    visited.add(target);
    const leaf = leaves.get(target);
    if (leaf !== undefined) {
      if (!LINKABLE.has(leaf.type)) malformed(link.path, `is a hard link to a ${leaf.type}`);
      return leaf;
    }
    const next = links.get(target);
    if (next === undefined) malformed(link.path, 'is a hard link to nothing in the layer');
    current = next;
  }
}

function addImplicitParents(leaves: Map<string, TreeLeaf>): void {
  for (const path of [...leaves.keys()]) {
    for (let dir = parentPath(path); dir !== ''; dir = parentPath(dir)) {
      const existing = leaves.get(dir);
      if (existing !== undefined) {
        if (existing.type !== 'dir') malformed(path, `lies under a ${existing.type}`);
        break;
      }
      leaves.set(dir, { path: dir, type: 'dir', mode: IMPLICIT_DIR_MODE, size: 0, sha256: EMPTY_SHA256 });
    }
  }
}

/**
 * The RFC 6962 Merkle root over `leaves` sorted by the UTF-8 bytes of their paths, each leaf hashed as
 * SHA-256(0x00 || encodeTreeLeaf(leaf)), written "sha256:<hex>"; the empty layer's root is SHA-256 of nothing.
 * The order of the input does not matter. ARCHIVE_PATH_UNSAFE for a path not in normalised form, ARCHIVE_MALFORMED for a repeated
 * path, INTERNAL for a leaf that is not in canonical form (see TreeLeaf).
 */
export function fileTreeHash(leaves: Iterable<TreeLeaf>): Digest {
  const sorted = [...leaves];
  sorted.forEach(checkLeaf);
  sorted.sort((a, b) => compareUtf8(a.path, b.path));
  const range = CompactRange.empty();
  sorted.forEach((leaf, i) => {
    if (i > 0 && sorted[i - 1]!.path === leaf.path) malformed(leaf.path, 'appears twice');
    range.append(leafHash(encodeTreeLeaf(leaf)));
  });
  return `sha256:${range.root().toString('hex')}`;
}

/** fileTreeHash(layerTreeLeaves(entries)). */
export function layerFileTreeHash(entries: Iterable<LayerEntry>): Digest {
  return fileTreeHash(layerTreeLeaves(entries));
}

function checkLeaf(leaf: TreeLeaf): void {
  if (typeof leaf.path !== 'string' || !isNormalizedPath(leaf.path)) {
    throw new ProvenantError('ARCHIVE_PATH_UNSAFE', `file-tree leaf path ${JSON.stringify(String(leaf.path).slice(0, 200))} is not normalised`);
  }
  const whiteout = classifyWhiteout(leaf.path)?.kind;
  const empty = leaf.sha256 === EMPTY_SHA256 && leaf.size === 0;
  const canonical =
    Number.isSafeInteger(leaf.size) &&
    leaf.size >= 0 &&
    typeof leaf.sha256 === 'string' &&
    HEX64.test(leaf.sha256) &&
    Number.isInteger(leaf.mode) &&
    leaf.mode >= 0 &&
    leaf.mode <= PERMISSIONS &&
    (whiteout === undefined ? !(leaf.type === 'whiteout' || leaf.type === 'opaque') : leaf.type === whiteout && leaf.mode === 0 && empty) &&
    leafShapeOk(leaf, empty);
  if (!canonical) {
    throw new ProvenantError('INTERNAL', `file-tree leaf for ${JSON.stringify(leaf.path)} is not in canonical form`, {
      details: { path: leaf.path, type: leaf.type },
    });
  }
}

function leafShapeOk(leaf: TreeLeaf, empty: boolean): boolean {
  switch (leaf.type) {
    case 'file':
      return true;
    case 'dir':
    case 'whiteout':
    case 'opaque':
      return empty;
    case 'symlink':
      return leaf.mode === 0o777 && leaf.size === 0;
    case 'other':
      return leaf.size === 0;
  }
  return false;
}

function malformed(path: string, reason: string): never {
  throw new ProvenantError('ARCHIVE_MALFORMED', `layer entry ${JSON.stringify(path)} ${reason}`, { details: { path } });
}
