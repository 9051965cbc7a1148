// RFC 6962 leaf hashes and the C2SP tlog-tiles paths and encodings as written, for checking the service from
// outside (tree hashes come from the reference tree of test/log/transparency-log-contract.ts). Nothing here uses src/.
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** SHA-256(0x00 || entry). */
export function leafHashOf(entry: Uint8Array): Buffer {
  return sha256(Buffer.from([0]), entry);
}

export function sha256Hex(data: Uint8Array): string {
  return sha256(data).toString('hex');
}

export const TILE_WIDTH = 256;

/** The tile index N as tlog-tiles spells it: groups of three digits, all but the last prefixed by "x". */
export function tileIndexPath(index: number): string {
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The hashes of a level-0 tile: 32 bytes each, concatenated. */
export function splitHashTile(data: Buffer, width: number): Buffer[] {
  if (data.length !== 32 * width) throw new Error(`a tile of ${width} hashes is ${32 * width} bytes, not ${data.length}`);
  return Array.from({ length: width }, (_, i) => data.subarray(32 * i, 32 * (i + 1)));
}

/** The entries of a bundle: each prefixed by its length as a big-endian uint16. */
export function splitEntryBundle(data: Buffer, width: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 2 > data.length) throw new Error('an entry bundle ends inside a length prefix');
    const length = data.readUInt16BE(at);
    if (at + 2 + length > data.length) throw new Error('an entry bundle ends inside an entry');
    out.push(data.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (out.length !== width) throw new Error(`an entry bundle of ${width} entries holds ${out.length}`);
  return out;
}
