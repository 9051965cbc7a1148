import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PREDICATE_TYPE_ALIASES, resolvePredicateType } from '../../src/formats/predicate-types.js';

// The table of cosign's cmd/cosign/cli/options/predicate.go, restated so a changed entry fails here.
const COSIGN_TABLE: Record<string, string> = {
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  link: 'https://in-toto.io/Link/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
  custom: 'https://cosign.sigstore.dev/attestation/v1',
};

test('every cosign alias resolves to the URI cosign uses, and there are no others', () => {
  assert.deepEqual({ ...PREDICATE_TYPE_ALIASES }, COSIGN_TABLE);
  for (const [alias, uri] of Object.entries(COSIGN_TABLE)) assert.equal(resolvePredicateType(alias), uri);
});

test('a value containing "://" is used as-is', () => {
  assert.equal(resolvePredicateType('https://example.com/predicate/v3'), 'https://example.com/predicate/v3');
});

test('unknown aliases, inherited property names and malformed URIs are USAGE errors', () => {
  for (const v of ['SPDX', 'slsa', 'toString', '__proto__', 'constructor', '', 'https://bad uri', 'urn:example:x', '://x']) {
    assert.throws(() => resolvePredicateType(v), { name: 'ProvenantError', code: 'USAGE' }, v);
  }
});
