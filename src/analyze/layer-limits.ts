// Bounds on the cost of reading one layer. A layer is attacker-controlled and of any size; the walk streams file
// content, so what it keeps is per-entry metadata (bounded by the entry count and the total bytes of paths) and
// the files a caller asks to capture. Each hostile shape has its own error code so that a caller can tell a
// decompression bomb from a layer that is merely large.
import { ProvenantError, type ErrorCode } from '../core/errors.js';

export interface LayerLimits {
  /** Entries in the layer, the root directory excluded (LAYER_TOO_MANY_ENTRIES). */
  maxEntries: number;
  /** Sum of the UTF-8 lengths of all entry paths (LAYER_TOO_MANY_ENTRIES). */
  maxTotalPathBytes: number;
  /** UTF-8 bytes of one normalised path; Linux PATH_MAX is 4096 with its NUL (LAYER_PATH_TOO_LONG). */
  maxPathBytes: number;
  /** UTF-8 bytes of one path component; Linux NAME_MAX is 255 (LAYER_PATH_TOO_LONG). */
  maxNameBytes: number;
  /** Components of one path (LAYER_PATH_TOO_DEEP). */
  maxDepth: number;
  /** UTF-8 bytes of a symlink target (LAYER_PATH_TOO_LONG). */
  maxLinkBytes: number;
  /** Bytes of the decompressed tar stream, padding and trailer included (LAYER_TOO_LARGE). */
  maxUncompressedBytes: number;
  /** Decompressed bytes per compressed byte (LAYER_DECOMPRESSION_BOMB), enforced past `ratioGraceBytes`. */
  maxCompressionRatio: number;
  /**
   * Decompressed bytes below which the ratio is not checked. Real layers hold runs of zeros (sparse log files such
   * as lastlog of a high UID) that compress a thousandfold; the grace keeps those usable while a layer that keeps
   * expanding far beyond its download is still refused.
   */
  ratioGraceBytes: number;
  /** Data of one pax extended header or GNU long name record (INPUT_TOO_LARGE). */
  maxHeaderDataBytes: number;
  /** Content of one captured file (INPUT_TOO_LARGE). */
  maxCaptureBytes: number;
  /** Content of all captured files of the layer together (INPUT_TOO_LARGE). */
  maxCaptureTotalBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LAYER_LIMITS: Readonly<LayerLimits> = Object.freeze({
  maxEntries: 500_000,
  maxTotalPathBytes: 64 * MiB,
  maxPathBytes: 4095,
  maxNameBytes: 255,
  maxDepth: 256,
  maxLinkBytes: 4095,
  maxUncompressedBytes: 64 * 1024 * MiB,
  maxCompressionRatio: 250,
  ratioGraceBytes: 1024 * MiB,
  maxHeaderDataBytes: MiB,
  maxCaptureBytes: 64 * MiB,
  maxCaptureTotalBytes: 256 * MiB,
});

/** The defaults overridden by `overrides`; USAGE for a limit that is not a positive number. */
export function layerLimits(overrides: Partial<LayerLimits> = {}): LayerLimits {
  const out: LayerLimits = { ...DEFAULT_LAYER_LIMITS };
  for (const key of Object.keys(DEFAULT_LAYER_LIMITS) as (keyof LayerLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    const ok = key === 'maxCompressionRatio' ? Number.isFinite(value) && value > 0 : Number.isSafeInteger(value) && value > 0;
    if (!ok) throw new ProvenantError('USAGE', `layer limit ${key} must be a positive number`, { details: { limit: key, value } });
    out[key] = value;
  }
  return out;
}

/** Throws `code` with details naming the limit that was exceeded and its value. */
export function overLimit(code: ErrorCode, message: string, limit: keyof LayerLimits, max: number, details: Record<string, unknown> = {}): never {
  throw new ProvenantError(code, message, { details: { limit, max, ...details } });
}
