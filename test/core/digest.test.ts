import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDigest, parseDigest, sha256Digest } from '../../src/core/digest.js';
import { decodeBase64 } from '../../src/core/bytes.js';
import { ProvenantError } from '../../src/core/errors.js';

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test('sha256 of the empty string', () => {
  assert.equal(sha256Digest(''), EMPTY);
});

test('parseDigest accepts only sha256 with 64 lowercase hex', () => {
  assert.equal(parseDigest(EMPTY), EMPTY);
  const cases: Array<[string, string]> = [
    ['sha256:' + EMPTY.slice(7).toUpperCase(), 'DIGEST_MALFORMED'],
    ['sha256:abc', 'DIGEST_MALFORMED'],
    [EMPTY + '0', 'DIGEST_MALFORMED'],
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'DIGEST_MALFORMED'],
    ['sha512:' + 'a'.repeat(128), 'UNSUPPORTED'],
    ['sha256:../../../../etc/passwd', 'DIGEST_MALFORMED'],
  ];
  for (const [value, code] of cases) {
    assert.throws(() => parseDigest(value), (e: unknown) => e instanceof ProvenantError && e.code === code, value);
  }
});

test('assertDigest reports a mismatch with both digests', () => {
  assert.doesNotThrow(() => assertDigest(Buffer.alloc(0), EMPTY));
  assert.throws(
    () => assertDigest(Buffer.from('x'), EMPTY),
    (e: unknown) => e instanceof ProvenantError && e.code === 'DIGEST_MISMATCH' && e.details?.expected === EMPTY,
  );
});

test('decodeBase64 accepts standard and URL-safe, refuses the rest', () => {
  const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01]);
  assert.deepEqual(decodeBase64('+/+/AQ=='), bytes);
  assert.deepEqual(decodeBase64('-_-_AQ=='), bytes);
  assert.deepEqual(decodeBase64('-_-_AQ'), bytes);
  assert.deepEqual(decodeBase64(''), Buffer.alloc(0));
  for (const bad of ['+/+/AQ', 'AQ= =', 'A', '+_+_AQ==', 'AQ==\n', '!!!!', 42]) {
    assert.throws(() => decodeBase64(bad), (e: unknown) => e instanceof ProvenantError && e.code === 'BASE64_MALFORMED', String(bad));
  }
});

test('decodeBase64 takes payloads of several megabytes (no regexp recursion)', () => {
  const data = Buffer.alloc(6 * 1024 * 1024, 7);
  assert.deepEqual(decodeBase64(data.toString('base64')), data);
  assert.deepEqual(decodeBase64(data.toString('base64url')), data);
});
