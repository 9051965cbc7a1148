// C2SP tlog-tiles (https://c2sp.org/tlog-tiles): how a log's Merkle tree and entries are cut into static
// resources. A hash tile at level L holds up to 256 consecutive RFC 6962 hashes of tree level 8 * L; tile N covers
// the nodes [256 N, 256 N + 256) of that level. An entry bundle holds the entries of level-0 tile N, each
// prefixed with its length as a big-endian uint16. Paths spell N in zero-padded groups of three digits.
import { ProvenantError } from '../core/errors.js';

/** Hashes in a full tile, and entries in a full bundle. */
export const TILE_WIDTH = 256;
/** Tree levels spanned by one tile level: a tile is a subtree of height 8 over its hashes. */
export const TILE_HEIGHT = 8;
/** Highest tile level a path may name ("between 0 and 63"). */
export const MAX_TILE_LEVEL = 63;
/** Longest entry a bundle can carry: its length prefix is a uint16. */
export const MAX_BUNDLE_ENTRY_BYTES = 0xffff;

const HASH_BYTES = 32;
const MAX_U64 = (1n << 64n) - 1n;

/** A hash tile or an entry bundle; `width` is present only for a partial one (1 to 255). */
export type TilePath =
  | { readonly kind: 'hash'; readonly level: number; readonly index: bigint; readonly width?: number }
  | { readonly kind: 'entries'; readonly index: bigint; readonly width?: number };

/** N as a path: groups of three digits, all but the last prefixed with "x" (1234067 -> x001/x234/067). */
export function tileIndexPath(index: bigint): string {
  if (typeof index !== 'bigint' || index < 0n || index > MAX_U64) {
    throw new ProvenantError('USAGE', 'a tile index must be an unsigned 64-bit integer');
  }
  let digits = index.toString();
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = digits.match(/[0-9]{3}/g) as string[];
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The path of a tile below the log's "tile/" prefix: "<L>/<N>[.p/<W>]" or "entries/<N>[.p/<W>]". */
export function formatTilePath(tile: TilePath): string {
  const width = tile.width;
  if (width !== undefined && !isPartialWidth(width)) throw new ProvenantError('USAGE', `a partial tile width must be 1 to ${TILE_WIDTH - 1}`);
  const suffix = width === undefined ? '' : `.p/${width}`;
  switch (tile.kind) {
    case 'hash':
      if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > MAX_TILE_LEVEL) {
        throw new ProvenantError('USAGE', `a tile level must be 0 to ${MAX_TILE_LEVEL}`);
      }
      return `${tile.level}/${tileIndexPath(tile.index)}${suffix}`;
    case 'entries':
      return `entries/${tileIndexPath(tile.index)}${suffix}`;
  }
}

/**
 * Reads a path below "tile/" exactly as the spec spells it: L with no leading zeros in 0..63 (or "entries"), N in
 * its one canonical spelling, W with no leading zeros in 1..255. Errors: TILE_PATH_INVALID.
 */
export function parseTilePath(path: string): TilePath {
  const invalid = (why: string) => new ProvenantError('TILE_PATH_INVALID', `invalid tile path: ${why}`, { details: { path: String(path).slice(0, 200) } });
  if (typeof path !== 'string' || path.length > 200) throw invalid('too long');
  const segments = path.split('/');
  const head = segments.shift() as string;
  let level: number | undefined;
  if (head !== 'entries') {
    if (!/^(?:0|[1-9][0-9]?)$/.test(head) || Number(head) > MAX_TILE_LEVEL) throw invalid(`level ${JSON.stringify(head)} is not 0 to ${MAX_TILE_LEVEL}`);
    level = Number(head);
  }
  let width: number | undefined;
  const beforeLast = segments[segments.length - 2];
  if (beforeLast !== undefined && beforeLast.endsWith('.p')) {
    const w = segments.pop() as string;
    if (!/^[1-9][0-9]{0,2}$/.test(w) || !isPartialWidth(Number(w))) throw invalid(`width ${JSON.stringify(w)} is not 1 to ${TILE_WIDTH - 1}`);
    width = Number(w);
    segments[segments.length - 1] = beforeLast.slice(0, -2);
  }
  if (segments.length === 0 || segments.length > 7) throw invalid('the tile index is missing or too long');
  const last = segments.length - 1;
  if (!segments.every((s, i) => (i < last ? /^x[0-9]{3}$/ : /^[0-9]{3}$/).test(s))) {
    throw invalid('the tile index is not in x-prefixed groups of three digits');
  }
  const index = BigInt(segments.map((s) => s.replace('x', '')).join(''));
  if (index > MAX_U64 || tileIndexPath(index) !== segments.join('/')) throw invalid('the tile index is not in its canonical form');
  const partial = width === undefined ? {} : { width };
  return level === undefined ? { kind: 'entries', index, ...partial } : { kind: 'hash', level, index, ...partial };
}

