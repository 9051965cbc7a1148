// Image configuration (image-spec config.md; the Docker image JSON is the same document). Only what analysis
// and verification need is interpreted: platform, rootfs.diff_ids and history. Everything is CONFIG_MALFORMED
// on failure, except JSON-level errors (JSON_*) and size limits (INPUT_TOO_LARGE).
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { parseDigest, type Digest } from '../core/digest.js';
import { isJsonObject, parseJsonObject, type JsonObject, type JsonValue } from '../core/json.js';

/** Largest config read whole (containers/image allows 4 MiB; long build histories justify some headroom). */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
const MAX_LAYERS = 10_000;

export interface HistoryEntry {
  created?: string;
  createdBy?: string;
  author?: string;
  comment?: string;
  /** True when this step produced no filesystem layer (ENV, LABEL, CMD, ...). */
  emptyLayer: boolean;
}

export interface ImageConfig {
  os: string;
  architecture: string;
  variant?: string;
  created?: string;
  author?: string;
  /** rootfs.diff_ids: sha256 of each layer's uncompressed tar, bottom layer first. */
  diffIds: Digest[];
  history: HistoryEntry[];
  /** The execution parameters (`config`: User, Env, Entrypoint, Cmd, Labels, ...) as found, when present. */
  runtime?: JsonObject;
  /** The whole document, for fields not modelled here. */
  document: JsonObject;
}

function bad(where: string, reason: string, cause?: unknown): never {
  throw new ProvenantError('CONFIG_MALFORMED', `image config ${where}: ${reason}`, { details: { field: where }, cause });
}

function str(value: JsonValue | undefined, where: string, required: true): string;
function str(value: JsonValue | undefined, where: string, required: false): string | undefined;
function str(value: JsonValue | undefined, where: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') bad(where, 'must be a string');
  return value;
}

/** Parses config bytes. */
export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  if (bytes.length > MAX_CONFIG_BYTES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `image config is ${bytes.length} bytes, over the limit of ${MAX_CONFIG_BYTES}`);
  }
  const doc = parseJsonObject(bytes, 'image config', { maxLength: MAX_CONFIG_BYTES });
  const rootfs = doc['rootfs'];
  if (!isJsonObject(rootfs)) bad('rootfs', 'must be an object');
  if (rootfs['type'] !== 'layers') bad('rootfs.type', 'must be "layers"');
  const diffIdValues = rootfs['diff_ids'];
  if (!Array.isArray(diffIdValues)) bad('rootfs.diff_ids', 'must be an array');
  if (diffIdValues.length > MAX_LAYERS) {
    throw new ProvenantError('INPUT_TOO_LARGE', `image config lists ${diffIdValues.length} layers, over the limit of ${MAX_LAYERS}`);
  }
  const diffIds = diffIdValues.map((v, i) => diffId(v, `rootfs.diff_ids[${i}]`));

  const historyValue = doc['history'] ?? [];
  if (!Array.isArray(historyValue)) bad('history', 'must be an array');
  if (historyValue.length > MAX_LAYERS * 10) {
    throw new ProvenantError('INPUT_TOO_LARGE', `image config has ${historyValue.length} history entries`);
  }
  const history = historyValue.map((h, i) => historyEntry(h, `history[${i}]`));

  const config: ImageConfig = {
    os: str(doc['os'], 'os', true),
    architecture: str(doc['architecture'], 'architecture', true),
    diffIds,
    history,
    document: doc,
  };
  const optional = { variant: str(doc['variant'], 'variant', false), created: str(doc['created'], 'created', false) };
  if (optional.variant !== undefined) config.variant = optional.variant;
  if (optional.created !== undefined) config.created = optional.created;
  const author = str(doc['author'], 'author', false);
  if (author !== undefined) config.author = author;
  const runtime = doc['config'];
  if (runtime !== undefined && runtime !== null) {
    if (!isJsonObject(runtime)) bad('config', 'must be an object');
    config.runtime = runtime;
  }
  return config;
}

function diffId(value: JsonValue, where: string): Digest {
  if (typeof value !== 'string') bad(where, 'must be a string');
  try {
    return parseDigest(value, where);
  } catch (e) {
    if (isProvenantError(e, 'DIGEST_MALFORMED')) bad(where, 'is not sha256:<64 lowercase hex>', e);
    throw e;
  }
}

function historyEntry(value: JsonValue, where: string): HistoryEntry {
  if (!isJsonObject(value)) bad(where, 'must be an object');
  const empty = value['empty_layer'];
  if (empty !== undefined && typeof empty !== 'boolean') bad(`${where}.empty_layer`, 'must be a boolean');
  const entry: HistoryEntry = { emptyLayer: empty === true };
  const created = str(value['created'], `${where}.created`, false);
  if (created !== undefined) entry.created = created;
  const createdBy = str(value['created_by'], `${where}.created_by`, false);
  if (createdBy !== undefined) entry.createdBy = createdBy;
  const author = str(value['author'], `${where}.author`, false);
  if (author !== undefined) entry.author = author;
  const comment = str(value['comment'], `${where}.comment`, false);
  if (comment !== undefined) entry.comment = comment;
  return entry;
}

export interface LayerHistory {
  /** For each layer (index into diffIds and manifest layers), its history entry, if history covers it. */
  perLayer: (HistoryEntry | undefined)[];
  /** True when the non-empty history entries are exactly as many as the layers, as config.md requires. */
  consistent: boolean;
}

/**
 * Pairs layers with the history steps that made them: the n-th layer belongs to the n-th history entry whose
 * `empty_layer` is not true (config.md, `history`). Images built by tools that omit history get undefined
 * entries and `consistent: false`; so do images whose history is longer than their layer list.
 */
export function layerHistory(config: ImageConfig): LayerHistory {
  const nonEmpty = config.history.filter((h) => !h.emptyLayer);
  const perLayer = config.diffIds.map((_, i) => nonEmpty[i]);
  return { perLayer, consistent: nonEmpty.length === config.diffIds.length };
}
