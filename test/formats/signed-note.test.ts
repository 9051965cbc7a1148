import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ProvenantError } from '../../src/core/errors.js';
import { SigningKey } from '../../src/crypto/index.js';
import {
  MAX_NOTE_BYTES,
  noteSignerFromKey,
  openNote,
  parseVerifierKey,
  signNote,
  verifierKeyString,
  type NoteSigner,
} from '../../src/formats/signed-note.js';

// The example key and note of golang.org/x/mod/sumdb/note (note.go and note_test.go, BSD-3-Clause): Ed25519 is
// deterministic, so signing the same text with the same key must give the same note byte for byte.
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SKEY_SEED = 'AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

/** An Ed25519 SigningKey from a 32-byte seed (RFC 8410 PKCS#8). */
function keyFromSeed(seed: Buffer): SigningKey {
  return SigningKey.fromPkcs8(Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]));
}

function goKey(): SigningKey {
  const typed = Buffer.from(GO_SKEY_SEED, 'base64');
  assert.equal(typed[0], 1);
  return keyFromSeed(typed.subarray(1));
}

function expectCode(f: () => unknown, code: string): void {
  assert.throws(f, (e: unknown) => e instanceof ProvenantError && e.code === code);
}

function signerOf(name: string): NoteSigner {
  return noteSignerFromKey(name, SigningKey.generate('ed25519'));
}

function verifierOf(signer: NoteSigner) {
  return parseVerifierKey(signer.verifierKey);
}