/** Width of the rightmost (partial) tile of `level` in a tree of `size` leaves: floor(size / 256^level) mod 256. */
export function partialTileWidth(level: number, size: bigint): number {
  return Number((size >> BigInt(TILE_HEIGHT * level)) % BigInt(TILE_WIDTH));
}

/** Full tiles of `level` in a tree of `size` leaves. */
export function fullTileCount(level: number, size: bigint): bigint {
  return size >> BigInt(TILE_HEIGHT * (level + 1));
}

/** A tile body: the hashes concatenated. */
export function encodeHashTile(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0 || hashes.length > TILE_WIDTH) throw new ProvenantError('USAGE', `a tile holds 1 to ${TILE_WIDTH} hashes`);
  for (const h of hashes) if (h.length !== HASH_BYTES) throw new ProvenantError('USAGE', `tile hashes are ${HASH_BYTES} bytes`);
  return Buffer.concat(hashes);
}

/** Splits a tile body of exactly `width` hashes. Errors: TILE_MALFORMED. */
export function decodeHashTile(data: Uint8Array, width: number): Buffer[] {
  checkWidth(width);
  if (data.length !== width * HASH_BYTES) {
    throw new ProvenantError('TILE_MALFORMED', `a tile of width ${width} is ${width * HASH_BYTES} bytes, not ${data.length}`, {
      details: { width, bytes: data.length },
    });
  }
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: Buffer[] = [];
  for (let i = 0; i < width; i++) out.push(Buffer.from(bytes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES)));
  return out;
}

/** An entry bundle: each entry prefixed by its length as a big-endian uint16. Errors: INPUT_TOO_LARGE. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  if (entries.length === 0 || entries.length > TILE_WIDTH) throw new ProvenantError('USAGE', `a bundle holds 1 to ${TILE_WIDTH} entries`);
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.length > MAX_BUNDLE_ENTRY_BYTES) {
      throw new ProvenantError('INPUT_TOO_LARGE', `an entry of ${entry.length} bytes does not fit an entry bundle (at most ${MAX_BUNDLE_ENTRY_BYTES})`);
    }
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, entry);
  }
  return Buffer.concat(parts);
}

/** Splits an entry bundle that must hold exactly `width` entries and nothing after them. Errors: TILE_MALFORMED. */
export function decodeEntryBundle(data: Uint8Array, width: number): Buffer[] {
  checkWidth(width);
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (out.length === width) throw bundleMalformed(`bytes follow the ${width} entries`, width);
    if (at + 2 > bytes.length) throw bundleMalformed('an entry length is cut short', width);
    const length = bytes.readUInt16BE(at);
    if (at + 2 + length > bytes.length) throw bundleMalformed(`entry ${out.length} is cut short`, width);
    out.push(Buffer.from(bytes.subarray(at + 2, at + 2 + length)));
    at += 2 + length;
  }
  if (out.length !== width) throw bundleMalformed(`it holds ${out.length} entries, not ${width}`, width);
  return out;
}

function isPartialWidth(width: number): boolean {
  return Number.isInteger(width) && width >= 1 && width < TILE_WIDTH;
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new ProvenantError('USAGE', `a tile width must be 1 to ${TILE_WIDTH}`);
}

function bundleMalformed(why: string, width: number): ProvenantError {
  return new ProvenantError('TILE_MALFORMED', `malformed entry bundle: ${why}`, { details: { width } });
}
