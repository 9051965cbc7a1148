import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest, type Digest } from '../../../src/core/digest.js';
import { canonicalJsonBytes, parseJsonObject, type JsonObject } from '../../../src/core/json.js';
import type { Signer } from '../../../src/crypto/index.js';
import { envelopeToJson, signEnvelope, type Envelope } from '../../../src/formats/dsse.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE_V01, statementToBytes } from '../../../src/formats/intoto.js';
import { describeEntry, DSSE_ENVELOPE_MEDIA_TYPE, LINEAGE_PREDICATE_TYPE, prepareEntry, proposeAttestation } from '../../../src/log/entries/index.js';
import { clone, ecdsa, ed25519, IMAGE, lineagePredicate, lineageStatement, OTHER_IMAGE, rejectsCode, statementProposal, stranger } from './entry-fixtures.js';

const SLSA = 'https://slsa.dev/provenance/v1';

async function envelope(key: Signer, predicate: JsonObject = { buildDefinition: { buildType: 'https://example.com/build/v1' } }): Promise<Envelope> {
  const statement = buildStatement({
    subjects: [
      { name: 'registry.example/app', digest: IMAGE },
      { name: 'registry.example/app-debug', digest: OTHER_IMAGE },
    ],
    predicateType: SLSA,
    predicate,
  });
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementToBytes(statement), [key]);
}

function spec(proposal: JsonObject): JsonObject {
  return proposal.spec as JsonObject;
}

for (const key of [ecdsa, ed25519]) {
  test(`${key.algorithm}: an attestation is stored compactly with its full envelope as a blob`, async () => {
    const env = await envelope(key);
    const prepared = await prepareEntry(proposeAttestation(env, key.publicKeyPem()));
    const stored = parseJsonObject(prepared.entry).spec as JsonObject;
    const envelopeBytes = Buffer.from(envelopeToJson(env));
    const payload = Buffer.from(env.payload, 'base64');
    assert.deepEqual(stored, {
      envelopeDigest: sha256Digest(envelopeBytes),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      payloadDigest: sha256Digest(payload),
      payloadSize: payload.length,
      predicateType: SLSA,
      subjects: [
        { name: 'registry.example/app', digest: IMAGE },
        { name: 'registry.example/app-debug', digest: OTHER_IMAGE },
      ],
      signatures: [{ keyid: key.keyId, sig: env.signatures[0]!.sig }],
      signer: key.keyId,
      publicKey: key.publicKeyPem(),
    });
    assert.deepEqual(prepared.blobs, [{ digest: sha256Digest(envelopeBytes), mediaType: DSSE_ENVELOPE_MEDIA_TYPE, data: envelopeBytes }]);
    assert.deepEqual(prepared.terms, [
      { name: 'kind', value: 'attestation' },
      { name: 'subject', value: IMAGE },
      { name: 'subject', value: OTHER_IMAGE },
      { name: 'predicateType', value: SLSA },
      { name: 'signer', value: key.keyId },
      { name: 'entry', value: sha256Digest(prepared.entry) },
    ]);
  });
}

test('describeEntry re-verifies an attestation from its blob, and checks only its shape without it', async () => {
  const prepared = await prepareEntry(proposeAttestation(await envelope(ecdsa), ecdsa.publicKeyPem()));
  const blobs = new Map(prepared.blobs.map((b) => [b.digest, b.data]));
  const full = describeEntry(prepared.entry, (d: Digest) => blobs.get(d));
  assert.equal(full.kind, 'attestation');
  assert.equal(full.signaturesChecked, true);
  assert.equal(full.predicateType, SLSA);
  assert.equal(full.signer, ecdsa.keyId);
  const shapeOnly = describeEntry(prepared.entry);
  assert.equal(shapeOnly.signaturesChecked, false);
  assert.deepEqual({ ...shapeOnly, signaturesChecked: true }, full);

  const wrongBlob = () => Buffer.from('{}');
  assert.throws(() => describeEntry(prepared.entry, wrongBlob), { code: 'DIGEST_MISMATCH' });

  // An entry edited in storage no longer matches the envelope its digest names.
  const edited = parseJsonObject(prepared.entry);
  (edited.spec as JsonObject).predicateType = 'https://example.com/other/v1';
  assert.throws(() => describeEntry(canonicalJsonBytes(edited), (d: Digest) => blobs.get(d)), { code: 'ENTRY_MALFORMED' });
  const wrongSigner = parseJsonObject(prepared.entry);
  (wrongSigner.spec as JsonObject).signer = stranger.keyId;
  assert.throws(() => describeEntry(canonicalJsonBytes(wrongSigner)), { code: 'ENTRY_MALFORMED' });
});

