import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { sha256Digest } from '../../src/core/digest.js';
import { signEnvelope } from '../../src/formats/dsse.js';
import { buildDsseBundle, buildMessageSignatureBundle, parseBundle, serializeBundle, BUNDLE_V03_MEDIA_TYPE } from '../../src/formats/bundle.js';
import { verifyBundle } from '../../src/formats/bundle-verify.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/formats/intoto.js';
import { jsonAt, jsonEdit } from './json-edit.js';
import { testKeyPair } from './test-keys.js';

const STATEMENT = '{"_type":"https://in-toto.io/Statement/v1"}';

async function dsseBundleJson(alg: 'ecdsa-p256' | 'ed25519' = 'ecdsa-p256') {
  const k = testKeyPair(alg);
  const env = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, STATEMENT, [k.signer]);
  return { k, json: serializeBundle(buildDsseBundle(env, k.signer.keyId)) };
}


for (const alg of ['ecdsa-p256', 'ed25519'] as const) {
  test(`${alg}: a DSSE bundle we build is v0.3, round-trips, and verifies with @sigstore/verify and the key`, async () => {
    const { k, json } = await dsseBundleJson(alg);
    assert.equal(jsonAt(json, 'mediaType'), BUNDLE_V03_MEDIA_TYPE);
    assert.deepEqual(jsonAt(json, 'verificationMaterial.publicKey'), { hint: k.signer.keyId });
    assert.deepEqual(jsonAt(json, 'dsseEnvelope.signatures.0.keyid'), k.signer.keyId);
    assert.equal((jsonAt(json, 'dsseEnvelope.signatures') as unknown[]).length, 1);
    assert.equal(serializeBundle(parseBundle(json)), json);
    const out = verifyBundle({ bundle: json, publicKeyPem: k.publicKeyPem, requireTlog: false });
    assert.deepEqual(out.signer, { kind: 'publicKey' });
    assert.equal(out.tlogEntries, 0);
    assert.deepEqual(out.content, { kind: 'dsse', payloadType: IN_TOTO_PAYLOAD_TYPE, payload: Buffer.from(STATEMENT) });
  });
}

test('without a log entry the keyed bundle fails unless the caller waives the log', async () => {
  const { k, json } = await dsseBundleJson();
  assert.throws(() => verifyBundle({ bundle: json, publicKeyPem: k.publicKeyPem }), { name: 'ProvenantError', code: 'BUNDLE_INVALID' });
});

test('a wrong key, a tampered payload, payloadType or signature fail with BUNDLE_INVALID', async () => {
  const { k, json } = await dsseBundleJson();
  const other = testKeyPair();
  assert.throws(() => verifyBundle({ bundle: json, publicKeyPem: other.publicKeyPem, requireTlog: false }), { code: 'BUNDLE_INVALID' });
  const sig = Buffer.from(jsonAt(json, 'dsseEnvelope.signatures.0.sig') as string, 'base64');
  sig[10]! ^= 0x40;
  const tampered = [
    jsonEdit(json, 'dsseEnvelope.payload', Buffer.from(STATEMENT.replace('v1', 'v2')).toString('base64')),
    jsonEdit(json, 'dsseEnvelope.payloadType', 'application/json'),
    jsonEdit(json, 'dsseEnvelope.signatures.0.sig', sig.toString('base64')),
  ];
  for (const t of tampered) {
    assert.throws(() => verifyBundle({ bundle: t, publicKeyPem: k.publicKeyPem, requireTlog: false }), { code: 'BUNDLE_INVALID' });
  }
});

test('a message-signature bundle verifies only with the artifact it names', async () => {
  const k = testKeyPair();
  const artifact = Buffer.from('release tarball bytes');
  const signature = await k.signer.sign(artifact);
  const json = serializeBundle(buildMessageSignatureBundle({ digest: sha256Digest(artifact), signature, keyHint: k.signer.keyId }));
  const out = verifyBundle({ bundle: json, publicKeyPem: k.publicKeyPem, artifact, requireTlog: false });
  assert.deepEqual(out.content, { kind: 'messageSignature', digest: sha256Digest(artifact) });
  assert.throws(() => verifyBundle({ bundle: json, publicKeyPem: k.publicKeyPem, artifact: Buffer.from('other'), requireTlog: false }), {
    code: 'BUNDLE_INVALID',
  });
  assert.throws(() => verifyBundle({ bundle: json, publicKeyPem: k.publicKeyPem, requireTlog: false }), { code: 'USAGE' });
  // The digest field alone is not trusted: a correct digest with a signature over other bytes fails.
  const forged = serializeBundle(
    buildMessageSignatureBundle({ digest: sha256Digest(artifact), signature: await k.signer.sign(Buffer.from('other')), keyHint: '' }),
  );
  assert.throws(() => verifyBundle({ bundle: forged, publicKeyPem: k.publicKeyPem, artifact, requireTlog: false }), { code: 'BUNDLE_INVALID' });
  // A valid signature over the artifact in a bundle that names another digest is refused too.
  const misnamed = serializeBundle(buildMessageSignatureBundle({ digest: sha256Digest('other'), signature, keyHint: '' }));
  assert.throws(() => verifyBundle({ bundle: misnamed, publicKeyPem: k.publicKeyPem, artifact, requireTlog: false }), { code: 'BUNDLE_INVALID' });
});

