// Merged /usr (Debian since bookworm, Ubuntu, Fedora, Arch): /bin, /sbin and /lib* are symlinks into /usr, yet
// package databases still list many files under the old names (dpkg records what the .deb contains, "/bin/ls").
// Matching those lists against the root filesystem needs both spellings to meet on the /usr one.
import type { RootfsView } from './rootfs-view.js';
import { normalizeLayerPath } from './paths.js';
import { DEFAULT_LAYER_LIMITS } from './layer-limits.js';

/** Top-level directories that merged-/usr systems turn into symlinks. */
export const USR_MERGED_DIRS: readonly string[] = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/**
 * `path` normalised, with a leading bin/, sbin/ or lib*\/ rewritten to the directory under usr/ it is a symlink
 * to in `view` ("bin/ls" becomes "usr/bin/ls" when bin -> usr/bin; "sbin/x" becomes "usr/bin/x" where sbin ->
 * usr/bin). Unchanged when that directory is not such a symlink, and for the symlink itself ("bin"). Only the
 * first component is looked at; RootfsView.resolveParents resolves every symlinked directory.
 */
export function usrMergePath(view: RootfsView, path: string): string {
  const normal = normalizeLayerPath(path, DEFAULT_LAYER_LIMITS);
  const slash = normal.indexOf('/');
  if (slash === -1) return normal;
  const top = normal.slice(0, slash);
  if (!USR_MERGED_DIRS.includes(top)) return normal;
  const link = view.get(top);
  if (link?.type !== 'symlink' || link.linkTarget === undefined) return normal;
  const target = usrTarget(link.linkTarget);
  return target === undefined ? normal : `${target}${normal.slice(slash)}`;
}

/** "usr/bin", "/usr/bin", "./usr/bin/" → "usr/bin"; undefined for anything not a directory directly under usr/. */
function usrTarget(linkTarget: string): string | undefined {
  const parts = linkTarget.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length !== 2 || parts[0] !== 'usr' || parts[1] === '..') return undefined;
  return `usr/${parts[1]}`;
}
