import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../src/core/errors.js';
import type { Checkpoint } from '../../src/formats/checkpoint.js';
import { checkNewCheckpoint } from '../../src/log/checkpoint-trust.js';
import type { ConsistencyProof } from '../../src/log/service.js';
import { ReferenceTree, hex } from './transparency-log-contract.js';

const ORIGIN = 'trust.example/log';
const tree = new ReferenceTree(Array.from({ length: 40 }, (_, i) => ReferenceTree.leafHash(Buffer.from(`entry ${i}`))));

function head(size: number, origin = ORIGIN): Checkpoint {
  return { origin, size: BigInt(size), rootHash: tree.mth(0, size), extensions: [], note: `note of ${size}` };
}

function proof(from: number, to: number, hashes = hex(tree.proof(from, to))): ConsistencyProof {
  return { from: BigInt(from), to: BigInt(to), hashes };
}

function expectCode(f: () => unknown, code: string, details?: Record<string, unknown>): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ProvenantError);
    assert.equal(e.code, code);
    for (const [k, v] of Object.entries(details ?? {})) assert.equal(e.details?.[k], v);
    return true;
  });
}

describe('checkNewCheckpoint', () => {
  it('takes the first checkpoint on trust and a same-size one with the same root', () => {
    assert.equal(checkNewCheckpoint(null, head(5), null).size, 5n);
    assert.equal(checkNewCheckpoint(head(5), head(5), null).size, 5n);
  });

  it('accepts a bigger checkpoint with a valid consistency proof, and any growth from the empty tree', () => {
    for (const [m, n] of [[1, 2], [5, 13], [8, 16], [13, 40], [39, 40]] as const) {
      assert.equal(checkNewCheckpoint(head(m), head(n), proof(m, n)).size, BigInt(n));
    }
    assert.equal(checkNewCheckpoint(head(0), head(7), null).size, 7n);
  });

  it('refuses a smaller checkpoint as a rollback', () => {
    expectCode(() => checkNewCheckpoint(head(9), head(8), proof(8, 9)), 'LOG_ROLLBACK', { trustedSize: '9', size: '8' });
  });

  it('refuses another root for the same size as a fork', () => {
    const other = { ...head(9), rootHash: tree.mth(0, 10) };
    expectCode(() => checkNewCheckpoint(head(9), other, null), 'LOG_FORK');
  });

  it('refuses growth without a proof, with a proof for other sizes, or with a failing proof', () => {
    expectCode(() => checkNewCheckpoint(head(5), head(13), null), 'LOG_FORK', { reason: 'missing' });
    expectCode(() => checkNewCheckpoint(head(5), head(13), proof(6, 13)), 'LOG_FORK', { reason: 'sizes' });
    const hashes = hex(tree.proof(5, 13));
    const flipped = [...hashes];
    flipped[0] = `${(flipped[0] as string).slice(0, -1)}${(flipped[0] as string).endsWith('0') ? '1' : '0'}`;
    expectCode(() => checkNewCheckpoint(head(5), head(13), proof(5, 13, flipped)), 'LOG_FORK', { reason: 'MERKLE_ROOT_MISMATCH' });
    expectCode(() => checkNewCheckpoint(head(5), head(13), proof(5, 13, hashes.slice(1))), 'LOG_FORK', { reason: 'MERKLE_PROOF_INVALID' });
    expectCode(() => checkNewCheckpoint(head(5), head(13), proof(5, 13, [...hashes.slice(1), 'zz'])), 'LOG_FORK', { reason: 'malformed' });
    // A tree that rewrote history: the same new size, but built over a changed leaf 2.
    const forked = new ReferenceTree(tree.leaves.map((l, i) => (i === 2 ? ReferenceTree.leafHash(Buffer.from('other')) : l)));
    const forkedHead = { ...head(13), rootHash: forked.mth(0, 13) };
    expectCode(() => checkNewCheckpoint(head(5), forkedHead, proof(5, 13, hex(forked.proof(5, 13)))), 'LOG_FORK');
  });

  it('refuses a checkpoint of another log', () => {
    expectCode(() => checkNewCheckpoint(head(5), head(6, 'other.example/log'), proof(5, 6)), 'CHECKPOINT_ORIGIN_MISMATCH');
  });
});
