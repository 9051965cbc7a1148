// Real public bundles from sigstore-conformance, verified offline against their trusted roots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { sha256Digest } from '../../src/core/digest.js';
import { verifyBundle, type VerifyBundleInput } from '../../src/formats/bundle-verify.js';
import { parseStatement, statementCoversDigest, IN_TOTO_PAYLOAD_TYPE } from '../../src/formats/intoto.js';
import { parseTrustedRoot } from '../../src/formats/trusted-root.js';
import { jsonAt, jsonEdit } from './json-edit.js';
import { testKeyPair } from './test-keys.js';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/formats/sigstore-conformance/${path}`, import.meta.url));

const KEYLESS = 'intoto-with-custom-trust-root';
const SAN = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

function keyless(overrides: Partial<VerifyBundleInput> = {}): VerifyBundleInput {
  return {
    bundle: fixture(`${KEYLESS}/bundle.sigstore.json`),
    trustedRoot: fixture(`${KEYLESS}/trusted_root.json`),
    identity: { certificateIdentity: SAN, certificateOidcIssuer: ISSUER },
    ...overrides,
  };
}

test('a public keyless DSSE bundle verifies offline with its identity and covers its artifact', () => {
  const out = verifyBundle(keyless());
  assert.deepEqual(out.signer, { kind: 'certificate', subjectAlternativeName: SAN, issuer: ISSUER });
  assert.equal(out.tlogEntries, 1);
  assert.equal(out.content.kind, 'dsse');
  if (out.content.kind !== 'dsse') return;
  assert.equal(out.content.payloadType, IN_TOTO_PAYLOAD_TYPE);
  const statement = parseStatement(out.content.payload);
  assert.ok(statementCoversDigest(statement, sha256Digest(fixture(`${KEYLESS}/artifact`))));
  assert.equal(statementCoversDigest(statement, sha256Digest('something else')), false);
});

test('anchored regular expressions that match the whole identity are accepted', () => {
  const identity = {
    certificateIdentityRegexp: 'https://github\\.com/sigstore-conformance/.+@refs/heads/main',
    certificateOidcIssuerRegexp: 'https://token\\.actions\\.githubusercontent\\.com',
  };
  assert.equal(verifyBundle(keyless({ identity })).signer.kind, 'certificate');
});

test('a wrong identity or issuer fails with IDENTITY_MISMATCH', () => {
  const wrong = [
    { certificateIdentity: SAN.replace('main', 'evil'), certificateOidcIssuer: ISSUER },
    { certificateIdentity: SAN, certificateOidcIssuer: 'https://accounts.google.com' },
    { certificateIdentity: SAN.toUpperCase(), certificateOidcIssuer: ISSUER },
    { certificateIdentity: `${SAN} `, certificateOidcIssuer: ISSUER },
  ];
  for (const identity of wrong) {
    assert.throws(() => verifyBundle(keyless({ identity })), { name: 'ProvenantError', code: 'IDENTITY_MISMATCH' }, JSON.stringify(identity));
  }
});

test('near-miss regular expressions that only match part of the value are refused (anchoring)', () => {
  const nearMisses = [
    // Each of these matches somewhere inside the real value, so an unanchored match would accept it.
    { certificateIdentityRegexp: 'github\\.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon', certificateOidcIssuer: ISSUER },
    { certificateIdentityRegexp: 'https://github\\.com/sigstore-conformance/', certificateOidcIssuer: ISSUER },
    { certificateIdentityRegexp: '@refs/heads/main', certificateOidcIssuer: ISSUER },
    { certificateIdentity: SAN, certificateOidcIssuerRegexp: 'https://token\\.actions\\.githubusercontent\\.co' },
    { certificateIdentity: SAN, certificateOidcIssuerRegexp: 'token\\.actions' },
  ];
  for (const identity of nearMisses) {
    assert.throws(() => verifyBundle(keyless({ identity })), { code: 'IDENTITY_MISMATCH' }, JSON.stringify(identity));
  }
});

test('keyless verification requires both an identity and an issuer constraint, and a trusted root', () => {
  assert.throws(() => verifyBundle(keyless({ identity: { certificateIdentity: SAN } })), { code: 'USAGE' });
  assert.throws(() => verifyBundle(keyless({ identity: { certificateOidcIssuer: ISSUER } })), { code: 'USAGE' });
  assert.throws(() => verifyBundle(keyless({ identity: undefined })), { code: 'USAGE' });
  assert.throws(() => verifyBundle(keyless({ trustedRoot: undefined })), { code: 'USAGE' });
  assert.throws(() => verifyBundle(keyless({ identity: { certificateIdentity: SAN, certificateIdentityRegexp: '.*', certificateOidcIssuer: ISSUER } })), {
    code: 'USAGE',
  });
});

test('a public key given with a certificate bundle must be the certificate key', () => {
  const json = fixture(`${KEYLESS}/bundle.sigstore.json`).toString();
  const der = Buffer.from(jsonAt(json, 'verificationMaterial.x509CertificateChain.certificates.0.rawBytes') as string, 'base64');
  const certKeyPem = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  assert.equal(verifyBundle(keyless({ publicKeyPem: certKeyPem })).signer.kind, 'certificate');
  assert.throws(() => verifyBundle(keyless({ publicKeyPem: testKeyPair().publicKeyPem })), { code: 'BUNDLE_INVALID' });
});

test('a certificate outside the CA validity, or a root that does not trust the CA, fails with BUNDLE_INVALID', () => {
  assert.throws(() => verifyBundle(keyless({ bundle: fixture('intoto-expired-certificate_fail/bundle.sigstore.json') })), {
    code: 'BUNDLE_INVALID',
  });
  assert.throws(() => verifyBundle(keyless({ trustedRoot: fixture('managed-key-and-trusted-root/trusted_root.json') })), {
    code: 'BUNDLE_INVALID',
  });
});

test('a tampered payload in the real bundle fails with BUNDLE_INVALID', () => {
  const bundle = JSON.parse(fixture(`${KEYLESS}/bundle.sigstore.json`).toString()) as { dsseEnvelope: { payload: string } };
  const payload = Buffer.from(bundle.dsseEnvelope.payload, 'base64');
  payload[payload.length - 3]! ^= 1;
  bundle.dsseEnvelope.payload = payload.toString('base64');
  assert.throws(() => verifyBundle(keyless({ bundle: JSON.stringify(bundle) })), { code: 'BUNDLE_INVALID' });
});

test('a public keyed bundle with a log entry verifies with the key, its artifact and the staging root', () => {
  const dir = 'managed-key-and-trusted-root';
  const base = {
    bundle: fixture(`${dir}/bundle.sigstore.json`),
    publicKeyPem: fixture(`${dir}/key.pub`).toString(),
    artifact: fixture('a.txt'),
  };
  const out = verifyBundle({ ...base, trustedRoot: fixture(`${dir}/trusted_root.json`) });
  assert.deepEqual(out.signer, { kind: 'publicKey' });
  assert.equal(out.tlogEntries, 1);
  assert.deepEqual(out.content, { kind: 'messageSignature', digest: sha256Digest(fixture('a.txt')) });
  // The log entry cannot be checked without the root that trusts its log.
  assert.throws(() => verifyBundle(base), { code: 'BUNDLE_INVALID' });
  assert.throws(() => verifyBundle({ ...base, trustedRoot: fixture(`${KEYLESS}/trusted_root.json`) }), { code: 'BUNDLE_INVALID' });
  assert.equal(verifyBundle({ ...base, requireTlog: false }).tlogEntries, 0);
  const otherKey = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYI4heOTrNrZO27elFE8ynfrdPMikttRkbe+vJKQ50G6bfwQ3WyhLpRwwwohelDAm8xRzJ56nYsIa3VHivVvpmA==\n-----END PUBLIC KEY-----\n';
  assert.throws(() => verifyBundle({ ...base, publicKeyPem: otherKey, trustedRoot: fixture(`${dir}/trusted_root.json`) }), {
    code: 'BUNDLE_INVALID',
  });
});

test('trusted roots are read strictly and fail with TRUST_ROOT_INVALID', () => {
  const good = fixture(`${KEYLESS}/trusted_root.json`).toString();
  assert.equal(parseTrustedRoot(good).tlogs.length, 1);
  assert.ok(parseTrustedRoot(fixture('managed-key-and-trusted-root/trusted_root.json')).certificateAuthorities.length > 0);
  const variants: [string, unknown][] = [
    ['mediaType', 'application/json'],
    ['extra', 1],
    ['tlogs.0.publicKey.validFor.start', undefined],
    ['tlogs.0.publicKey.validFor.start', 'yesterday'],
    ['tlogs.0.publicKey.rawBytes', 'not base64!'],
    ['tlogs.0.logId', undefined],
    ['tlogs', {}],
    ['certificateAuthorities.0.certChain.certificates', []],
    ['certificateAuthorities.0.validFor', undefined],
  ];
  for (const [path, value] of variants) {
    assert.throws(() => parseTrustedRoot(jsonEdit(good, path, value)), { name: 'ProvenantError', code: 'TRUST_ROOT_INVALID' }, path);
  }
  assert.throws(() => parseTrustedRoot('{"mediaType":1,"mediaType":2}'), { code: 'TRUST_ROOT_INVALID' });
  // Well-formed base64 that is not a key or certificate is caught when the root is put to use.
  const garbage = jsonEdit(good, 'certificateAuthorities.0.certChain.certificates.0.rawBytes', 'AAAA');
  assert.throws(() => verifyBundle(keyless({ trustedRoot: garbage })), { code: 'TRUST_ROOT_INVALID' });
});
