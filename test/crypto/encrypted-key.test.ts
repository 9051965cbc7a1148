import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorCode } from '../../src/core/errors.js';
import {
  COSIGN_ENCRYPTED_LABEL,
  SIGSTORE_ENCRYPTED_LABEL,
  decryptEnvelope,
  encryptToPem,
  parseEncryptedEnvelope,
} from '../../src/crypto/encrypted-key.js';
import { readPem } from '../../src/crypto/pem.js';
import { fixture, isCode, throwsCode } from './helpers.js';

interface Vectors {
  passphrase: string;
  vectors: Record<'legacy' | 'standard' | 'owasp' | 'testDecrypt', { plaintext: string; envelope: string }>;
  unsupportedParameters: string;
}
const vectors = JSON.parse(fixture('securesystemslib-encrypted-vectors.json')) as Vectors;


type Json = Record<string, unknown>;
const DELETE = Symbol('delete');
/** A new value, a function of the old one, or DELETE to remove the member. */
type Edit = [path: string, value: unknown];

/** The legacy vector (a structurally valid envelope) with edits applied at dotted paths, as JSON bytes. */
function edited(...edits: Edit[]): Buffer {
  const doc = JSON.parse(vectors.vectors.legacy.envelope) as Json;
  for (const [path, value] of edits) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    const parent = keys.reduce((o, k) => o[k] as Json, doc);
    if (value === DELETE) delete parent[last];
    else parent[last] = typeof value === 'function' ? (value as (old: unknown) => unknown)(parent[last]) : value;
  }
  return Buffer.from(JSON.stringify(doc), 'utf8');
}

test('go-securesystemslib vectors decrypt at all three accepted scrypt levels', async () => {
  for (const [name, v] of Object.entries(vectors.vectors)) {
    const plain = await decryptEnvelope(Buffer.from(v.envelope), vectors.passphrase);
    assert.equal(plain.toString('utf8'), v.plaintext, name);
  }
});

test('go-securesystemslib "unsupported scrypt parameters" vector is refused before any scrypt work', () => {
  throwsCode(() => parseEncryptedEnvelope(Buffer.from(vectors.unsupportedParameters)), 'KEY_MALFORMED');
});

test('a wrong password is KEY_DECRYPT_FAILED', async () => {
  await assert.rejects(decryptEnvelope(Buffer.from(vectors.vectors.legacy.envelope), 'Supersecret'), isCode('KEY_DECRYPT_FAILED'));
  await assert.rejects(decryptEnvelope(Buffer.from(vectors.vectors.legacy.envelope), ''), isCode('KEY_DECRYPT_FAILED'));
});

test('any altered byte of ciphertext, tag, nonce or salt is KEY_DECRYPT_FAILED', async () => {
  const flip = (index: number) => (old: unknown): string => {
    const b = Buffer.from(old as string, 'base64');
    const i = index < 0 ? b.length + index : index;
    b[i] = b[i]! ^ 0x01;
    return b.toString('base64');
  };
  const variants: Edit[] = [
    ['ciphertext', flip(0)],
    ['ciphertext', flip(20)],
    ['ciphertext', flip(-1)],
    ['cipher.nonce', flip(23)],
    ['kdf.salt', flip(0)],
  ];
  for (const edit of variants) {
    await assert.rejects(decryptEnvelope(edited(edit), vectors.passphrase), isCode('KEY_DECRYPT_FAILED'), String(edit));
  }
});

test('encryptToPem writes the cosign format: SIGSTORE label, Go member order, scrypt N=65536 r=8 p=1', async () => {
  const secret = Buffer.from('pkcs8 stand-in');
  const pem = await encryptToPem(secret, 'pw');
  const block = readPem(pem);
  assert.equal(block.label, SIGSTORE_ENCRYPTED_LABEL);
  const json = block.der.toString('utf8');
  assert.match(
    json,
    /^\{"kdf":\{"name":"scrypt","params":\{"N":65536,"r":8,"p":1\},"salt":"[A-Za-z0-9+/]{43}="\},"cipher":\{"name":"nacl\/secretbox","nonce":"[A-Za-z0-9+/]{32}"\},"ciphertext":"[A-Za-z0-9+/=]+"\}$/,
  );
  const env = parseEncryptedEnvelope(block.der);
  assert.equal(env.salt.length, 32);
  assert.equal(env.nonce.length, 24);
  assert.equal(env.sealed.length, secret.length + 16);
  assert.deepEqual(await decryptEnvelope(block.der, 'pw'), secret);
});

test('each encryption draws a fresh salt and nonce', async () => {
  const a = parseEncryptedEnvelope(readPem(await encryptToPem(Buffer.from('x'), 'pw', { level: 'legacy' })).der);
  const b = parseEncryptedEnvelope(readPem(await encryptToPem(Buffer.from('x'), 'pw', { level: 'legacy' })).der);
  assert.notDeepEqual(a.salt, b.salt);
  assert.notDeepEqual(a.nonce, b.nonce);
  assert.notDeepEqual(a.sealed, b.sealed);
});

