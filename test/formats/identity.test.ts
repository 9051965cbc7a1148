import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchoredRegExp, compileIdentityPolicy, isIdentityPolicyEmpty } from '../../src/formats/identity.js';

const ISSUER = 'https://accounts.example.com';

function accepts(policy: Parameters<typeof compileIdentityPolicy>[0], san: string | undefined, ...issuerArg: [string | undefined] | []): boolean {
  const issuer = issuerArg.length === 0 ? ISSUER : issuerArg[0];
  try {
    compileIdentityPolicy(policy).check({ subjectAlternativeName: san, issuer });
    return true;
  } catch (e) {
    assert.equal((e as { code?: string }).code, 'IDENTITY_MISMATCH');
    return false;
  }
}

test('exact identity and issuer match only the identical strings', () => {
  const p = { certificateIdentity: 'alice@example.com', certificateOidcIssuer: ISSUER };
  assert.equal(accepts(p, 'alice@example.com'), true);
  for (const san of ['evil-alice@example.com.attacker', 'alice@example.com.attacker', 'evil-alice@example.com', 'Alice@example.com', '', undefined]) {
    assert.equal(accepts(p, san), false, String(san));
  }
  assert.equal(accepts(p, 'alice@example.com', `${ISSUER}.evil`), false);
  assert.equal(accepts(p, 'alice@example.com', undefined), false);
});

test('regexp identity is anchored at both ends', () => {
  const p = { certificateIdentityRegexp: 'alice@example\\.com', certificateOidcIssuerRegexp: 'https://accounts\\.example\\.com' };
  assert.equal(accepts(p, 'alice@example.com'), true);
  assert.equal(accepts(p, 'evil-alice@example.com.attacker'), false);
  assert.equal(accepts(p, 'alice@example.com.attacker'), false);
  assert.equal(accepts(p, 'evil-alice@example.com'), false);
  assert.equal(accepts(p, 'alice@example.com', 'https://accounts.example.com.attacker'), false);
  assert.equal(accepts(p, 'alice@example.com\n'), false);
  const alternation = { certificateIdentityRegexp: 'alice@example\\.com|bob@example\\.com', certificateOidcIssuer: ISSUER };
  assert.equal(accepts(alternation, 'bob@example.com'), true);
  // Without the group, "^a|b$" would accept anything starting with a or ending with b.
  assert.equal(accepts(alternation, 'alice@example.com.attacker'), false);
  assert.equal(accepts(alternation, 'evil-bob@example.com'), false);
});

test('a pattern cannot break out of the anchoring group', () => {
  assert.throws(() => anchoredRegExp('a)|(b'), { code: 'USAGE' });
  assert.throws(() => anchoredRegExp('a)|.*|(b'), { code: 'USAGE' });
  assert.throws(() => anchoredRegExp('a\\'), { code: 'USAGE' });
  assert.equal(anchoredRegExp('[)]').test(')'), true);
  assert.equal(anchoredRegExp('[)]').test('x)'), false);
});

test('invalid, empty, missing or doubled constraints are USAGE errors', () => {
  const bad = [
    { certificateIdentityRegexp: '(', certificateOidcIssuer: ISSUER },
    { certificateIdentityRegexp: '', certificateOidcIssuer: ISSUER },
    { certificateIdentityRegexp: 'a'.repeat(1025), certificateOidcIssuer: ISSUER },
    { certificateIdentity: '', certificateOidcIssuer: ISSUER },
    { certificateIdentity: 'a', certificateIdentityRegexp: 'a', certificateOidcIssuer: ISSUER },
    { certificateIdentity: 'a', certificateOidcIssuer: ISSUER, certificateOidcIssuerRegexp: '.*' },
    { certificateIdentity: 'a' },
    { certificateOidcIssuer: ISSUER },
    {},
  ];
  for (const p of bad) assert.throws(() => compileIdentityPolicy(p), { name: 'ProvenantError', code: 'USAGE' }, JSON.stringify(p));
});

test('isIdentityPolicyEmpty', () => {
  assert.equal(isIdentityPolicyEmpty(undefined), true);
  assert.equal(isIdentityPolicyEmpty({}), true);
  assert.equal(isIdentityPolicyEmpty({ certificateOidcIssuerRegexp: '.*' }), false);
});
