// The providers an image answers to, spelled one way each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest.js';
import { isProvenantError } from '../../src/core/errors.js';
import { identityProvider, keyProvider, namespaceProvider, parseProvider, providersOf, providerSubjectDigest } from '../../src/reputation/providers.js';

const KEY_ID = `sha256:${'0f'.repeat(32)}`;

test("an image's namespace is its repository without the last path element", () => {
  const cases: [string, string][] = [
    ['registry.example.com/acme/app:1.0', 'registry.example.com/acme'],
    ['registry.example.com/acme/team/app@' + sha256Digest('m'), 'registry.example.com/acme/team'],
    ['registry.example.com/app', 'registry.example.com'],
    ['nginx', 'docker.io/library'],
    ['acme/app', 'docker.io/acme'],
    ['localhost:5000/team/app', 'localhost:5000/team'],
  ];
  for (const [image, namespace] of cases) {
    assert.equal(namespaceProvider(image), namespace, image);
    assert.equal(parseProvider(namespace).kind, 'namespace');
  }
  assert.throws(() => namespaceProvider('Not/Valid'), (e) => isProvenantError(e, 'REFERENCE_INVALID'));
});

test('providersOf gives the namespace and one key provider per distinct signer', () => {
  const other = `sha256:${'a1'.repeat(32)}`;
  assert.deepEqual(providersOf('registry.example.com/acme/app:1', [KEY_ID, other, KEY_ID]), {
    namespace: 'registry.example.com/acme',
    keys: [`key:${KEY_ID}`, `key:${other}`],
  });
  assert.throws(() => providersOf('registry.example.com/acme/app', ['sha256:short']), (e) => isProvenantError(e, 'DIGEST_MALFORMED'));
});

test('key and keyless identity providers', () => {
  assert.equal(keyProvider(KEY_ID), `key:${KEY_ID}`);
  assert.deepEqual(parseProvider(keyProvider(KEY_ID)), { kind: 'key', id: `key:${KEY_ID}` });
  const id = identityProvider('https://token.actions.githubusercontent.com', 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main');
  assert.equal(id, 'identity:https://token.actions.githubusercontent.com#https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main');
  assert.equal(parseProvider(id).kind, 'identity');
  assert.throws(() => identityProvider('https://issuer#frag', 'subject'), (e) => isProvenantError(e, 'REPUTATION_EVENT_INVALID'));
  assert.throws(() => identityProvider('https://issuer', ''), (e) => isProvenantError(e, 'REPUTATION_EVENT_INVALID'));
});

test("a provider's subject digest is sha256 of the domain-separated name", () => {
  assert.equal(providerSubjectDigest('registry.example.com/acme'), sha256Digest('provenant-provider:registry.example.com/acme'));
  assert.notEqual(providerSubjectDigest('registry.example.com/acme'), sha256Digest('registry.example.com/acme'));
});