describe('signed notes (C2SP signed-note)', () => {
  it('reproduces the Go sumdb note example: verifier key, key ID and signature', async () => {
    const signer = noteSignerFromKey('PeterNeumann', goKey());
    assert.equal(signer.verifierKey, GO_VKEY);
    assert.equal(signer.keyHash, 0xc74f20a3);
    assert.equal(await signNote(GO_TEXT, [signer]), GO_NOTE);
    const opened = openNote(GO_NOTE, [parseVerifierKey(GO_VKEY)]);
    assert.equal(opened.body, GO_TEXT);
    assert.deepEqual(opened.verifiedBy, [{ name: 'PeterNeumann', keyHash: 0xc74f20a3 }]);
    assert.equal(openNote(Buffer.from(GO_NOTE, 'utf8'), [parseVerifierKey(GO_VKEY)]).body, GO_TEXT);
  });

  it('computes the key ID as SHA-256(name || 0x0A || 0x01 || key)[:4]', () => {
    const raw = Buffer.alloc(32, 7);
    const expected = createHash('sha256').update('example.com/log\n\x01').update(raw).digest().subarray(0, 4).toString('hex');
    assert.equal(verifierKeyString('example.com/log', raw), `example.com/log+${expected}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`);
  });

  it('refuses a note whose text was changed, even by one letter', () => {
    expectCode(() => openNote(GO_NOTE.replace('cryptography', 'cryptographY'), [parseVerifierKey(GO_VKEY)]), 'SIGNATURE_INVALID');
  });

  it('ignores signatures by unknown keys, including one sharing the name but not the key ID', async () => {
    const log = signerOf('example.com/log');
    const witness = signerOf('witness.example');
    const impostor = signerOf('example.com/log');
    const note = await signNote('body\n', [witness, impostor, log]);
    const opened = openNote(note, [verifierOf(log)]);
    assert.deepEqual(opened.verifiedBy, [{ name: 'example.com/log', keyHash: log.keyHash }]);
    expectCode(() => openNote(note, [verifierOf(signerOf('other.example'))]), 'NOTE_UNVERIFIED');
    expectCode(() => openNote(note, []), 'NOTE_UNVERIFIED');
  });

  it('checks every known key and reports each that signed; a repeated signature line is read once', async () => {
    const a = signerOf('a.example');
    const b = signerOf('b.example');
    const note = await signNote('two keys\n', [a, b]);
    const lines = note.split('\n');
    const repeated = `${note}${lines[lines.length - 2]}\n`;
    const opened = openNote(repeated, [verifierOf(a), verifierOf(b)]);
    assert.deepEqual(opened.verifiedBy.map((v) => v.name), ['a.example', 'b.example']);
  });

  it('keeps blank lines inside the text: the last blank line separates the signatures', async () => {
    const log = signerOf('example.com/log');
    const body = 'first\n\nthird\n\n';
    const note = await signNote(body, [log]);
    assert.equal(openNote(note, [verifierOf(log)]).body, body);
  });

  it('refuses malformed notes', async () => {
    const v = [parseVerifierKey(GO_VKEY)];
    const sigLine = GO_NOTE.slice(GO_TEXT.length + 1);
    const cases = [
      GO_TEXT + sigLine, // no blank line
      GO_NOTE.slice(0, -1), // signature block without the final newline
      `${GO_TEXT}\n`, // no signatures at all
      `${GO_TEXT}\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${GO_TEXT}\n\u2014 PeterNeumann\n`,
      `${GO_TEXT}\n\u2014 PeterNeumann x08go_ZJ\n`,
      `${GO_TEXT}\n\u2014 PeterNeumann AAAAAA==\n`, // 4 bytes: a key ID and no signature
      `${GO_TEXT}\n\u2014 Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `tab\there\n${GO_NOTE}`,
      GO_NOTE.replace('\n\n', '\r\n\n'),
    ];
    for (const note of cases) expectCode(() => openNote(note, v), 'NOTE_MALFORMED');
    expectCode(() => openNote(Buffer.concat([Buffer.from([0xff]), Buffer.from(GO_NOTE)]), v), 'NOTE_MALFORMED');
  });

  it('bounds the note size and the number of signatures', async () => {
    const v = [parseVerifierKey(GO_VKEY)];
    expectCode(() => openNote(`${'a'.repeat(MAX_NOTE_BYTES)}\n${GO_NOTE}`, v), 'INPUT_TOO_LARGE');
    const sigLine = GO_NOTE.slice(GO_TEXT.length + 1);
    expectCode(() => openNote(`${GO_TEXT}\n${sigLine.repeat(101)}`, v), 'INPUT_TOO_LARGE');
    assert.equal(openNote(`${GO_TEXT}\n${sigLine.repeat(100)}`, v).body, GO_TEXT);
  });

  it('signs only text that ends in a newline and holds no control characters', async () => {
    const log = signerOf('example.com/log');
    await assert.rejects(signNote('no newline', [log]), (e: unknown) => e instanceof ProvenantError && e.code === 'NOTE_MALFORMED');
    await assert.rejects(signNote('bell\u0007\n', [log]), (e: unknown) => e instanceof ProvenantError && e.code === 'NOTE_MALFORMED');
    await assert.rejects(signNote('x\n', []), (e: unknown) => e instanceof ProvenantError && e.code === 'USAGE');
  });

  it('makes note signers from Ed25519 keys only, under valid key names', () => {
    expectCode(() => noteSignerFromKey('example.com/log', SigningKey.generate('ecdsa-p256')), 'KEY_UNSUPPORTED');
    expectCode(() => noteSignerFromKey('two words', SigningKey.generate('ed25519')), 'USAGE');
    expectCode(() => noteSignerFromKey('a+b', SigningKey.generate('ed25519')), 'USAGE');
    expectCode(() => noteSignerFromKey('', SigningKey.generate('ed25519')), 'USAGE');
  });

  it('parses verifier keys strictly', () => {
    const name = 'PeterNeumann';
    const hash = 'c74f20a3';
    const key = GO_VKEY.slice(`${name}+${hash}+`.length);
    const typed = Buffer.from(key, 'base64');
    const withType = (type: number) => {
      const k = Buffer.from(typed);
      k[0] = type;
      const id = createHash('sha256').update(`${name}\n`).update(k).digest().subarray(0, 4).toString('hex');
      return `${name}+${id}+${k.toString('base64')}`;
    };
    expectCode(() => parseVerifierKey(withType(2)), 'KEY_UNSUPPORTED');
    assert.equal(parseVerifierKey(withType(1)).keyHash, 0xc74f20a3);
    const malformed = [
      `${name}+c74f20a4+${key}`, // key ID is not the hash
      `${name}+c74f20a+${key}`,
      `${name}+${hash}`,
      `${name}+${hash}+${key.slice(0, -4)}`,
      `${name}+${hash}+${Buffer.from(key, 'base64').toString('base64url')}`,
      `+${hash}+${key}`,
      `Peter Neumann+${hash}+${key}`,
      '',
    ];
    for (const k of malformed) expectCode(() => parseVerifierKey(k), 'KEY_MALFORMED');
    // A longer key with a matching key ID still is not an Ed25519 key.
    const long = Buffer.concat([typed, Buffer.from([0])]);
    const id = createHash('sha256').update(`${name}\n`).update(long).digest().subarray(0, 4).toString('hex');
    expectCode(() => parseVerifierKey(`${name}+${id}+${long.toString('base64')}`), 'KEY_MALFORMED');
  });
});
