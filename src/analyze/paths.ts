// Entry paths of layer tars in the one form every analysis keys on: relative to the layer root, "/"-separated,
// without empty, "." or ".." components. Tar writers vary ("./etc/", "/etc", "etc//x") and containerd and Docker
// apply all of these to the same place, so they are the same path here. A ".." component is refused rather than
// resolved: appliers clamp such entries to the root in different ways, and no image builder writes them.
import { ProvenantError } from '../core/errors.js';
import { overLimit, type LayerLimits } from './layer-limits.js';

export type PathLimits = Pick<LayerLimits, 'maxPathBytes' | 'maxNameBytes' | 'maxDepth'>;

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

const shown = (raw: string): string => raw.slice(0, 200);

function unsafe(raw: string, reason: string): never {
  throw new ProvenantError('ARCHIVE_PATH_UNSAFE', `layer entry path ${JSON.stringify(shown(raw))} ${reason}`, {
    details: { path: shown(raw) },
  });
}

/**
 * The normalised form of an entry path: a leading "/" or "./" and empty or "." components dropped; "" is the
 * layer root. ARCHIVE_PATH_UNSAFE for a NUL byte or a ".." component; LAYER_PATH_TOO_DEEP and
 * LAYER_PATH_TOO_LONG past the limits (measured on the normalised path, in UTF-8 bytes).
 */
export function normalizeLayerPath(raw: string, limits: PathLimits): string {
  if (raw.includes('\0')) unsafe(raw, 'contains a NUL byte');
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') unsafe(raw, 'has a ".." component');
    parts.push(part);
  }
  if (parts.length > limits.maxDepth) {
    overLimit('LAYER_PATH_TOO_DEEP', `layer entry path has ${parts.length} components, over the limit of ${limits.maxDepth}`, 'maxDepth', limits.maxDepth, {
      depth: parts.length,
      path: shown(raw),
    });
  }
  for (const part of parts) {
    const bytes = utf8Length(part);
    if (bytes > limits.maxNameBytes) {
      overLimit('LAYER_PATH_TOO_LONG', `a layer entry path component is ${bytes} bytes, over the limit of ${limits.maxNameBytes}`, 'maxNameBytes', limits.maxNameBytes, {
        bytes,
        path: shown(raw),
      });
    }
  }
  const path = parts.join('/');
  const bytes = utf8Length(path);
  if (bytes > limits.maxPathBytes) {
    overLimit('LAYER_PATH_TOO_LONG', `layer entry path is ${bytes} bytes, over the limit of ${limits.maxPathBytes}`, 'maxPathBytes', limits.maxPathBytes, {
      bytes,
      path: shown(raw),
    });
  }
  return path;
}

/** True for a path already in normalised form and not the root. */
export function isNormalizedPath(path: string): boolean {
  if (path === '' || path.includes('\0')) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** The parent of a normalised path; "" for a top-level entry. */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * Orders strings as Buffer.compare orders their UTF-8 encodings, which is code point order. UTF-16 order differs
 * only where a surrogate (a code point above U+FFFF) meets a unit in U+E000..U+FFFF; remapping both ranges puts
 * the surrogates last, as UTF-8 does. Well-formed strings only (lone surrogates have no UTF-8 form).
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
