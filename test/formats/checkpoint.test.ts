import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../src/core/errors.js';
import { SigningKey } from '../../src/crypto/index.js';
import { formatCheckpoint, parseCheckpoint, verifyCheckpointNote } from '../../src/formats/checkpoint.js';
import { noteSignerFromKey, parseVerifierKey, signNote } from '../../src/formats/signed-note.js';

// The example body of C2SP tlog-checkpoint.
const SPEC_BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

function expectCode(f: () => unknown, code: string): void {
  assert.throws(f, (e: unknown) => e instanceof ProvenantError && e.code === code);
}

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  it('reads the example of the spec', () => {
    const cp = parseCheckpoint(SPEC_BODY);
    assert.equal(cp.origin, 'example.com/behind-the-sofa');
    assert.equal(cp.size, 20852163n);
    assert.equal(cp.rootHash.toString('base64'), 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    assert.deepEqual(cp.extensions, []);
    assert.equal(formatCheckpoint(cp), SPEC_BODY);
  });

  it('writes and reads extension lines and the largest size', () => {
    const body = formatCheckpoint({ origin: 'o.example/log', size: (1n << 64n) - 1n, rootHash: Buffer.alloc(32, 1), extensions: ['ext one'] });
    assert.equal(body, `o.example/log\n18446744073709551615\n${Buffer.alloc(32, 1).toString('base64')}\next one\n`);
    const cp = parseCheckpoint(body);
    assert.equal(cp.size, (1n << 64n) - 1n);
    assert.deepEqual(cp.extensions, ['ext one']);
  });

  it('refuses bodies that are not exactly origin, size and root lines', () => {
    const root = Buffer.alloc(32).toString('base64');
    const cases = [
      `o\n1\n${root}`, // no final newline
      `o\n1\n`,
      `\n1\n${root}\n`,
      `o\n01\n${root}\n`,
      `o\n+1\n${root}\n`,
      `o\n-1\n${root}\n`,
      `o\n18446744073709551616\n${root}\n`,
      `o\n1\n${Buffer.alloc(31).toString('base64')}\n`,
      `o\n1\n${Buffer.alloc(32).toString('base64url')}\n`,
      `o\n1\n${root.slice(0, -1)}\n`,
      `o\n1\n${root}\n\n`, // an empty extension line
      `o\n1 \n${root}\n`,
    ];
    for (const body of cases) expectCode(() => parseCheckpoint(body), 'CHECKPOINT_MALFORMED');
  });

  it('refuses to write what it could not read back', () => {
    expectCode(() => formatCheckpoint({ origin: 'a\nb', size: 1n, rootHash: Buffer.alloc(32) }), 'USAGE');
    expectCode(() => formatCheckpoint({ origin: 'o', size: -1n, rootHash: Buffer.alloc(32) }), 'USAGE');
    expectCode(() => formatCheckpoint({ origin: 'o', size: 1n, rootHash: Buffer.alloc(16) }), 'USAGE');
    expectCode(() => formatCheckpoint({ origin: 'o', size: 1n, rootHash: Buffer.alloc(32), extensions: [''] }), 'USAGE');
  });

  it('verifies a signed checkpoint with the log key and its origin', async () => {
    const signer = noteSignerFromKey('example.com/log', SigningKey.generate('ed25519'));
    const verifier = parseVerifierKey(signer.verifierKey);
    const note = await signNote(formatCheckpoint({ origin: 'example.com/log', size: 5n, rootHash: Buffer.alloc(32, 9) }), [signer]);
    const cp = verifyCheckpointNote(note, verifier, 'example.com/log');
    assert.equal(cp.size, 5n);
    assert.equal(cp.note, note);
    assert.ok(cp.rootHash.equals(Buffer.alloc(32, 9)));
    expectCode(() => verifyCheckpointNote(note, verifier, 'example.com/other'), 'CHECKPOINT_ORIGIN_MISMATCH');
    const other = parseVerifierKey(noteSignerFromKey('example.com/log', SigningKey.generate('ed25519')).verifierKey);
    expectCode(() => verifyCheckpointNote(note, other), 'NOTE_UNVERIFIED');
    const bad = await signNote('example.com/log\n5\nnot base64\n', [signer]);
    expectCode(() => verifyCheckpointNote(bad, verifier), 'CHECKPOINT_MALFORMED');
  });
});
