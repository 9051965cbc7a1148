import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envelopeToJson, parseEnvelope, preAuthEncoding, signEnvelope, verifyEnvelope, type Envelope } from '../../src/formats/dsse.js';
import type { Verifier } from '../../src/crypto/signer.js';
import { testKeyPair } from './test-keys.js';

const TYPE = 'application/vnd.in-toto+json';
const BODY = '{"hello":"world"}';

function toUrlSafe(b64: string): string {
  return b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

test('PAE matches the DSSE spec test vector', () => {
  const pae = preAuthEncoding('http://example.com/HelloWorld', Buffer.from('hello world'));
  assert.equal(pae.toString('latin1'), 'DSSEv1 29 http://example.com/HelloWorld 11 hello world');
});

test('PAE lengths count UTF-8 bytes, not characters', () => {
  const pae = preAuthEncoding('tÿpe', Buffer.from('é', 'utf8'));
  assert.deepEqual(pae, Buffer.concat([Buffer.from('DSSEv1 5 '), Buffer.from('tÿpe', 'utf8'), Buffer.from(' 2 '), Buffer.from('é', 'utf8')]));
  assert.equal(preAuthEncoding('', new Uint8Array()).toString(), 'DSSEv1 0  0 ');
});

for (const alg of ['ecdsa-p256', 'ed25519'] as const) {
  test(`${alg}: sign, serialise, parse and verify round trip`, async () => {
    const k = testKeyPair(alg);
    const env = await signEnvelope(TYPE, BODY, [k.signer]);
    assert.equal(env.signatures[0]?.keyid, k.signer.keyId);
    const parsed = parseEnvelope(envelopeToJson(env));
    assert.deepEqual(parsed, env);
    const out = verifyEnvelope(parsed, [k.verifier], { payloadType: TYPE });
    assert.equal(out.payload.toString(), BODY);
    assert.equal(out.payloadType, TYPE);
    assert.deepEqual(out.verifiedBy, [k.verifier.keyId]);
  });
}

test('the signature is over PAE: a signature over the bare payload does not verify', async () => {
  const k = testKeyPair();
  const raw = await k.signer.sign(Buffer.from(BODY));
  const env: Envelope = { payloadType: TYPE, payload: Buffer.from(BODY).toString('base64'), signatures: [{ sig: Buffer.from(raw).toString('base64') }] };
  assert.throws(() => verifyEnvelope(env, [k.verifier]), { name: 'ProvenantError', code: 'SIGNATURE_INVALID' });
});

test('tampered payload, payloadType or signature fail with SIGNATURE_INVALID', async () => {
  const k = testKeyPair();
  const env = await signEnvelope(TYPE, BODY, [k.signer]);
  const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
  sig[sig.length - 1]! ^= 1;
  const tampered: Envelope[] = [
    { ...env, payload: Buffer.from('{"hello":"w0rld"}').toString('base64') },
    { ...env, payloadType: 'application/json' },
    { ...env, signatures: [{ sig: sig.toString('base64') }] },
  ];
  for (const t of tampered) {
    assert.throws(() => verifyEnvelope(t, [k.verifier]), { name: 'ProvenantError', code: 'SIGNATURE_INVALID' });
  }
  assert.throws(() => verifyEnvelope(env, [testKeyPair().verifier]), { code: 'SIGNATURE_INVALID' });
});

test('URL-safe base64 (unpadded) payload and sig are accepted', async () => {
  const k = testKeyPair();
  // A payload whose standard base64 contains "+" or "/" exercises the alphabet, not only padding.
  const body = Buffer.from([0xfb, 0xff, 0xbf, 0x3e, 0x3f, 0x00, 0x01]);
  const env = await signEnvelope('application/octet-stream', body, [k.signer]);
  const json = JSON.stringify({
    payloadType: env.payloadType,
    payload: toUrlSafe(env.payload),
    signatures: [{ sig: toUrlSafe(env.signatures[0]!.sig) }],
  });
  assert.match(env.payload, /[+/]/);
  const out = verifyEnvelope(parseEnvelope(json), [k.verifier]);
  assert.deepEqual(out.payload, body);
});

test('keyid is only a hint: a lying keyid neither helps nor hurts', async () => {
  const a = testKeyPair();
  const b = testKeyPair();
  const env = await signEnvelope(TYPE, BODY, [a.signer]);
  const lying: Envelope = { ...env, signatures: [{ keyid: b.signer.keyId, sig: env.signatures[0]!.sig }] };
  assert.deepEqual(verifyEnvelope(lying, [a.verifier]).verifiedBy, [a.verifier.keyId]);
  assert.throws(() => verifyEnvelope(lying, [b.verifier]), { code: 'SIGNATURE_INVALID' });
});

test('threshold counts distinct keys, not signatures', async () => {
  const a = testKeyPair();
  const b = testKeyPair();
  const both = await signEnvelope(TYPE, BODY, [a.signer, b.signer]);
  assert.deepEqual(verifyEnvelope(both, [a.verifier, b.verifier], { threshold: 2 }).verifiedBy, [a.verifier.keyId, b.verifier.keyId]);
  const onlyA = await signEnvelope(TYPE, BODY, [a.signer]);
  const repeated: Envelope = { ...onlyA, signatures: [onlyA.signatures[0]!, onlyA.signatures[0]!] };
  assert.throws(() => verifyEnvelope(repeated, [a.verifier, b.verifier], { threshold: 2 }), { code: 'SIGNATURE_INVALID' });
  assert.throws(() => verifyEnvelope(both, [a.verifier, a.verifier], { threshold: 2 }), { code: 'USAGE' });
  assert.throws(() => verifyEnvelope(both, [a.verifier], { threshold: 0 }), { code: 'USAGE' });
  assert.throws(() => verifyEnvelope(both, [], {}), { code: 'USAGE' });
});

test('a verifier that throws counts as not verified, and another key can still pass', async () => {
  const a = testKeyPair();
  const env = await signEnvelope(TYPE, BODY, [a.signer]);
  const broken: Verifier = { ...a.verifier, keyId: 'sha256:broken', verify: () => { throw new Error('boom'); } };
  assert.deepEqual(verifyEnvelope(env, [broken, a.verifier]).verifiedBy, [a.verifier.keyId]);
  assert.throws(() => verifyEnvelope(env, [broken]), { code: 'SIGNATURE_INVALID' });
});

test('a verified envelope of another payloadType is refused when a type is required', async () => {
  const k = testKeyPair();
  const env = await signEnvelope('application/json', BODY, [k.signer]);
  assert.throws(() => verifyEnvelope(env, [k.verifier], { payloadType: TYPE }), { code: 'PAYLOAD_MALFORMED' });
});

test('duplicate JSON keys are refused at every level', () => {
  const sig = Buffer.from('sig').toString('base64');
  assert.throws(() => parseEnvelope(`{"payloadType":"a","payloadType":"b","payload":"","signatures":[{"sig":"${sig}"}]}`), {
    code: 'DSSE_MALFORMED', details: { jsonCode: 'JSON_DUPLICATE_KEY' },
  });
  assert.throws(() => parseEnvelope(`{"payloadType":"a","payload":"","signatures":[{"sig":"${sig}","sig":"${sig}"}]}`), {
    code: 'DSSE_MALFORMED', details: { jsonCode: 'JSON_DUPLICATE_KEY' },
  });
});

test('malformed envelopes fail with DSSE_MALFORMED', () => {
  const sig = Buffer.from('sig').toString('base64');
  const good = { payloadType: TYPE, payload: 'e30=', signatures: [{ keyid: '', sig }] };
  assert.deepEqual(parseEnvelope(JSON.stringify(good)), good);
  const bad: unknown[] = [
    { ...good, extra: 1 },
    { payload: 'e30=', signatures: good.signatures },
    { ...good, payloadType: '' },
    { ...good, payloadType: 7 },
    { ...good, payload: 'e30' + '=' + '=' },
    { ...good, payload: 'e3 0=' },
    { ...good, payload: null },
    { ...good, signatures: [] },
    { ...good, signatures: {} },
    { ...good, signatures: ['x'] },
    { ...good, signatures: [{ sig: '' }] },
    { ...good, signatures: [{ sig, keyid: 5 }] },
    { ...good, signatures: [{ sig, cert: 'x' }] },
    { ...good, signatures: [{ keyid: 'k' }] },
    { ...good, signatures: [{ sig: 'not base64!' }] },
  ];
  for (const b of bad) {
    assert.throws(() => parseEnvelope(JSON.stringify(b)), { name: 'ProvenantError', code: 'DSSE_MALFORMED' }, JSON.stringify(b));
  }
  for (const text of ['[]', '{"payloadType":', '{"a":' + '['.repeat(20) + ']'.repeat(20) + '}']) {
    assert.throws(() => parseEnvelope(text), { code: 'DSSE_MALFORMED' }, text);
  }
  assert.throws(() => parseEnvelope(new Uint8Array([0x7b, 0xff, 0x7d])), { code: 'DSSE_MALFORMED' });
});

test('size and count limits are enforced', () => {
  const sig = Buffer.from('sig').toString('base64');
  const many = { payloadType: TYPE, payload: '', signatures: Array.from({ length: 65 }, () => ({ sig })) };
  assert.throws(() => parseEnvelope(JSON.stringify(many)), { code: 'INPUT_TOO_LARGE' });
  const big = JSON.stringify({ payloadType: TYPE, payload: 'A'.repeat(2048), signatures: [{ sig }] });
  assert.throws(() => parseEnvelope(big, { maxBytes: 1024 }), { code: 'INPUT_TOO_LARGE' });
  assert.throws(() => parseEnvelope(JSON.stringify({ payloadType: 'x'.repeat(1025), payload: '', signatures: [{ sig }] })), {
    code: 'DSSE_MALFORMED',
  });
});

test('signing refuses an empty signer list or payloadType', async () => {
  await assert.rejects(signEnvelope(TYPE, BODY, []), { code: 'USAGE' });
  await assert.rejects(signEnvelope('', BODY, [testKeyPair().signer]), { code: 'USAGE' });
});
