// A full audit of a log from its tlog-tiles resources alone (`provenant log verify --full`, locally or over HTTP):
// every entry is read in entry bundles, every leaf hash and the root are recomputed and compared with the signed
// checkpoint, and the stored tree hashes (the hash tiles) are compared with hashes recomputed from below, so a
// mismatch is located: the first entry that no longer hashes to its stored leaf hash, or the tile whose stored
// hashes disagree. Problems are collected into a report rather than thrown at the first one.
import { ProvenantError, toProvenantError, type ErrorCode } from '../core/errors.js';
import { verifyCheckpointNote, type Checkpoint } from '../formats/checkpoint.js';
import type { NoteVerifier } from '../formats/signed-note.js';
import { TILE_HEIGHT, TILE_WIDTH, decodeEntryBundle, decodeHashTile, formatTilePath, type TilePath } from '../formats/tlog-tiles.js';
import { CompactRange, leafHash } from '../merkle/index.js';

/** What an audit reads: the tlog-tiles resources of the log (TransparencyLog, or the HTTP client of a service). */
export interface AuditReader {
  checkpointNote(): Promise<string>;
  /** Null when the log has no such tile. */
  tile(level: number, index: bigint, width?: number): Promise<Buffer | null>;
  /** Null when the log has no such bundle. */
  entryBundle(index: bigint, width?: number): Promise<Buffer | null>;
}

export interface AuditOptions {
  /** The origin the checkpoint must name. */
  readonly origin?: string;
  /** Audit the tree of this already verified checkpoint instead of reading the latest one. */
  readonly checkpoint?: Checkpoint;
  /** Re-checks one entry (e.g. its signatures); whatever it throws is reported as a problem of that index. */
  readonly describe?: (index: bigint, entry: Buffer) => unknown;
  /** Called after each bundle with the entries read so far. */
  readonly onProgress?: (checked: bigint, size: bigint) => void;
  /** Problems recorded before the rest are only counted. Default 1000. */
  readonly maxProblems?: number;
}

export interface AuditProblem {
  readonly code: ErrorCode;
  readonly message: string;
  /** The entry concerned, or the first leaf under the tree hash concerned. */
  readonly index?: bigint;
  /** The tile or bundle concerned, as a tlog-tiles path ("0/x001/234", "entries/000.p/7"). */
  readonly tile?: string;
}

export interface AuditReport {
  readonly checkpoint: Checkpoint;
  /** Entries read and hashed. */
  readonly checked: bigint;
  /** The root recomputed from the entries (hex), or null when some leaves could not be read at all. */
  readonly recomputedRoot: string | null;
  readonly problems: readonly AuditProblem[];
  /** Problems found in all, including those beyond maxProblems. */
  readonly problemCount: number;
  readonly ok: boolean;
}

/**
 * Audits the whole tree of the log's checkpoint. Errors (thrown, as no audit can start): those of
 * verifyCheckpointNote for the latest checkpoint, and whatever the reader throws (an unreachable service).
 */
export async function auditLog(reader: AuditReader, verifier: NoteVerifier, options: AuditOptions = {}): Promise<AuditReport> {
  const checkpoint = options.checkpoint ?? verifyCheckpointNote(await reader.checkpointNote(), verifier, options.origin);
  const found = new Problems(options.maxProblems ?? 1000);
  const size = checkpoint.size;
  // The root comes from the entries; the upper tiles are checked against hashes recomputed from the stored leaf
  // hashes, so a stored interior hash that is wrong is told apart from an entry that was edited.
  let fromEntries: CompactRange | null = CompactRange.empty();
  let fromStored: CompactRange | null = CompactRange.empty();
  const upper = new Map<number, Buffer[]>();
  let checked = 0n;
  for (let n = 0n; n * BigInt(TILE_WIDTH) < size; n++) {
    const first = n * BigInt(TILE_WIDTH);
    const width = Number(min(BigInt(TILE_WIDTH), size - first));
    const [entries, stored] = await Promise.all([
      readResource(found, { kind: 'entries', index: n }, width, (w) => reader.entryBundle(n, w), decodeEntryBundle),
      readResource(found, { kind: 'hash', level: 0, index: n }, width, (w) => reader.tile(0, n, w), decodeHashTile),
    ]);
    const computed = entries?.map((e) => leafHash(e)) ?? null;
    if (entries !== null && computed !== null) {
      for (let i = 0; i < width; i++) {
        const index = first + BigInt(i);
        if (stored !== null && !(computed[i] as Buffer).equals(stored[i] as Buffer)) {
          found.add({ code: 'LOG_ENTRY_TAMPERED', message: `entry ${index} does not hash to its stored leaf hash`, index, tile: formatTilePath({ kind: 'hash', level: 0, index: n }) });
        }
        if (options.describe !== undefined) await describeOne(found, options.describe, index, entries[i] as Buffer);
      }
      checked += BigInt(width);
    }
    fromEntries = extend(fromEntries, computed ?? stored, null);
    fromStored = extend(fromStored, stored ?? computed, upper);
    options.onProgress?.(checked, size);
  }
  let recomputedRoot: string | null = null;
  if (fromEntries !== null) {
    const root = fromEntries.root();
    recomputedRoot = root.toString('hex');
    if (!root.equals(checkpoint.rootHash)) {
      found.add({ code: 'LOG_ROOT_MISMATCH', message: `the entries hash to root ${recomputedRoot}, the checkpoint of size ${size} says ${checkpoint.rootHash.toString('hex')}` });
    }
  }
  if (fromStored !== null) await checkUpperTiles(reader, found, size, upper);
  return { checkpoint, checked, recomputedRoot, problems: found.list, problemCount: found.count, ok: found.count === 0 };
}