test('older COSIGN label, other levels and the empty password round-trip', async () => {
  const pem = await encryptToPem(Buffer.from('k'), '', { level: 'legacy', label: COSIGN_ENCRYPTED_LABEL });
  const block = readPem(pem);
  assert.equal(block.label, COSIGN_ENCRYPTED_LABEL);
  assert.deepEqual(parseEncryptedEnvelope(block.der).params, { N: 32768, r: 8, p: 1 });
  assert.equal((await decryptEnvelope(block.der, '')).toString(), 'k');
  await assert.rejects(decryptEnvelope(block.der, ' '), isCode('KEY_DECRYPT_FAILED'));
  await assert.rejects(encryptToPem(Buffer.from('k'), 'pw', { level: 'weak' as never }), isCode('USAGE'));
});

test('a non-ASCII password is used as its UTF-8 bytes', async () => {
  const block = readPem(await encryptToPem(Buffer.from('k'), 'pässwörd🔑', { level: 'legacy' }));
  assert.equal((await decryptEnvelope(block.der, 'pässwörd🔑')).toString(), 'k');
  await assert.rejects(decryptEnvelope(block.der, 'pässwörd🔑'.normalize('NFD')), isCode('KEY_DECRYPT_FAILED'));
});

test('scrypt parameters outside the accepted sets are refused at once, never computed', () => {
  const cases: Array<[unknown, unknown, unknown, ErrorCode]> = [
    [2 ** 30, 8, 1, 'INPUT_TOO_LARGE'],
    [32768, 8, 2 ** 20, 'INPUT_TOO_LARGE'],
    [32768, 2 ** 20, 1, 'INPUT_TOO_LARGE'],
    [262144, 8, 1, 'INPUT_TOO_LARGE'],
    [16, 8, 1, 'KEY_MALFORMED'],
    [32768, 1, 1, 'KEY_MALFORMED'],
    [32767, 8, 1, 'KEY_MALFORMED'],
    [32768.5, 8, 1, 'KEY_MALFORMED'],
    [-32768, 8, 1, 'KEY_MALFORMED'],
    ['32768', 8, 1, 'KEY_MALFORMED'],
    [32768, 8, null, 'KEY_MALFORMED'],
    [1e308, 1e308, 1e308, 'KEY_MALFORMED'],
  ];
  const start = process.hrtime.bigint();
  for (const [N, r, p, code] of cases) {
    throwsCode(() => parseEncryptedEnvelope(edited(['kdf.params', { N, r, p }])), code, JSON.stringify({ N, r, p }));
  }
  assert.ok(process.hrtime.bigint() - start < 1_000_000_000n, 'refusals must not run scrypt');
});

test('structural problems in the envelope are KEY_MALFORMED', () => {
  const b64 = (n: number) => Buffer.alloc(n, 7).toString('base64');
  const cases: Record<string, Edit[]> = {
    'salt 31 bytes': [['kdf.salt', b64(31)]],
    'salt 33 bytes': [['kdf.salt', b64(33)]],
    'nonce 23 bytes': [['cipher.nonce', b64(23)]],
    'nonce 25 bytes': [['cipher.nonce', b64(25)]],
    'empty nonce': [['cipher.nonce', '']],
    'ciphertext no longer than a tag': [['ciphertext', b64(16)]],
    'kdf name': [['kdf.name', 'argon2id']],
    'cipher name': [['cipher.name', 'aes-gcm']],
    'kdf name case': [['kdf.name', 'SCRYPT']],
    'unknown top-level member': [['extra', 1]],
    'member in other case': [['KDF', JSON.parse(vectors.vectors.legacy.envelope).kdf], ['kdf', DELETE]],
    'missing ciphertext': [['ciphertext', DELETE]],
    'missing params': [['kdf.params', DELETE]],
    'extra param': [['kdf.params.q', 1]],
    'salt as array': [['kdf.salt', [1, 2, 3]]],
    'null cipher': [['cipher', null]],
    'URL-safe base64 salt': [['kdf.salt', Buffer.alloc(32, 0xfb).toString('base64url')]],
    'unpadded base64 nonce': [['cipher.nonce', b64(23).replace(/=+$/, '')]],
    'base64 with a newline': [['ciphertext', (old: unknown) => `${String(old).slice(0, 8)}\n${String(old).slice(8)}`]],
    'non-canonical base64': [['kdf.salt', (old: unknown) => String(old).replace(/.=$/, 'B=')]],
  };
  for (const [name, edits] of Object.entries(cases)) {
    throwsCode(() => parseEncryptedEnvelope(edited(...edits)), 'KEY_MALFORMED', name);
  }
});

test('bodies that are not one JSON object are KEY_MALFORMED', () => {
  const legacy = vectors.vectors.legacy.envelope;
  const cases: Record<string, Buffer> = {
    'not JSON': Buffer.from('not a key'),
    'JSON array': Buffer.from('[]'),
    'JSON string': Buffer.from('"x"'),
    'invalid UTF-8': Buffer.from([0x7b, 0xff, 0x7d]),
    'duplicate member': Buffer.from(legacy.replace('{"kdf"', '{"ciphertext":"AAAA","kdf"')),
    'deep nesting': Buffer.from('{"kdf":'.repeat(50) + '1' + '}'.repeat(50)),
    truncated: Buffer.from(legacy.slice(0, -1)),
    empty: Buffer.alloc(0),
  };
  for (const [name, body] of Object.entries(cases)) throwsCode(() => parseEncryptedEnvelope(body), 'KEY_MALFORMED', name);
});

test('an oversized body is INPUT_TOO_LARGE', () => {
  throwsCode(() => parseEncryptedEnvelope(edited(['ciphertext', Buffer.alloc(20_000).toString('base64')])), 'INPUT_TOO_LARGE');
});
