import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../src/core/errors.js';
import {
  decodeEntryBundle,
  decodeHashTile,
  encodeEntryBundle,
  encodeHashTile,
  formatTilePath,
  fullTileCount,
  parseTilePath,
  partialTileWidth,
  tileIndexPath,
} from '../../src/formats/tlog-tiles.js';

function expectCode(f: () => unknown, code: string): void {
  assert.throws(f, (e: unknown) => e instanceof ProvenantError && e.code === code);
}

describe('tile paths (C2SP tlog-tiles)', () => {
  it('spells tile indices in x-prefixed groups of three digits', () => {
    assert.equal(tileIndexPath(0n), '000');
    assert.equal(tileIndexPath(999n), '999');
    assert.equal(tileIndexPath(1000n), 'x001/000');
    assert.equal(tileIndexPath(1234067n), 'x001/x234/067');
    assert.equal(tileIndexPath((1n << 64n) - 1n), 'x018/x446/x744/x073/x709/x551/615');
  });

  it('parses hash tile and entry bundle paths, full and partial', () => {
    assert.deepEqual(parseTilePath('0/x001/x234/067'), { kind: 'hash', level: 0, index: 1234067n });
    assert.deepEqual(parseTilePath('2/000.p/1'), { kind: 'hash', level: 2, index: 0n, width: 1 });
    assert.deepEqual(parseTilePath('63/999.p/255'), { kind: 'hash', level: 63, index: 999n, width: 255 });
    assert.deepEqual(parseTilePath('entries/x001/000.p/17'), { kind: 'entries', index: 1000n, width: 17 });
    assert.deepEqual(parseTilePath('entries/012'), { kind: 'entries', index: 12n });
    for (const p of ['0/x001/x234/067', '1/000.p/8', 'entries/x001/000', 'entries/255.p/255']) {
      assert.equal(formatTilePath(parseTilePath(p)), p);
    }
  });

  it('refuses every other spelling', () => {
    const bad = [
      '', '0', '0/', '00/000', '64/000', '-1/000', 'x/000', 'tile/0/000', 'data/000',
      '0/1', '0/01', '0/0000', '0/x001', '0/001/002', '0/x000/001', '0/x001/x02/003', '0//000', '0/000/',
      '0/000.p', '0/000.p/0', '0/000.p/256', '0/000.p/08', '0/000.p/1/2', '0/000.p/ 1', 'entries/000.p/-1',
      '0/x018/x446/x744/x073/x709/x551/616', '0/x001/x018/x446/x744/x073/x709/x551/615',
    ];
    for (const p of bad) expectCode(() => parseTilePath(p), 'TILE_PATH_INVALID');
  });

  it('counts full and partial tiles as the spec example does', () => {
    // A tree of 70,000: 273 full level-0 tiles and one of width 112, one full level-1 tile and one of width 17,
    // one level-2 tile of width 1.
    assert.equal(fullTileCount(0, 70_000n), 273n);
    assert.equal(partialTileWidth(0, 70_000n), 112);
    assert.equal(fullTileCount(1, 70_000n), 1n);
    assert.equal(partialTileWidth(1, 70_000n), 17);
    assert.equal(fullTileCount(2, 70_000n), 0n);
    assert.equal(partialTileWidth(2, 70_000n), 1);
    // A tree of 256: one full level-0 tile and a level-1 tile of width 1.
    assert.equal(partialTileWidth(0, 256n), 0);
    assert.equal(partialTileWidth(1, 256n), 1);
  });
});

describe('tile bodies', () => {
  it('concatenates and splits 32-byte hashes', () => {
    const hashes = [Buffer.alloc(32, 1), Buffer.alloc(32, 2), Buffer.alloc(32, 3)];
    const body = encodeHashTile(hashes);
    assert.equal(body.length, 96);
    assert.deepEqual(decodeHashTile(body, 3), hashes);
    expectCode(() => decodeHashTile(body, 2), 'TILE_MALFORMED');
    expectCode(() => decodeHashTile(body.subarray(1), 3), 'TILE_MALFORMED');
  });

  it('prefixes each bundled entry with a big-endian uint16 length', () => {
    const entries = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(300, 7)];
    const bundle = encodeEntryBundle(entries);
    assert.deepEqual([...bundle.subarray(0, 3)], [0, 1, 0x61]);
    assert.deepEqual([...bundle.subarray(3, 7)], [0, 0, 0x01, 0x2c]);
    assert.deepEqual(decodeEntryBundle(bundle, 3), entries);
    expectCode(() => decodeEntryBundle(bundle, 2), 'TILE_MALFORMED');
    expectCode(() => decodeEntryBundle(bundle, 4), 'TILE_MALFORMED');
    expectCode(() => decodeEntryBundle(bundle.subarray(0, bundle.length - 1), 3), 'TILE_MALFORMED');
    expectCode(() => decodeEntryBundle(Buffer.concat([bundle, Buffer.from([0])]), 3), 'TILE_MALFORMED');
    assert.equal(encodeEntryBundle([Buffer.alloc(0xffff)]).length, 0x10001);
    expectCode(() => encodeEntryBundle([Buffer.alloc(0x10000)]), 'INPUT_TOO_LARGE');
  });
});
