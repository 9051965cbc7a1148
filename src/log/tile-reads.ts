// The C2SP tlog-tiles resources of the log, read from the stored complete subtrees and leaves. Hash tile N of
// level L is the nodes [256 N, 256 N + W) of tree level 8 L; each of those is a complete subtree, so a tile's
// bytes never change once its W nodes exist. A partial tile is served while its tile is not full yet, as the
// spec allows dropping it once the full one exists.
import { ProvenantError } from '../core/errors.js';
import { MAX_TILE_LEVEL, TILE_HEIGHT, TILE_WIDTH, encodeEntryBundle, encodeHashTile } from '../formats/tlog-tiles.js';
import type { LogStore } from '../store/ports.js';
import { checkIndex } from './entry-reads.js';

/** Highest tree level a node of a 64-bit log can have below the root's. */
const MAX_TREE_LEVEL = 63;

/** Tile `index` of `level`, full or of `width` hashes; null when the log has no such tile. Errors: USAGE. */
export async function readHashTile(store: LogStore, level: number, index: bigint, width?: number): Promise<Buffer | null> {
  if (!Number.isInteger(level) || level < 0 || level > MAX_TILE_LEVEL) throw new ProvenantError('USAGE', `a tile level must be 0 to ${MAX_TILE_LEVEL}`);
  const range = tileRange(index, width);
  const treeLevel = TILE_HEIGHT * level;
  if (treeLevel > MAX_TREE_LEVEL) return null;
  const hashes = await store.nodeRange(treeLevel, range.begin, range.fullEnd);
  return exists(hashes.length, width) ? encodeHashTile(hashes.slice(0, width ?? TILE_WIDTH)) : null;
}

/** Entry bundle `index`, full or of `width` entries; null when the log has no such bundle. Errors: USAGE. */
export async function readEntryBundle(store: LogStore, index: bigint, width?: number): Promise<Buffer | null> {
  const range = tileRange(index, width);
  const leaves = await store.leaves(range.begin, range.fullEnd);
  return exists(leaves.length, width) ? encodeEntryBundle(leaves.slice(0, width ?? TILE_WIDTH).map((l) => l.entry)) : null;
}

/** Where tile `index` starts and where its full form ends; the whole tile is read to tell full from partial. */
function tileRange(index: bigint, width: number | undefined): { begin: bigint; fullEnd: bigint } {
  checkIndex(index, 'tile index');
  if (width !== undefined && (!Number.isInteger(width) || width < 1 || width >= TILE_WIDTH)) {
    throw new ProvenantError('USAGE', `a partial tile width must be 1 to ${TILE_WIDTH - 1}`);
  }
  const begin = index * BigInt(TILE_WIDTH);
  return { begin, fullEnd: begin + BigInt(TILE_WIDTH) };
}

/** A full tile exists once all 256 of its nodes do; a partial one of width W while at least W but not 256 do. */
function exists(found: number, width: number | undefined): boolean {
  if (width === undefined) return found === TILE_WIDTH;
  return found >= width && found < TILE_WIDTH;
}