/** Compares every tile of level 1 and up with the subtree hashes recomputed from the stored leaf hashes. */
async function checkUpperTiles(reader: AuditReader, found: Problems, size: bigint, upper: Map<number, Buffer[]>): Promise<void> {
  for (let level = 1; size >> BigInt(TILE_HEIGHT * level) > 0n; level++) {
    const expected = upper.get(level) ?? [];
    const count = size >> BigInt(TILE_HEIGHT * level);
    for (let n = 0n; n * BigInt(TILE_WIDTH) < count; n++) {
      const first = Number(n) * TILE_WIDTH;
      const width = Number(min(BigInt(TILE_WIDTH), count - BigInt(first)));
      const stored = await readResource(found, { kind: 'hash', level, index: n }, width, (w) => reader.tile(level, n, w), decodeHashTile);
      if (stored === null) continue;
      const bad = stored.findIndex((h, i) => !h.equals(expected[first + i] as Buffer));
      if (bad >= 0) {
        const index = BigInt(first + bad) << BigInt(TILE_HEIGHT * level);
        found.add({
          code: 'LOG_ENTRY_TAMPERED',
          message: `stored tree hash ${bad} of tile ${level}/${n} differs from the hash of the leaves under it (from entry ${index})`,
          index,
          tile: formatTilePath({ kind: 'hash', level, index: n }),
        });
      }
    }
  }
}

/**
 * Reads a tile or bundle of `width` items. A partial one the log no longer serves (its tile filled up since the
 * checkpoint) is taken from the start of the full one. Missing or malformed resources are recorded, giving null.
 */
async function readResource(
  found: Problems,
  path: TilePath,
  width: number,
  read: (width?: number) => Promise<Buffer | null>,
  decode: (data: Uint8Array, width: number) => Buffer[],
): Promise<Buffer[] | null> {
  const partial = width < TILE_WIDTH ? width : undefined;
  const where = formatTilePath(partial === undefined ? path : { ...path, width: partial });
  try {
    const data = await read(partial);
    if (data !== null) return decode(data, width);
    if (partial !== undefined) {
      const full = await read(undefined);
      if (full !== null) return decode(full, TILE_WIDTH).slice(0, width);
    }
    found.add({ code: 'TILE_NOT_FOUND', message: `the log does not serve ${where}`, tile: where, index: firstLeaf(path) });
  } catch (e) {
    if (!(e instanceof ProvenantError) || e.code !== 'TILE_MALFORMED') throw e;
    found.add({ code: e.code, message: `${where}: ${e.message}`, tile: where, index: firstLeaf(path) });
  }
  return null;
}

function firstLeaf(path: TilePath): bigint {
  const level = path.kind === 'hash' ? path.level : 0;
  return path.index << BigInt(TILE_HEIGHT * (level + 1));
}

/** Appends leaf hashes to a tree being rebuilt, keeping the subtree hashes tiles of level 1 and up hold. */
function extend(range: CompactRange | null, hashes: readonly Buffer[] | null, upper: Map<number, Buffer[]> | null): CompactRange | null {
  if (range === null || hashes === null) return null;
  for (const hash of hashes) {
    const done = range.append(hash);
    if (upper === null) continue;
    for (const node of done) {
      if (node.id.level === 0 || node.id.level % TILE_HEIGHT !== 0) continue;
      const level = node.id.level / TILE_HEIGHT;
      const list = upper.get(level) ?? [];
      list.push(node.hash);
      upper.set(level, list);
    }
  }
  return range;
}

async function describeOne(found: Problems, describe: NonNullable<AuditOptions['describe']>, index: bigint, entry: Buffer): Promise<void> {
  try {
    await describe(index, entry);
  } catch (e) {
    const error = toProvenantError(e);
    found.add({ code: error.code, message: `entry ${index}: ${error.message}`, index });
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

class Problems {
  readonly list: AuditProblem[] = [];
  count = 0;

  constructor(private readonly max: number) {}

  add(problem: AuditProblem): void {
    this.count++;
    if (this.list.length < this.max) this.list.push(problem);
  }
}
