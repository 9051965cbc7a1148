import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorForStatus, parseDistributionErrors, type ResourceKind } from '../../../src/oci/registry/registry-errors.js';

const errs = (...codes: string[]) => codes.map((code) => ({ code, message: '' }));

for (const [status, codes, kind, expected] of [
  [401, [], 'manifest', 'REGISTRY_UNAUTHORIZED'],
  [401, ['DENIED'], 'blob', 'REGISTRY_UNAUTHORIZED'],
  [403, ['DENIED'], 'manifest', 'REGISTRY_FORBIDDEN'],
  [404, ['MANIFEST_UNKNOWN'], 'manifest', 'MANIFEST_NOT_FOUND'],
  [404, ['NAME_UNKNOWN'], 'blob', 'MANIFEST_NOT_FOUND'],
  [404, ['BLOB_UNKNOWN'], 'manifest', 'BLOB_NOT_FOUND'],
  [404, [], 'blob', 'BLOB_NOT_FOUND'],
  [404, [], 'tags', 'MANIFEST_NOT_FOUND'],
  [404, ['BLOB_UPLOAD_UNKNOWN'], 'upload', 'REGISTRY_PROTOCOL'],
  [404, [], 'token', 'REGISTRY_PROTOCOL'],
  [400, ['DIGEST_INVALID'], 'upload', 'DIGEST_MISMATCH'],
  [400, ['MANIFEST_BLOB_UNKNOWN'], 'manifest', 'BLOB_NOT_FOUND'],
  [400, ['MANIFEST_INVALID'], 'manifest', 'MANIFEST_MALFORMED'],
  [400, ['NAME_INVALID'], 'manifest', 'REFERENCE_INVALID'],
  [400, ['TAG_INVALID'], 'manifest', 'REFERENCE_INVALID'],
  [400, ['SIZE_INVALID'], 'upload', 'REGISTRY_PROTOCOL'],
  [400, [], 'manifest', 'REGISTRY_PROTOCOL'],
  [405, ['UNSUPPORTED'], 'manifest', 'UNSUPPORTED'],
  [413, [], 'manifest', 'INPUT_TOO_LARGE'],
  [429, ['TOOMANYREQUESTS'], 'manifest', 'REGISTRY_RATE_LIMITED'],
  [500, [], 'manifest', 'REGISTRY_SERVER_ERROR'],
  [503, ['UNAVAILABLE'], 'blob', 'REGISTRY_SERVER_ERROR'],
  [302, [], 'manifest', 'REGISTRY_PROTOCOL'],
  [200, [], 'manifest', 'REGISTRY_PROTOCOL'],
] as const) {
  test(`status ${status} ${codes.join('+') || '(no body)'} on ${kind} → ${expected}`, () => {
    const e = errorForStatus(status, errs(...codes), kind as ResourceKind, 'thing', new URL('https://r.example/v2/a/blobs/uploads/x?_state=secret'));
    assert.equal(e.code, expected);
    assert.equal(e.details?.status, status);
    assert.equal(e.details?.url, 'https://r.example/v2/a/blobs/uploads/x', 'query (upload state) is not kept');
  });
}

test('distribution error bodies are parsed leniently and kept small and printable', () => {
  const body = (v: unknown) => Buffer.from(JSON.stringify(v));
  assert.deepEqual(parseDistributionErrors(body({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { x: 1 } }] })), [
    { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' },
  ]);
  assert.deepEqual(parseDistributionErrors(body({ errors: [{ code: 'X', message: 'a\u001b[31mb\nc' }] })), [{ code: 'X', message: 'a [31mb c' }]);
  assert.equal(parseDistributionErrors(body({ errors: Array.from({ length: 50 }, () => ({ code: 'X' })) })).length, 10);
  assert.equal(parseDistributionErrors(body({ errors: [{ code: 'X', message: 'm'.repeat(5000) }] }))[0]?.message.length, 200);
  for (const junk of ['', 'not json', '[]', '{"errors":"x"}', '{"errors":[1,{"code":2}]}', '{"errors":[],"errors":[]}']) {
    assert.deepEqual(parseDistributionErrors(Buffer.from(junk)), [], junk);
  }
});
