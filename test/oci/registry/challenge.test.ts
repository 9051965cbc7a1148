import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../../src/core/errors.js';
import { parseWwwAuthenticate } from '../../../src/oci/registry/challenge.js';

const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

test('Bearer challenge as distribution sends it, with a comma inside the quoted scope', () => {
  const [c, ...rest] = parseWwwAuthenticate(
    'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull,push"',
  );
  assert.equal(rest.length, 0);
  assert.equal(c?.scheme, 'bearer');
  assert.deepEqual(plain(c?.params), {
    realm: 'https://auth.example.com/token',
    service: 'registry.example.com',
    scope: 'repository:team/app:pull,push',
  });
});

test('scheme and parameter names are case-insensitive; token values and spaces around "=" are allowed', () => {
  const [c] = parseWwwAuthenticate('BEARER Realm = "https://a/t" , Service=reg.example , error=insufficient_scope');
  assert.equal(c?.scheme, 'bearer');
  assert.deepEqual(plain(c?.params), { realm: 'https://a/t', service: 'reg.example', error: 'insufficient_scope' });
});

test('quoted-pair escapes are decoded', () => {
  const [c] = parseWwwAuthenticate('Basic realm="say \\"hi\\" \\\\ there"');
  assert.equal(c?.params.realm, 'say "hi" \\ there');
});

test('several challenges in one header (RFC 9110 example) are split where a scheme starts', () => {
  const cs = parseWwwAuthenticate('Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"');
  assert.deepEqual(
    cs.map((c) => [c.scheme, plain(c.params)]),
    [
      ['newauth', { realm: 'apps', type: '1', title: 'Login to "apps"' }],
      ['basic', { realm: 'simple' }],
    ],
  );
});

test('Basic then Bearer, joined as Node joins repeated headers', () => {
  const cs = parseWwwAuthenticate('Basic realm="r", Bearer realm="https://t",service="s"');
  assert.deepEqual(
    cs.map((c) => c.scheme),
    ['basic', 'bearer'],
  );
  assert.equal(cs[1]?.params.service, 's');
});

test('a scheme alone and a token68 are accepted', () => {
  assert.deepEqual(
    parseWwwAuthenticate('Negotiate').map((c) => c.scheme),
    ['negotiate'],
  );
  const [c] = parseWwwAuthenticate('Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXeg==');
  assert.equal(c?.token68, 'YIIBhwYGKwYBBQUCoIIBezCCAXeg==');
});

test('an empty quoted value is a value', () => {
  const [c] = parseWwwAuthenticate('Bearer realm="https://t",scope=""');
  assert.equal(c?.params.scope, '');
});

for (const [name, header] of [
  ['empty header', ''],
  ['only commas', ' , ,'],
  ['unterminated quoted string', 'Bearer realm="https://t'],
  ['missing value', 'Bearer realm=,service="s"'],
  ['garbage after a parameter', 'Bearer realm="a" service="b"'],
  ['repeated parameter', 'Bearer realm="a",realm="b"'],
  ['control character in quoted string', 'Bearer realm="a\u0001b"'],
  ['bad escape at end', 'Bearer realm="a\\'],
  ['"=" without a parameter name', 'Bearer realm="a", =x'],
  ['non-token scheme', '"Bearer" realm="a"'],
  ['oversize header', `Bearer realm="${'a'.repeat(20_000)}"`],
  ['too many challenges', Array.from({ length: 17 }, () => 'Basic realm="x"').join(', ')],
] as const) {
  test(`malformed challenge is AUTH_CHALLENGE_INVALID: ${name}`, () => {
    assert.throws(() => parseWwwAuthenticate(header), (e: unknown) => e instanceof ProvenantError && e.code === 'AUTH_CHALLENGE_INVALID');
  });
}
