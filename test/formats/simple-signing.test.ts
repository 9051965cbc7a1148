import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Digest } from '../../src/core/digest.js';
import type { JsonObject } from '../../src/core/json.js';
import { sha256Digest } from '../../src/core/digest.js';
import { buildSimpleSigningPayload, parseSimpleSigningPayload } from '../../src/formats/simple-signing.js';
import { goJsonMarshal } from '../../src/formats/go-json.js';

const DIGEST = sha256Digest('manifest');

interface MarshalCase {
  desc: string;
  dockerReference: string;
  digest: Digest;
  optional: JsonObject | null;
  expected: string;
}

test('sigstore/sigstore TestMarshalCosign vectors are reproduced byte for byte and parse back', () => {
  const url = new URL('../fixtures/formats/simple-signing/marshal-cosign.json', import.meta.url);
  const cases = JSON.parse(readFileSync(url, 'utf8')) as MarshalCase[];
  assert.equal(cases.length, 4);
  for (const c of cases) {
    const input = { dockerReference: c.dockerReference, digest: c.digest, optional: c.optional };
    assert.equal(buildSimpleSigningPayload(input).toString('utf8'), c.expected, c.desc);
    assert.deepEqual(parseSimpleSigningPayload(c.expected), input, c.desc);
  }
});

test('payload bytes match what cosign marshals, with and without annotations', () => {
  const none = buildSimpleSigningPayload({ dockerReference: 'registry.example/app', digest: DIGEST, optional: null });
  assert.equal(
    none.toString(),
    `{"critical":{"identity":{"docker-reference":"registry.example/app"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
  );
  const withAnn = buildSimpleSigningPayload({ dockerReference: 'r/a', digest: DIGEST, optional: { z: 'last', a: 'first', m: 1 } });
  assert.ok(withAnn.toString().endsWith(`"optional":{"a":"first","m":1,"z":"last"}}`));
});

test('round trip keeps reference, digest and annotations', () => {
  const optional = { sig: 'a<b>&c', n: 1.5, nested: { k: [null, true] } };
  const bytes = buildSimpleSigningPayload({ dockerReference: 'localhost:5000/x/y', digest: DIGEST, optional });
  assert.deepEqual(parseSimpleSigningPayload(bytes), { dockerReference: 'localhost:5000/x/y', digest: DIGEST, optional });
});

test('Go encoding/json string and number rules are reproduced', () => {
  assert.equal(goJsonMarshal('<>&\u2028\u2029'), '"\\u003c\\u003e\\u0026\\u2028\\u2029"');
  assert.equal(goJsonMarshal('\b\f\n\r\t\u0001\u001f\u007f"\\/'), '"\\b\\f\\n\\r\\t\\u0001\\u001f\u007f\\"\\\\/"');
  assert.equal(goJsonMarshal('é😀'), '"é😀"');
  assert.equal(goJsonMarshal([1e21, 1e20, 1.5e-7, 0.000001, -0, 0.1, 123]), '[1e+21,100000000000000000000,1.5e-7,0.000001,-0,0.1,123]');
  // UTF-8 byte order puts U+FF5E before U+1F600, the reverse of UTF-16 order.
  assert.equal(goJsonMarshal({ '😀': 1, '～': 2, b: 3, B: 4 }), '{"B":4,"b":3,"～":2,"😀":1}');
  assert.throws(() => goJsonMarshal('\ud800'), { code: 'PAYLOAD_MALFORMED' });
});

test('a missing optional reads as null', () => {
  const text = `{"critical":{"identity":{"docker-reference":"r/a"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"}}`;
  assert.equal(parseSimpleSigningPayload(text).optional, null);
});

test('strict parsing refuses anything cosign would not have produced', () => {
  const critical = { identity: { 'docker-reference': 'r/a' }, image: { 'docker-manifest-digest': DIGEST }, type: 'cosign container image signature' };
  const bad: unknown[] = [
    { critical: { ...critical, type: 'atomic container signature' } },
    { critical: { ...critical, type: 'Cosign container image signature' } },
    { critical: { ...critical, image: { 'docker-manifest-digest': DIGEST.toUpperCase() } } },
    { critical: { ...critical, image: { 'docker-manifest-digest': DIGEST.slice(0, -1) } } },
    { critical: { ...critical, image: { 'docker-manifest-digest': `sha512:${'a'.repeat(128)}` } } },
    { critical: { ...critical, image: {} } },
    { critical: { ...critical, identity: { 'docker-reference': '' } } },
    { critical: { ...critical, identity: { 'docker-reference': 'a b' } } },
    { critical: { ...critical, identity: { 'docker-reference': 5 } } },
    { critical: { ...critical, identity: { 'docker-reference': 'r/a', extra: 1 } } },
    { critical: { ...critical, extra: 1 } },
    { critical: { identity: critical.identity, image: critical.image } },
    { critical, optional: 'text' },
    { critical, optional: [] },
    { critical, Critical: critical },
    { optional: null },
    { critical: [] },
  ];
  for (const b of bad) {
    assert.throws(() => parseSimpleSigningPayload(JSON.stringify(b)), { name: 'ProvenantError', code: 'PAYLOAD_MALFORMED' }, JSON.stringify(b));
  }
  const dupType = `{"critical":{"identity":{"docker-reference":"r/a"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"x","type":"cosign container image signature"},"optional":null}`;
  assert.throws(() => parseSimpleSigningPayload(dupType), { code: 'PAYLOAD_MALFORMED', details: { jsonCode: 'JSON_DUPLICATE_KEY' } });
  for (const text of ['', 'null', '[]', '{', '{"critical":{}}x']) {
    assert.throws(() => parseSimpleSigningPayload(text), { code: 'PAYLOAD_MALFORMED' }, text);
  }
  assert.throws(() => parseSimpleSigningPayload('{}', { maxBytes: 1 }), { code: 'INPUT_TOO_LARGE' });
});

test('building refuses a bad reference or digest', () => {
  assert.throws(() => buildSimpleSigningPayload({ dockerReference: 'a\nb', digest: DIGEST, optional: null }), { code: 'PAYLOAD_MALFORMED' });
  assert.throws(() => buildSimpleSigningPayload({ dockerReference: 'r', digest: 'sha256:zz' as typeof DIGEST, optional: null }), {
    code: 'DIGEST_MALFORMED',
  });
});
