import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { isStrictEcdsaDerSignature } from '../../src/crypto/der.js';
import { loadSigningKey, loadVerifier } from '../../src/crypto/keys.js';
import { readPem, writePem } from '../../src/crypto/pem.js';
import { SigningKey } from '../../src/crypto/signing-key.js';
import { PublicKeyVerifier } from '../../src/crypto/verifier.js';
import type { Verifier } from '../../src/crypto/signer.js';
import { fixture, pae } from './helpers.js';

const DATA = Buffer.from('{"critical":{"image":{"docker-manifest-digest":"sha256:00"}}}');
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
const ED25519_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

for (const algorithm of ['ecdsa-p256', 'ed25519'] as const) {
  test(`${algorithm}: signatures verify, and only for the same data and key`, async () => {
    const key = SigningKey.generate(algorithm);
    const other = SigningKey.generate(algorithm);
    const verifier = loadVerifier(key.publicKeyPem());
    const sig = await key.sign(DATA);
    assert.equal(verifier.algorithm, algorithm);
    assert.ok(verifier.verify(DATA, sig));
    assert.ok(key.verifier().verify(DATA, sig));
    assert.equal(verifier.verify(Buffer.concat([DATA, Buffer.from(' ')]), sig), false);
    assert.equal(verifier.verify(DATA.subarray(1), sig), false);
    assert.equal(other.verifier().verify(DATA, sig), false);
    for (const i of [0, 10, sig.length - 1]) {
      const bad = Buffer.from(sig);
      bad[i]! ^= 0x01;
      assert.equal(verifier.verify(DATA, bad), false, `bit flip at ${i}`);
    }
    assert.ok(verifier.verify(new Uint8Array(), await key.sign(new Uint8Array())), 'empty data');
  });

  test(`${algorithm}: keyId is sha256 of the DER SubjectPublicKeyInfo`, () => {
    const key = SigningKey.generate(algorithm);
    const spki = readPem(key.publicKeyPem()).der;
    assert.equal(key.keyId, `sha256:${createHash('sha256').update(spki).digest('hex')}`);
    assert.equal(PublicKeyVerifier.fromSpki(spki).keyId, key.keyId);
    assert.deepEqual(key.verifier().spkiDer(), spki);
  });

  test(`${algorithm}: verify returns false, never throws, for malformed signatures`, async () => {
    const key = SigningKey.generate(algorithm);
    const verifier: Verifier = key.verifier();
    const good = Buffer.from(await key.sign(DATA));
    const junk: unknown[] = [
      new Uint8Array(),
      new Uint8Array([0x30]),
      Buffer.alloc(64),
      Buffer.alloc(72, 0xff),
      randomBytes(71),
      Buffer.concat([good, Buffer.from([0])]),
      good.subarray(0, good.length - 1),
      Buffer.alloc(1024 * 1024, 0x30),
      'not bytes',
      null,
      undefined,
      [1, 2, 3],
      { length: 64 },
    ];
    for (const sig of junk) assert.equal(verifier.verify(DATA, sig as Uint8Array), false);
    assert.equal(verifier.verify('not bytes' as unknown as Uint8Array, good), false);
    assert.equal(verifier.verify(null as unknown as Uint8Array, good), false);
  });
}

test('ecdsa-p256: signatures are strict DER; the IEEE P1363 r||s form is refused, as cosign refuses it', async () => {
  const key = SigningKey.generate('ecdsa-p256');
  const der = Buffer.from(await key.sign(DATA));
  assert.ok(isStrictEcdsaDerSignature(der, 32));
  const { r, s } = splitDer(der);
  const p1363 = Buffer.concat([toBytes(r, 32), toBytes(s, 32)]);
  assert.equal(key.verifier().verify(DATA, p1363), false);
});

test('ecdsa-p256: the (r, n−s) twin verifies, as it does in Go ecdsa.VerifyASN1 (no low-S rule)', async () => {
  const key = SigningKey.generate('ecdsa-p256');
  const { r, s } = splitDer(Buffer.from(await key.sign(DATA)));
  assert.ok(key.verifier().verify(DATA, derSig(r, P256_ORDER - s)));
  assert.equal(key.verifier().verify(DATA, derSig(r, s + P256_ORDER)), false, 's ≥ n');
  assert.equal(key.verifier().verify(DATA, derSig(r + P256_ORDER, s)), false, 'r ≥ n');
});

test('ed25519: RFC 8032 §7.1 vectors sign and verify exactly', async () => {
  const { vectors } = JSON.parse(fixture('rfc8032-ed25519.json')) as {
    vectors: Array<{ name: string; secretKey: string; publicKey: string; message: string; signature: string }>;
  };
  for (const v of vectors) {
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(v.secretKey, 'hex')]);
    const key = await loadSigningKey(writePem('PRIVATE KEY', pkcs8));
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(v.publicKey, 'hex')]);
    assert.deepEqual(readPem(key.publicKeyPem()).der, spki, v.name);
    const message = Buffer.from(v.message, 'hex');
    assert.equal(Buffer.from(await key.sign(message)).toString('hex'), v.signature, v.name);
    assert.ok(PublicKeyVerifier.fromSpki(spki).verify(message, Buffer.from(v.signature, 'hex')), v.name);
  }
});

test('ed25519: a signature with S ≥ L (malleated) is refused', async () => {
  const key = SigningKey.generate('ed25519');
  const sig = Buffer.from(await key.sign(DATA));
  const sPlusL = fromLittleEndian(sig.subarray(32)) + ED25519_ORDER;
  const malleated = Buffer.concat([sig.subarray(0, 32), toLittleEndian(sPlusL, 32)]);
  assert.equal(key.verifier().verify(DATA, malleated), false);
});

test('a real cosign signature (cosign verify_blob_attestation_test.go) verifies with its cosign public key', () => {
  const verifier = loadVerifier(fixture('cosign-verify-blob-attestation.pub'));
  const envelope = JSON.parse(fixture('cosign-slsa-dsse-envelope.json')) as {
    payloadType: string;
    payload: string;
    signatures: Array<{ sig: string }>;
  };
  const payload = Buffer.from(envelope.payload, 'base64');
  const sig = Buffer.from(envelope.signatures[0]!.sig, 'base64');
  assert.ok(verifier.verify(pae(envelope.payloadType, payload), sig));
  assert.equal(verifier.verify(payload, sig), false, 'the signature covers the PAE, not the bare payload');
  assert.equal(verifier.verify(pae('application/json', payload), sig), false);
  assert.equal(SigningKey.generate().verifier().verify(pae(envelope.payloadType, payload), sig), false);
});

function splitDer(der: Buffer): { r: bigint; s: bigint } {
  const rLen = der[3]!;
  const r = der.subarray(4, 4 + rLen);
  const s = der.subarray(6 + rLen);
  return { r: BigInt(`0x${r.toString('hex')}`), s: BigInt(`0x${s.toString('hex')}`) };
}

function toBytes(value: bigint, width: number): Buffer {
  return Buffer.from(value.toString(16).padStart(width * 2, '0'), 'hex');
}

function derInt(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  const b = Buffer.from(hex, 'hex');
  return Buffer.concat([Buffer.from([0x02, b.length]), b]);
}

function derSig(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInt(r), derInt(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function fromLittleEndian(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).reverse().toString('hex') || '0'}`);
}

function toLittleEndian(value: bigint, width: number): Buffer {
  return toBytes(value, width).reverse();
}
