import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../../src/core/digest.js';
import { canonicalJson } from '../../../src/core/json.js';
import { isPolicyName, parsePolicyDocuments, policySetDigest, POLICY_NAME } from '../../../src/policy/document/index.js';

const doc = (name: string, score = 1): string =>
  `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: ${name}\nspec:\n  rules:\n  - name: r\n    reputation: {minScore: ${score}}\n`;

test('the set digest hashes the sorted names and origin digests, whatever the order of the documents', () => {
  const ab = parsePolicyDocuments(`${doc('a')}---\n${doc('b')}`);
  const ba = parsePolicyDocuments(`${doc('b')}---\n${doc('a')}`);
  assert.equal(policySetDigest(ab), policySetDigest(ba));
  const expected = sha256Digest(canonicalJson(ab.map((p) => ({ name: p.name, digest: p.origin.digest }))));
  assert.equal(policySetDigest(ba), expected);
  const changed = parsePolicyDocuments(`${doc('a')}---\n${doc('b', 2)}`);
  assert.notEqual(policySetDigest(changed), policySetDigest(ab));
  assert.notEqual(policySetDigest(ab.slice(0, 1)), policySetDigest(ab));
  assert.equal(policySetDigest([]), sha256Digest('[]'));
});

test('policy names are Kubernetes object names', () => {
  for (const good of ['a', 'production-images', 'image-policy.v2', '0', 'a'.repeat(253)]) assert.equal(isPolicyName(good), true, good);
  for (const bad of ['', 'A', 'under_score', '-lead', 'trail-', 'trail.', 'a b', 'a'.repeat(254), 7]) assert.equal(isPolicyName(bad), false, String(bad));
  assert.equal(POLICY_NAME.test('ok-name'), true);
});