test('keyed bundles refuse a missing key, an identity policy, and keys that are not SPKI P-256/Ed25519', async () => {
  const { k, json } = await dsseBundleJson();
  assert.throws(() => verifyBundle({ bundle: json, requireTlog: false }), { code: 'USAGE' });
  assert.throws(
    () => verifyBundle({ bundle: json, publicKeyPem: k.publicKeyPem, requireTlog: false, identity: { certificateIdentity: 'a@b' } }),
    { code: 'IDENTITY_MISMATCH' },
  );
  const privatePem = k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.throws(() => verifyBundle({ bundle: json, publicKeyPem: privatePem, requireTlog: false }), { code: 'KEY_MISMATCH' });
  assert.throws(() => verifyBundle({ bundle: json, publicKeyPem: 'nonsense', requireTlog: false }), { code: 'KEY_MALFORMED' });
  const garbled = '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n';
  assert.throws(() => verifyBundle({ bundle: json, publicKeyPem: garbled, requireTlog: false }), { code: 'KEY_MALFORMED' });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.throws(() => verifyBundle({ bundle: json, publicKeyPem: p384, requireTlog: false }), { code: 'KEY_UNSUPPORTED' });
});

test('building refuses an envelope with more than one signature', async () => {
  const a = testKeyPair();
  const b = testKeyPair();
  const env = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, STATEMENT, [a.signer, b.signer]);
  assert.throws(() => buildDsseBundle(env, a.signer.keyId), { code: 'USAGE' });
});

test('strict parsing refuses ambiguous or malformed bundles with BUNDLE_MALFORMED', async () => {
  const { json } = await dsseBundleJson();
  const cert = { rawBytes: Buffer.from('cert').toString('base64') };
  const entry = {
    logIndex: '1',
    logId: { keyId: 'AAAA' },
    kindVersion: { kind: 'dsse', version: '0.0.1' },
    integratedTime: '1',
    inclusionProof: { logIndex: '1', rootHash: 'AAAA', treeSize: '2', hashes: [], checkpoint: { envelope: 'x' } },
    canonicalizedBody: 'AAAA',
  };
  const sig0 = jsonAt(json, 'dsseEnvelope.signatures.0');
  const bad = [
    jsonEdit(json, 'extra', 1),
    jsonEdit(json, 'dsseEnvelope.extra', 1),
    jsonEdit(json, 'dsseEnvelope.signatures.0.extra', 1),
    jsonEdit(json, 'verificationMaterial.publicKey.extra', 1),
    jsonEdit(json, 'mediaType', 'application/vnd.dev.sigstore.bundle.v0.9+json'),
    jsonEdit(json, 'dsseEnvelope.payload', 'not base64!'),
    jsonEdit(json, 'dsseEnvelope.payload', null),
    jsonEdit(json, 'dsseEnvelope.signatures', [sig0, sig0]),
    jsonEdit(json, 'dsseEnvelope.signatures', []),
    jsonEdit(json, 'messageSignature', { messageDigest: { algorithm: 'SHA2_256', digest: 'AAAA' }, signature: 'AAAA' }),
    jsonEdit(json, 'dsseEnvelope', undefined),
    jsonEdit(json, 'verificationMaterial.certificate', cert),
    jsonEdit(json, 'verificationMaterial.publicKey', undefined),
    jsonEdit(json, 'verificationMaterial', { x509CertificateChain: { certificates: [cert] } }),
    jsonEdit(json, 'verificationMaterial.tlogEntries', [{ ...entry, logIndex: '-1' }]),
    jsonEdit(json, 'verificationMaterial.tlogEntries', [{ ...entry, logIndex: '1e3' }]),
    jsonEdit(json, 'verificationMaterial.tlogEntries', [{ ...entry, inclusionProof: undefined }]),
    jsonEdit(json, 'verificationMaterial.tlogEntries', [{ ...entry, log_index: '1' }]),
    jsonEdit(json, 'verificationMaterial.tlogEntries', Array.from({ length: 33 }, () => entry)),
    '[]',
    '{"mediaType":',
  ];
  for (const text of bad) {
    assert.throws(() => parseBundle(text), { name: 'ProvenantError', code: 'BUNDLE_MALFORMED' }, text.slice(0, 200));
    assert.throws(() => verifyBundle({ bundle: text, publicKeyPem: testKeyPair().publicKeyPem, requireTlog: false }), { code: 'BUNDLE_MALFORMED' });
  }
  const dup = json.replace('{"mediaType":', '{"mediaType":"x","mediaType":');
  assert.throws(() => parseBundle(dup), { code: 'BUNDLE_MALFORMED', details: { jsonCode: 'JSON_DUPLICATE_KEY' } });
  assert.throws(() => parseBundle(json, { maxBytes: 100 }), { code: 'INPUT_TOO_LARGE' });
  // A well-formed log entry is accepted by the parser; verifying it is the verifier's job.
  assert.doesNotThrow(() => parseBundle(jsonEdit(json, 'verificationMaterial.tlogEntries', [entry])));
});
