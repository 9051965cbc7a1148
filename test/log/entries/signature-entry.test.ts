import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../../src/core/digest.js';
import { canonicalJsonBytes, parseJsonObject, type JsonObject } from '../../../src/core/json.js';
import { buildSimpleSigningPayload } from '../../../src/formats/simple-signing.js';
import { describeEntry, prepareEntry, proposeSignature } from '../../../src/log/entries/index.js';
import { clone, ecdsa, ed25519, IMAGE, OTHER_IMAGE, rejectsCode, signatureProposal, stranger } from './entry-fixtures.js';

function spec(proposal: JsonObject): JsonObject {
  return proposal.spec as JsonObject;
}

for (const key of [ecdsa, ed25519]) {
  test(`${key.algorithm}: a cosign signature becomes a signature entry with subject, signer and repository terms`, async () => {
    const prepared = await prepareEntry(await signatureProposal(key));
    const entry = parseJsonObject(prepared.entry);
    assert.equal(entry.kind, 'signature');
    const stored = entry.spec as JsonObject;
    assert.equal(stored.subject, IMAGE);
    assert.equal(stored.signer, key.keyId);
    assert.equal(stored.publicKey, key.publicKeyPem());
    assert.deepEqual(prepared.terms, [
      { name: 'kind', value: 'signature' },
      { name: 'subject', value: IMAGE },
      { name: 'signer', value: key.keyId },
      { name: 'repository', value: 'registry.example/team/app' },
      { name: 'entry', value: sha256Digest(prepared.entry) },
    ]);
    assert.deepEqual(prepared.blobs, []);
    const described = describeEntry(prepared.entry);
    assert.equal(described.kind, 'signature');
    assert.equal(described.signer, key.keyId);
    assert.deepEqual(described.subjects, [{ name: 'registry.example/team/app', digest: IMAGE }]);
    assert.equal(described.entryDigest, sha256Digest(prepared.entry));
    assert.equal(described.signaturesChecked, true);
  });
}

test('the same signature proposed twice, or with another spelling of the key and base64, gives identical bytes', async () => {
  const proposal = await signatureProposal(ecdsa);
  const first = await prepareEntry(proposal);
  assert.deepEqual((await prepareEntry(clone(proposal))).entry, first.entry);
  const respelled = clone(proposal);
  const s = spec(respelled);
  s.publicKey = (s.publicKey as string).replace(/\n/g, '\r\n');
  s.signature = (s.signature as string).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  assert.deepEqual((await prepareEntry(respelled)).entry, first.entry);
});

test('a flipped signature bit, a tampered payload or another key fail with SIGNATURE_INVALID', async () => {
  const proposal = await signatureProposal(ecdsa);
  const badSig = clone(proposal);
  const sig = Buffer.from(spec(badSig).signature as string, 'base64');
  sig[sig.length - 1]! ^= 1;
  spec(badSig).signature = sig.toString('base64');
  await rejectsCode(prepareEntry(badSig), 'SIGNATURE_INVALID');

  const tampered = clone(proposal);
  spec(tampered).payload = buildSimpleSigningPayload({ dockerReference: 'registry.example/team/app', digest: OTHER_IMAGE, optional: null }).toString('base64');
  await rejectsCode(prepareEntry(tampered), 'SIGNATURE_INVALID');

  const otherKey = clone(proposal);
  spec(otherKey).publicKey = stranger.publicKeyPem();
  await rejectsCode(prepareEntry(otherKey), 'SIGNATURE_INVALID');
});

test('a private key in place of the public key is KEY_MISMATCH; garbage is PEM_MALFORMED', async () => {
  const proposal = await signatureProposal(ecdsa);
  const priv = clone(proposal);
  spec(priv).publicKey = stranger.toPkcs8Pem();
  await rejectsCode(prepareEntry(priv), 'KEY_MISMATCH');
  const garbage = clone(proposal);
  spec(garbage).publicKey = 'not a key';
  await rejectsCode(prepareEntry(garbage), 'PEM_MALFORMED');
});

test('the payload is read strictly: a validly signed payload of the wrong shape is PAYLOAD_MALFORMED', async () => {
  const payload = Buffer.from('{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"' + IMAGE + '"},"type":"cosign container image signature","extra":1}}');
  await rejectsCode(prepareEntry(proposeSignature(payload, await ecdsa.sign(payload), ecdsa.publicKeyPem())), 'PAYLOAD_MALFORMED');
});

test('a spec with an unknown field, a missing field or bad base64 is refused', async () => {
  const proposal = await signatureProposal(ecdsa);
  const extra = clone(proposal);
  spec(extra).subject = IMAGE;
  await rejectsCode(prepareEntry(extra), 'ENTRY_MALFORMED');
  const missing = clone(proposal);
  delete spec(missing).signature;
  await rejectsCode(prepareEntry(missing), 'ENTRY_MALFORMED');
  const badBase64 = clone(proposal);
  spec(badBase64).payload = 'not base64!';
  await rejectsCode(prepareEntry(badBase64), 'BASE64_MALFORMED');
});

test('a signature proposal over 64 KiB is INPUT_TOO_LARGE before any verification', async () => {
  const proposal = await signatureProposal(ecdsa);
  spec(proposal).payload = Buffer.alloc(70 * 1024, 0x41).toString('base64');
  await rejectsCode(prepareEntry(proposal), 'INPUT_TOO_LARGE');
});

test('describeEntry catches a stored signature entry whose recorded subject was edited', async () => {
  const prepared = await prepareEntry(await signatureProposal(ed25519));
  const entry = parseJsonObject(prepared.entry);
  (entry.spec as JsonObject).subject = OTHER_IMAGE;
  assert.throws(() => describeEntry(canonicalJsonBytes(entry)), { code: 'ENTRY_MALFORMED' });
});
