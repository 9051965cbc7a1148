// What a layer walk reports for each tar entry. Paths are normalised (paths.ts); whiteouts are reported as the
// entries they are in the tar (".wh.<name>", usually an empty file) and interpreted by whiteouts.ts.
import { sha256Hex } from '../core/digest.js';

export type LayerEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** A device node or FIFO ('other' entries). Numbers are 0 for a FIFO. */
export interface DeviceInfo {
  kind: 'char' | 'block' | 'fifo';
  major: number;
  minor: number;
}

export interface LayerEntry {
  /** Normalised: relative, "/"-separated, no empty, "." or ".." components; never the root. */
  path: string;
  type: LayerEntryType;
  /** The header's mode field as recorded (permission bits, possibly with file-type bits of old writers). */
  mode: number;
  /** Content bytes for files; 0 for every other type. */
  size: number;
  /**
   * Lowercase hex SHA-256 of: the content (files); the target string as recorded (symlinks); the normalised
   * target path (hard links); `deviceDescriptor(device)` ('other'); the empty string (directories).
   */
  sha256: string;
  /** Symlinks: the target exactly as recorded, never resolved. Hard links: the normalised path of an earlier entry. */
  linkTarget?: string;
  device?: DeviceInfo;
  /** The content, for files the walk's `capture` predicate selected. */
  content?: Buffer;
}

/** sha256 of the empty string: the hash of a directory's (absent) content. */
export const EMPTY_SHA256 = sha256Hex('');

/** The string whose SHA-256 identifies a device node: "char:<major>:<minor>", "block:<major>:<minor>" or "fifo". */
export function deviceDescriptor(device: DeviceInfo): string {
  switch (device.kind) {
    case 'char':
    case 'block':
      return `${device.kind}:${device.major}:${device.minor}`;
    case 'fifo':
      return 'fifo';
  }
}
