// OCI whiteouts (image-spec layer.md "Whiteouts"): an entry named ".wh.<name>" deletes <name> from the lower
// layers, and ".wh..wh..opq" in a directory hides every child the lower layers gave it. Neither applies to
// entries of its own layer. containerd and Docker recognise whiteouts by name whatever the entry's type, so
// this does too. Names under the ".wh..wh." prefix other than the opaque marker are AUFS bookkeeping
// (.wh..wh.plnk, .wh..wh.aufs) that appliers skip with special rules of their own; they are refused rather
// than half-modelled.
import { ProvenantError } from '../core/errors.js';
import { baseName, joinPath, parentPath } from './paths.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
const META_PREFIX = '.wh..wh.';

export type Whiteout =
  /** `path` (the entry's own path) deletes `target` from the lower layers. */
  | { kind: 'whiteout'; path: string; target: string }
  /** `path` hides the lower layers' children of `dir` ("" for the root). */
  | { kind: 'opaque'; path: string; dir: string };

/**
 * What a normalised entry path means as a whiteout, or undefined for an ordinary entry. ARCHIVE_MALFORMED for a
 * whiteout name used as a directory component or with nothing to delete, ARCHIVE_PATH_UNSAFE for ".wh..",
 * UNSUPPORTED for AUFS metadata names.
 */
export function classifyWhiteout(path: string): Whiteout | undefined {
  if (!path.includes(WHITEOUT_PREFIX)) return undefined;
  const dir = parentPath(path);
  const name = baseName(path);
  for (const part of dir === '' ? [] : dir.split('/')) {
    if (part.startsWith(META_PREFIX)) aufs(path);
    if (part.startsWith(WHITEOUT_PREFIX)) {
      throw new ProvenantError('ARCHIVE_MALFORMED', `layer entry ${JSON.stringify(path)} lies inside a whiteout name`, { details: { path } });
    }
  }
  if (!name.startsWith(WHITEOUT_PREFIX)) return undefined;
  if (name === OPAQUE_MARKER) return { kind: 'opaque', path, dir };
  if (name.startsWith(META_PREFIX)) aufs(path);
  const target = name.slice(WHITEOUT_PREFIX.length);
  if (target === '') {
    throw new ProvenantError('ARCHIVE_MALFORMED', `whiteout ${JSON.stringify(path)} names nothing to delete`, { details: { path } });
  }
  if (target === '.' || target === '..') {
    throw new ProvenantError('ARCHIVE_PATH_UNSAFE', `whiteout ${JSON.stringify(path)} would delete its own directory`, { details: { path } });
  }
  return { kind: 'whiteout', path, target: joinPath(dir, target) };
}

function aufs(path: string): never {
  throw new ProvenantError('UNSUPPORTED', `layer entry ${JSON.stringify(path)} is AUFS metadata`, { details: { path } });
}
