import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ECDH, createHash, generateKeyPairSync } from 'node:crypto';
import { decryptEnvelope, encryptToPem, parseEncryptedEnvelope } from '../../src/crypto/encrypted-key.js';
import { generateKeyPair, keyPemKind, loadSigningKey, loadVerifier } from '../../src/crypto/keys.js';
import { readPem, writePem } from '../../src/crypto/pem.js';
import { SigningKey } from '../../src/crypto/signing-key.js';
import { fixture, rejectsCode, throwsCode } from './helpers.js';

// The password of the encrypted keys in sigstore/cosign pkg/cosign/keys_test.go.
const COSIGN_TEST_PASSWORD = 'hello';
const MESSAGE = Buffer.from('provenant test message');

const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const pem = (label: string, der: Uint8Array): string => writePem(label, der);

test('a real cosign "ENCRYPTED SIGSTORE PRIVATE KEY" (cosign keys_test.go) loads with its password and signs', async () => {
  const key = await loadSigningKey(fixture('cosign-sigstore-encrypted.key'), COSIGN_TEST_PASSWORD);
  assert.equal(key.algorithm, 'ecdsa-p256');
  const verifier = loadVerifier(key.publicKeyPem());
  assert.equal(verifier.keyId, key.keyId);
  assert.ok(verifier.verify(MESSAGE, await key.sign(MESSAGE)));
});

test('the older "ENCRYPTED COSIGN PRIVATE KEY" label loads the same way', async () => {
  const key = await loadSigningKey(fixture('cosign-legacy-encrypted.key'), COSIGN_TEST_PASSWORD);
  assert.equal(key.algorithm, 'ecdsa-p256');
  assert.ok(key.verifier().verify(MESSAGE, await key.sign(MESSAGE)));
});

test('decryption is byte-exact: cosign envelope holds exactly the SEC 1 key of its sibling fixture', async () => {
  const inner = await decryptEnvelope(readPem(fixture('cosign-legacy-encrypted-sec1-inside.key')).der, COSIGN_TEST_PASSWORD);
  assert.deepEqual(inner, readPem(fixture('cosign-ec-p256-sec1.key')).der);
  // cosign refuses it (x509.ParsePKCS8PrivateKey fails on SEC 1), and so does Provenant.
  await rejectsCode(loadSigningKey(fixture('cosign-legacy-encrypted-sec1-inside.key'), COSIGN_TEST_PASSWORD), 'KEY_MALFORMED');
});

test('cosign fixtures: wrong password, missing password, public key where a private one is needed', async () => {
  await rejectsCode(loadSigningKey(fixture('cosign-sigstore-encrypted.key'), 'Hello'), 'KEY_DECRYPT_FAILED');
  await rejectsCode(loadSigningKey(fixture('cosign-sigstore-encrypted.key'), ''), 'KEY_DECRYPT_FAILED');
  await rejectsCode(loadSigningKey(fixture('cosign-sigstore-encrypted.key')), 'PASSWORD_REQUIRED');
  await rejectsCode(loadSigningKey(fixture('cosign-verify-blob-attestation.pub'), 'x'), 'KEY_MISMATCH');
  throwsCode(() => loadVerifier(fixture('cosign-sigstore-encrypted.key')), 'KEY_MISMATCH');
  throwsCode(() => loadVerifier(fixture('cosign-ec-p256-pkcs8.key')), 'KEY_MISMATCH');
});

test('a password function is asked only for encrypted keys', async () => {
  let asked = 0;
  const ask = async (): Promise<string> => {
    asked++;
    return COSIGN_TEST_PASSWORD;
  };
  await loadSigningKey(fixture('cosign-ec-p256-pkcs8.key'), ask);
  await loadSigningKey(fixture('cosign-ec-p256-sec1.key'), ask);
  assert.equal(asked, 0);
  await loadSigningKey(fixture('cosign-sigstore-encrypted.key'), ask);
  assert.equal(asked, 1);
});

test('plain cosign test keys load: SEC 1 and PKCS#8 P-256, PKCS#8 Ed25519', async () => {
  const sec1 = await loadSigningKey(fixture('cosign-ec-p256-sec1.key'));
  const pkcs8 = await loadSigningKey(fixture('cosign-ec-p256-pkcs8.key'));
  const ed = await loadSigningKey(fixture('cosign-ed25519-pkcs8.key'));
  assert.deepEqual([sec1.algorithm, pkcs8.algorithm, ed.algorithm], ['ecdsa-p256', 'ecdsa-p256', 'ed25519']);
  for (const key of [sec1, pkcs8, ed]) {
    const spki = readPem(key.publicKeyPem()).der;
    assert.equal(key.keyId, `sha256:${createHash('sha256').update(spki).digest('hex')}`);
    assert.ok(key.verifier().verify(MESSAGE, await key.sign(MESSAGE)));
  }
  assert.equal(new Set([sec1.keyId, pkcs8.keyId, ed.keyId]).size, 3);
});

