import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ProvenantError } from '../../src/core/errors.js';
import { CompactRange, HASH_SIZE, emptyRoot, leafHash, nodeHash } from '../../src/merkle/index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('emptyRoot is SHA-256 of the empty string', () => {
  assert.equal(hex(emptyRoot()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(emptyRoot().length, HASH_SIZE);
});

test('leafHash prefixes 0x00 and nodeHash prefixes 0x01 (RFC 6962 §2.1)', () => {
  assert.equal(hex(leafHash(new Uint8Array())), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
  const entry = Buffer.from('provenant');
  assert.deepEqual(leafHash(entry), createHash('sha256').update(Buffer.concat([Buffer.from([0]), entry])).digest());
  const l = Buffer.alloc(32, 0xaa);
  const r = Buffer.alloc(32, 0xbb);
  assert.deepEqual(nodeHash(l, r), createHash('sha256').update(Buffer.concat([Buffer.from([1]), l, r])).digest());
  assert.notDeepEqual(nodeHash(l, r), nodeHash(r, l));
  // A leaf whose entry is two hashes must not collide with the interior node over them.
  assert.notDeepEqual(leafHash(Buffer.concat([l, r])), nodeHash(l, r));
});

test('nodeHash refuses children that are not 32 bytes, where the split point would be ambiguous', () => {
  const h = Buffer.alloc(32);
  for (const [l, r] of [
    [Buffer.alloc(31), Buffer.alloc(33)],
    [h, Buffer.alloc(0)],
    [Buffer.alloc(64), h],
  ] as const) {
    assert.throws(() => nodeHash(l, r), (e) => e instanceof ProvenantError && e.code === 'INTERNAL');
  }
});

// The eight-leaf test tree of the certificate-transparency project (also transparency-dev/merkle
// testonly/constants.go): entries and the roots of its first 1..8 leaves.
const CT_ENTRIES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const CT_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

test('roots of the certificate-transparency test tree match the published values', () => {
  const tree = CompactRange.empty();
  assert.equal(hex(tree.root()), hex(emptyRoot()));
  CT_ENTRIES.forEach((entry, i) => {
    tree.append(leafHash(Buffer.from(entry, 'hex')));
    assert.equal(hex(tree.root()), CT_ROOTS[i], `size ${i + 1}`);
  });
});
