import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { isSingleDerSequence, isStrictEcdsaDerSignature } from '../../src/crypto/der.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

test('isSingleDerSequence: exactly one SEQUENCE and nothing after it', () => {
  assert.equal(isSingleDerSequence(hex('3003 020101')), true);
  assert.equal(isSingleDerSequence(hex('3000')), true);
  const long = Buffer.concat([hex('308180'), Buffer.alloc(128)]);
  assert.equal(isSingleDerSequence(long), true);
  assert.equal(isSingleDerSequence(hex('3003 020101 00')), false, 'trailing byte');
  assert.equal(isSingleDerSequence(hex('3004 020101')), false, 'truncated');
  assert.equal(isSingleDerSequence(hex('3103 020101')), false, 'SET, not SEQUENCE');
  assert.equal(isSingleDerSequence(hex('3080 020101 0000')), false, 'indefinite length (BER)');
  assert.equal(isSingleDerSequence(hex('308103 020101')), false, 'long form for a short length');
  assert.equal(isSingleDerSequence(Buffer.concat([hex('30820080'), Buffer.alloc(128)])), false, 'leading zero length octet');
  assert.equal(isSingleDerSequence(hex('3084 00000001 00')), false, 'four length octets');
  assert.equal(isSingleDerSequence(new Uint8Array()), false);
  assert.equal(isSingleDerSequence(hex('30')), false);
});

const R = '00' + 'ff'.repeat(32);
const S = '01'.repeat(32);

function ecdsaSig(r: string, s: string): Buffer {
  const rb = hex(r);
  const sb = hex(s);
  const body = Buffer.concat([Buffer.from([0x02, rb.length]), rb, Buffer.from([0x02, sb.length]), sb]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

test('isStrictEcdsaDerSignature accepts real P-256 signatures from OpenSSL', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (let i = 0; i < 50; i++) {
    const sig = sign('sha256', Buffer.from([i]), { key: privateKey, dsaEncoding: 'der' });
    assert.equal(isStrictEcdsaDerSignature(sig, 32), true);
  }
  assert.equal(isStrictEcdsaDerSignature(ecdsaSig(R, S), 32), true);
  assert.equal(isStrictEcdsaDerSignature(ecdsaSig('01', '01'), 32), true);
});

test('isStrictEcdsaDerSignature refuses every non-DER or out-of-shape encoding', () => {
  const good = ecdsaSig(R, S);
  const cases: Record<string, Uint8Array> = {
    empty: new Uint8Array(),
    'IEEE P1363 r||s (64 bytes)': Buffer.alloc(64, 1),
    'trailing byte': Buffer.concat([good, hex('00')]),
    'outer length too long': Buffer.concat([Buffer.from([0x30, good[1]! + 1]), good.subarray(2)]),
    truncated: good.subarray(0, good.length - 1),
    'non-minimal leading zero': ecdsaSig('0001', S),
    'negative r': ecdsaSig('80' + '00'.repeat(31), S),
    'zero r': ecdsaSig('00', S),
    'empty integer': ecdsaSig('', S),
    'r wider than the curve': ecdsaSig('01' + '00'.repeat(32), S),
    'three integers': (() => {
      const body = Buffer.concat([good.subarray(2), hex('020101')]);
      return Buffer.concat([Buffer.from([0x30, body.length]), body]);
    })(),
    'one integer': (() => {
      const body = hex('020101');
      return Buffer.concat([Buffer.from([0x30, body.length]), body]);
    })(),
    'OCTET STRING instead of INTEGER': Buffer.from(good).fill(0x04, 2, 3),
    'long-form outer length': Buffer.concat([Buffer.from([0x30, 0x81, good[1]!]), good.subarray(2)]),
  };
  for (const [name, sig] of Object.entries(cases)) assert.equal(isStrictEcdsaDerSignature(sig, 32), false, name);
});