test('RSA, P-384 and other algorithms are KEY_UNSUPPORTED, as public, private and encrypted keys', async () => {
  await rejectsCode(loadSigningKey(fixture('cosign-ec-p384-sec1.key')), 'KEY_UNSUPPORTED', 'cosign P-384 SEC 1');
  await rejectsCode(loadSigningKey(fixture('cosign-rsa-pkcs8.key')), 'KEY_UNSUPPORTED', 'cosign RSA PKCS#8');
  throwsCode(() => loadVerifier(fixture('cosign-rsa-public.pub')), 'KEY_UNSUPPORTED', 'cosign RSA public key');
  const others: Array<[string, ReturnType<typeof generateKeyPairSync>]> = [
    ['P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' })],
    ['P-521', generateKeyPairSync('ec', { namedCurve: 'P-521' })],
    ['secp256k1', generateKeyPairSync('ec', { namedCurve: 'secp256k1' })],
    ['X25519', generateKeyPairSync('x25519')],
    ['Ed448', generateKeyPairSync('ed448')],
    ['RSA', generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ];
  for (const [name, pair] of others) {
    throwsCode(() => loadVerifier(pem('PUBLIC KEY', pair.publicKey.export({ format: 'der', type: 'spki' }))), 'KEY_UNSUPPORTED', name);
    const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    await rejectsCode(loadSigningKey(pem('PRIVATE KEY', pkcs8)), 'KEY_UNSUPPORTED', name);
    await rejectsCode(loadSigningKey(await encryptToPem(pkcs8, 'pw', { level: 'legacy' }), 'pw'), 'KEY_UNSUPPORTED', name);
  }
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'der', type: 'sec1' });
  await rejectsCode(loadSigningKey(pem('EC PRIVATE KEY', p384)), 'KEY_UNSUPPORTED');
  await rejectsCode(loadSigningKey(pem('RSA PRIVATE KEY', Buffer.from('3000', 'hex'))), 'KEY_UNSUPPORTED');
  throwsCode(() => keyPemKind(pem('OPENSSH PRIVATE KEY', Buffer.from('00', 'hex'))), 'KEY_UNSUPPORTED');
});

test('a public KeyObject cannot become a SigningKey', () => {
  throwsCode(() => SigningKey.fromKeyObject(generateKeyPairSync('ed25519').publicKey), 'KEY_MISMATCH');
});

test('not a key, or a broken one: PEM_MALFORMED or KEY_MALFORMED, never a crash', async () => {
  const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
  const pkcs8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'pkcs8' });
  const sec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'sec1' });
  const offCurve = Buffer.from(spki);
  offCurve[offCurve.length - 1]! ^= 1;
  throwsCode(() => loadVerifier(fixture('cosign-pgp-private.asc')), 'PEM_MALFORMED');
  throwsCode(() => loadVerifier('garbage'), 'PEM_MALFORMED');
  throwsCode(() => loadVerifier(fixture('cosign-verify-blob-attestation.pub').slice(0, 60)), 'PEM_MALFORMED');
  throwsCode(() => loadVerifier(pem('CERTIFICATE', spki)), 'KEY_MALFORMED');
  const badPublic: Record<string, Buffer> = {
    'random bytes': Buffer.from('not a key at all'),
    truncated: spki.subarray(0, spki.length - 1),
    'trailing byte': Buffer.concat([spki, Buffer.from([0])]),
    'point off the curve': offCurve,
    'private key DER under a public label': pkcs8,
  };
  for (const [name, der] of Object.entries(badPublic)) throwsCode(() => loadVerifier(pem('PUBLIC KEY', der)), 'KEY_MALFORMED', name);
  await rejectsCode(loadSigningKey(pem('PRIVATE KEY', sec1)), 'KEY_MALFORMED', 'SEC 1 under PKCS#8 label');
  await rejectsCode(loadSigningKey(pem('EC PRIVATE KEY', pkcs8)), 'KEY_MALFORMED', 'PKCS#8 under SEC 1 label');
  await rejectsCode(loadSigningKey(pem('PRIVATE KEY', pkcs8.subarray(0, 40))), 'KEY_MALFORMED', 'truncated PKCS#8');
  await rejectsCode(loadSigningKey(pem('PRIVATE KEY', Buffer.concat([pkcs8, Buffer.from([0])]))), 'KEY_MALFORMED');
  await rejectsCode(loadSigningKey(pem('ENCRYPTED SIGSTORE PRIVATE KEY', Buffer.from('not a key')), 'x'), 'KEY_MALFORMED');
  const sealedGarbage = await encryptToPem(Buffer.from('not DER'), 'pw', { level: 'legacy' });
  await rejectsCode(loadSigningKey(sealedGarbage, 'pw'), 'KEY_MALFORMED', 'encrypted bytes that are not PKCS#8');
});

test('an ECDSA point in compressed form is refused (cosign reads uncompressed points only)', () => {
  const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
  const compressed = ECDH.convertKey(spki.subarray(-65), 'prime256v1', undefined, undefined, 'compressed') as Buffer;
  const header = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');
  throwsCode(() => loadVerifier(pem('PUBLIC KEY', Buffer.concat([header, compressed]))), 'KEY_MALFORMED');
});

