import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE_V01,
  STATEMENT_TYPE_V1,
  buildStatement,
  parseStatement,
  statementCoversDigest,
  statementToBytes,
} from '../../src/formats/intoto.js';
import { signEnvelope, verifyEnvelope } from '../../src/formats/dsse.js';
import { testKeyPair } from './test-keys.js';

const IMAGE = sha256Digest('image manifest');
const OTHER = sha256Digest('other manifest');
const HEX = IMAGE.slice('sha256:'.length);

test('a built v1 statement serialises canonically and parses back', () => {
  const st = buildStatement({
    subjects: [{ name: 'registry.example/app', digest: IMAGE }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: { z: 1, a: { b: [true, null] } },
  });
  const bytes = statementToBytes(st);
  assert.equal(
    bytes.toString(),
    `{"_type":"${STATEMENT_TYPE_V1}","predicate":{"a":{"b":[true,null]},"z":1},"predicateType":"https://slsa.dev/provenance/v1",` +
      `"subject":[{"digest":{"sha256":"${HEX}"},"name":"registry.example/app"}]}`,
  );
  assert.deepEqual(parseStatement(bytes), st);
});

test('statement in a DSSE envelope round-trips with the in-toto payload type', async () => {
  const k = testKeyPair();
  const st = buildStatement({ subjects: [{ name: 'x', digest: IMAGE }], predicateType: 'https://example.com/p/v1', predicate: {} });
  const env = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementToBytes(st), [k.signer]);
  const out = verifyEnvelope(env, [k.verifier], { payloadType: IN_TOTO_PAYLOAD_TYPE });
  assert.ok(statementCoversDigest(parseStatement(out.payload), IMAGE));
});

test('cosign-style v0.1 statements are read, including a non-object predicate', () => {
  const text = `{"_type":"${STATEMENT_TYPE_V01}","subject":[{"name":"repo","digest":{"sha256":"${HEX}"}}],"predicateType":"https://spdx.dev/Document","predicate":"SPDX-data"}`;
  const st = parseStatement(text);
  assert.equal(st._type, STATEMENT_TYPE_V01);
  assert.equal(st.predicate, 'SPDX-data');
  assert.ok(statementCoversDigest(st, IMAGE));
});

test('digest coverage matches only an exact sha256 subject', () => {
  const st = parseStatement(
    JSON.stringify({
      _type: STATEMENT_TYPE_V1,
      subject: [{ digest: { sha512: HEX + HEX } }, { name: 'b', digest: { sha256: HEX } }],
      predicateType: 'https://example.com/p',
    }),
  );
  assert.equal(statementCoversDigest(st, IMAGE), true);
  assert.equal(statementCoversDigest(st, OTHER), false);
  const onlySha512 = parseStatement(JSON.stringify({ _type: STATEMENT_TYPE_V1, subject: [{ digest: { sha512: HEX + HEX } }], predicateType: 'https://e.com/p' }));
  assert.equal(statementCoversDigest(onlySha512, IMAGE), false);
});

test('unknown fields are ignored, as the attestation parsing rules require', () => {
  const st = parseStatement(
    JSON.stringify({
      _type: STATEMENT_TYPE_V1,
      subject: [{ name: 'a', digest: { sha256: HEX }, uri: 'https://e.com/a', annotations: { k: 'v' } }],
      predicateType: 'https://e.com/p',
      extension: { x: 1 },
    }),
  );
  assert.deepEqual(st.subject, [{ name: 'a', digest: { sha256: HEX } }]);
});

test('malformed statements fail with STATEMENT_MALFORMED', () => {
  const ok = { _type: STATEMENT_TYPE_V1, subject: [{ name: 'a', digest: { sha256: HEX } }], predicateType: 'https://e.com/p', predicate: {} };
  const bad: unknown[] = [
    { ...ok, _type: 'https://in-toto.io/Statement/v2' },
    { ...ok, _type: undefined },
    { ...ok, subject: [] },
    { ...ok, subject: {} },
    { ...ok, subject: ['x'] },
    { ...ok, subject: [{ name: 'a' }] },
    { ...ok, subject: [{ name: 'a', digest: {} }] },
    { ...ok, subject: [{ name: 'a', digest: { sha256: HEX.toUpperCase() } }] },
    { ...ok, subject: [{ name: 'a', digest: { sha256: HEX.slice(1) } }] },
    { ...ok, subject: [{ name: 'a', digest: { sha256: 5 } }] },
    { ...ok, subject: [{ name: 'a', digest: { sha512: '' } }] },
    { ...ok, subject: [{ name: 7, digest: { sha256: HEX } }] },
    { ...ok, _type: STATEMENT_TYPE_V01, subject: [{ digest: { sha256: HEX } }] },
    { ...ok, predicateType: 'not a uri' },
    { ...ok, predicateType: 'slsaprovenance' },
    { ...ok, predicateType: '' },
    { ...ok, predicate: 'text' },
    { ...ok, predicate: [1] },
  ];
  for (const b of bad) {
    assert.throws(() => parseStatement(JSON.stringify(b)), { name: 'ProvenantError', code: 'STATEMENT_MALFORMED' }, JSON.stringify(b));
  }
  assert.throws(() => parseStatement(`{"_type":"${STATEMENT_TYPE_V1}","_type":"${STATEMENT_TYPE_V1}"}`), {
    code: 'STATEMENT_MALFORMED',
    details: { jsonCode: 'JSON_DUPLICATE_KEY' },
  });
  assert.throws(() => parseStatement('{"a":1}', { maxBytes: 4 }), { code: 'INPUT_TOO_LARGE' });
});

test('building refuses no subjects or a non-URI predicate type', () => {
  assert.throws(() => buildStatement({ subjects: [], predicateType: 'https://e.com/p', predicate: {} }), { code: 'USAGE' });
  assert.throws(() => buildStatement({ subjects: [{ name: 'a', digest: IMAGE }], predicateType: 'custom', predicate: {} }), {
    code: 'USAGE',
  });
});