test('the same attestation twice gives identical entries; URL-safe base64 is the same envelope', async () => {
  const env = await envelope(ed25519);
  const first = await prepareEntry(proposeAttestation(env, ed25519.publicKeyPem()));
  const urlSafe = clone(proposeAttestation(env, ed25519.publicKeyPem()));
  const e = spec(urlSafe).envelope as JsonObject;
  e.payload = (e.payload as string).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const second = await prepareEntry(urlSafe);
  assert.deepEqual(second.entry, first.entry);
  assert.deepEqual(second.blobs, first.blobs);
});

test('a tampered payload, another key or a wrong payloadType are refused', async () => {
  const env = await envelope(ecdsa);
  const tampered = proposeAttestation(env, ecdsa.publicKeyPem());
  const other = await envelope(ecdsa, { buildDefinition: { buildType: 'https://example.com/evil/v1' } });
  (spec(tampered).envelope as JsonObject).payload = other.payload;
  await rejectsCode(prepareEntry(tampered), 'SIGNATURE_INVALID');
  await rejectsCode(prepareEntry(proposeAttestation(env, stranger.publicKeyPem())), 'SIGNATURE_INVALID');
  const typed = await signEnvelope('application/json', Buffer.from(env.payload, 'base64'), [ecdsa]);
  await rejectsCode(prepareEntry(proposeAttestation(typed, ecdsa.publicKeyPem())), 'PAYLOAD_MALFORMED');
  const unknownField = proposeAttestation(env, ecdsa.publicKeyPem());
  (spec(unknownField).envelope as JsonObject).extra = 'x';
  await rejectsCode(prepareEntry(unknownField), 'DSSE_MALFORMED');
});

test('a statement that is not one, or names no sha256 subject, is refused', async () => {
  const notStatement = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, '{"hello":"world"}', [ecdsa]);
  await rejectsCode(prepareEntry(proposeAttestation(notStatement, ecdsa.publicKeyPem())), 'STATEMENT_MALFORMED');
  const sha512Only = await statementProposal(
    'attestation',
    { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'x', digest: { sha512: 'ab'.repeat(64) } }], predicateType: SLSA, predicate: {} },
    ecdsa,
  );
  await rejectsCode(prepareEntry(sha512Only), 'UNSUPPORTED');
});

test('a v0.1 statement from cosign is accepted', async () => {
  const proposal = await statementProposal(
    'attestation',
    { _type: STATEMENT_TYPE_V01, subject: [{ name: 'app', digest: { sha256: IMAGE.slice(7) } }], predicateType: 'https://spdx.dev/Document', predicate: 'SPDXVersion: SPDX-2.3' },
    ed25519,
  );
  const described = describeEntry((await prepareEntry(proposal)).entry);
  assert.deepEqual(described.subjects, [{ name: 'app', digest: IMAGE }]);
});

test('a lineage predicate sent as an attestation is refused: it must come through its own kind', async () => {
  const proposal = await statementProposal('attestation', lineageStatement(lineagePredicate()), ecdsa);
  await rejectsCode(prepareEntry(proposal), 'ENTRY_MALFORMED');
  const audit = await statementProposal('attestation', { ...lineageStatement({}), predicateType: 'https://provenant.dev/attestation/audit/v1' }, ecdsa);
  await rejectsCode(prepareEntry(audit), 'ENTRY_MALFORMED');
  assert.equal(LINEAGE_PREDICATE_TYPE, 'https://provenant.dev/attestation/lineage/v1');
});

test('an attestation proposal over 4 MiB, or whose compact entry would exceed 60 KiB, is INPUT_TOO_LARGE', async () => {
  // The size is checked before anything is decoded or verified, so the signature need not be valid.
  const big = { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: Buffer.alloc(3 * 1024 * 1024 + 64, 0x20).toString('base64'), signatures: [{ sig: 'AAAA' }] };
  await rejectsCode(prepareEntry({ apiVersion: 'provenant.dev/v1', kind: 'attestation', spec: { envelope: big, publicKey: ecdsa.publicKeyPem() } }), 'INPUT_TOO_LARGE');
  const manySubjects = buildStatement({
    subjects: Array.from({ length: 1000 }, (_, i) => ({ name: `file-${i}`, digest: sha256Digest(String(i)) })),
    predicateType: SLSA,
    predicate: {},
  });
  const env = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementToBytes(manySubjects), [ecdsa]);
  await rejectsCode(prepareEntry(proposeAttestation(env, ecdsa.publicKeyPem())), 'INPUT_TOO_LARGE');
});

test('a 2 MiB predicate is accepted and gives an entry of a few hundred bytes', async () => {
  const env = await envelope(ed25519, { document: 'x'.repeat(2 * 1024 * 1024) });
  const prepared = await prepareEntry(proposeAttestation(env, ed25519.publicKeyPem()));
  assert.ok(prepared.entry.length < 2048, `entry is ${prepared.entry.length} bytes`);
  assert.deepEqual(prepared.blobs[0]!.data, Buffer.from(envelopeToJson(env)));
});