test('a SEC 1 key whose stored public key is not its own is refused (the key id would lie)', async () => {
  const a = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'der', type: 'sec1' });
  const b = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
  const forged = Buffer.concat([a.subarray(0, a.length - 65), b.subarray(-65)]);
  await rejectsCode(loadSigningKey(pem('EC PRIVATE KEY', forged)), 'KEY_MALFORMED');
});

test('a SEC 1 key storing its public key compressed gets the same key id as the uncompressed form', async () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const sec1 = pair.privateKey.export({ format: 'der', type: 'sec1' });
  const compressed = ECDH.convertKey(sec1.subarray(-65), 'prime256v1', undefined, undefined, 'compressed') as Buffer;
  const body = Buffer.concat([sec1.subarray(2, 2 + 3 + 34 + 12), Buffer.from('a124032200', 'hex'), compressed]);
  const key = await loadSigningKey(pem('EC PRIVATE KEY', Buffer.concat([Buffer.from([0x30, body.length]), body])));
  const spki = pair.publicKey.export({ format: 'der', type: 'spki' });
  assert.deepEqual(readPem(key.publicKeyPem()).der, spki);
  assert.equal(key.keyId, `sha256:${createHash('sha256').update(spki).digest('hex')}`);
});

test('keyPemKind tells public, private and encrypted apart without a password', () => {
  assert.equal(keyPemKind(fixture('cosign-verify-blob-attestation.pub')), 'public');
  assert.equal(keyPemKind(fixture('cosign-ec-p256-sec1.key')), 'private');
  assert.equal(keyPemKind(fixture('cosign-ed25519-pkcs8.key')), 'private');
  assert.equal(keyPemKind(fixture('cosign-sigstore-encrypted.key')), 'encrypted');
  assert.equal(keyPemKind(fixture('cosign-legacy-encrypted.key')), 'encrypted');
  throwsCode(() => keyPemKind(pem('CERTIFICATE', Buffer.from('00', 'hex'))), 'KEY_MALFORMED');
});

for (const algorithm of ['ecdsa-p256', 'ed25519'] as const) {
  test(`generateKeyPair(${algorithm}) writes what cosign writes and reads back`, async () => {
    const pair = await generateKeyPair('correct horse', { algorithm });
    const block = readPem(pair.privateKeyPem);
    assert.equal(block.label, 'ENCRYPTED SIGSTORE PRIVATE KEY');
    assert.deepEqual(parseEncryptedEnvelope(block.der).params, { N: 65536, r: 8, p: 1 });
    const inner = await decryptEnvelope(block.der, 'correct horse');
    if (algorithm === 'ecdsa-p256') {
      // Same PKCS#8 layout as Go's x509.MarshalPKCS8PrivateKey (see the cosign fixtures): 138 bytes.
      assert.equal(inner.length, 138);
      assert.deepEqual(inner.subarray(0, 36), readPemInner());
      assert.deepEqual(readPem(pair.publicKeyPem).der.subarray(0, P256_SPKI_PREFIX.length), P256_SPKI_PREFIX);
    } else {
      assert.equal(inner.length, 48);
    }
    const loaded = await loadSigningKey(pair.privateKeyPem, 'correct horse');
    assert.equal(loaded.keyId, pair.signer.keyId);
    assert.equal(loadVerifier(pair.publicKeyPem).keyId, pair.signer.keyId);
    assert.ok(loadVerifier(pair.publicKeyPem).verify(MESSAGE, await loaded.sign(MESSAGE)));
    await rejectsCode(loadSigningKey(pair.privateKeyPem, 'correct horse '), 'KEY_DECRYPT_FAILED');
    const plain = await loadSigningKey(pair.signer.toPkcs8Pem());
    assert.equal(plain.keyId, pair.signer.keyId);
  });
}

/** The first 36 bytes of the PKCS#8 inside cosign's own encrypted test key: header up to the private scalar. */
function readPemInner(): Buffer {
  return Buffer.from('308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420', 'hex');
}

test('a public key read again is the same verifier; a refused one is refused every time', () => {
  const a = SigningKey.generate('ecdsa-p256');
  const b = SigningKey.generate('ed25519');
  const first = loadVerifier(a.publicKeyPem());
  assert.equal(loadVerifier(a.publicKeyPem()), first);
  assert.notEqual(loadVerifier(b.publicKeyPem()), first);
  assert.equal(loadVerifier(b.publicKeyPem()).keyId, b.keyId);
  const data = Buffer.from('payload');
  assert.equal(loadVerifier(a.publicKeyPem()).verify(data, Buffer.alloc(64)), false);
  const point = ECDH.convertKey(readPem(a.publicKeyPem()).der.subarray(-65), 'prime256v1', undefined, undefined, 'compressed') as Buffer;
  const compressed = writePem('PUBLIC KEY', Buffer.concat([Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'), point]));
  for (let i = 0; i < 2; i++) throwsCode(() => loadVerifier(compressed), 'KEY_MALFORMED');
});
