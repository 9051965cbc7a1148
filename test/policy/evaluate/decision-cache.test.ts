// The decision cache: keyed by everything a decision depends on, served from decidedAt until validUntil, bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvenantError } from '../../../src/core/errors.js';
import type { Decision } from '../../../src/policy/decision.js';
import { DecisionCache, decisionKey, decisionKeyOf } from '../../../src/policy/evaluate/decision-cache.js';
import { evaluate } from '../../../src/policy/evaluate/evaluate.js';
import { KEY_B, imageFacts, input, policy, policySet, rule, signature, SLSA } from './policy-fixtures.js';

const parts = {
  imageDigest: imageFacts().image.digest,
  reference: 'registry.example.com/acme/payments:1.4.2',
  namespace: 'payments',
  namespaceLabels: { team: 'payments' },
  kind: 'Deployment',
  policyVersion: '42',
  dataVersion: 'd1',
};

test('decision cache: the key changes with every part', () => {
  const key = decisionKey(parts);
  assert.equal(decisionKey({ ...parts, namespaceLabels: { team: 'payments' } }), key);
  const changes: Partial<typeof parts>[] = [
    { imageDigest: imageFacts({ image: { digest: 'sha256:' + '0'.repeat(64) } }).image.digest },
    { reference: 'registry.example.com/acme/payments:latest' },
    { namespace: 'other' },
    { namespaceLabels: { team: 'other' } },
    { kind: 'Pod' },
    { policyVersion: '43' },
    { dataVersion: 'd2' },
  ];
  for (const change of changes) assert.notEqual(decisionKey({ ...parts, ...change }), key, JSON.stringify(change));
  assert.notEqual(decisionKey({ ...parts, namespace: undefined, kind: undefined }), key, 'a request without namespace and kind');
  const labelled = (labels: Record<string, string>) => decisionKey({ ...parts, namespaceLabels: labels });
  assert.equal(labelled({ a: '1', b: '2' }), labelled({ b: '2', a: '1' }), 'label order does not matter');
  assert.notEqual(labelled({ a: '1,b' }), labelled({ a: '1', b: '' }));
  assert.notEqual(decisionKey({ ...parts, namespace: 'a"b' }), decisionKey({ ...parts, namespace: 'a', kind: 'b' }));
});

test('decision cache: hit, miss, and expiry at validUntil; denials are cached too', () => {
  const maxAge = rule({ kind: 'attestation', predicateTypes: [SLSA], signers: [], maxAge: 40 * 86_400 });
  const evaluation = input(policySet([policy('p', [maxAge])]));
  const decision = evaluate(evaluation);
  assert.equal(decision.validUntil, '2024-06-10T10:05:00.001Z');
  const cache = new DecisionCache();
  const key = decisionKeyOf(evaluation);
  assert.equal(cache.get(key, '2024-06-01T12:00:00Z'), undefined);
  cache.set(key, decision);
  assert.equal(cache.get(key, '2024-06-01T12:00:00Z'), decision);
  assert.equal(cache.get(key, '2024-06-10T10:05:00.000Z'), decision);
  assert.equal(cache.get(key, '2024-06-01T11:59:59Z'), undefined, 'before the instant it was made for');
  assert.equal(cache.get(key, '2024-06-10T10:05:00.001Z'), undefined, 'at validUntil it no longer holds');
  assert.equal(cache.get(key, '2024-06-05T00:00:00Z'), undefined, 'an expired entry is dropped');
  assert.deepEqual(cache.stats(), { hits: 2, misses: 4, evictions: 0, expirations: 1, size: 0 });

  const denied = input(policySet([policy('p', [rule({ kind: 'signature', signers: [{ kind: 'key', keyId: KEY_B.keyId, publicKey: KEY_B.publicKey }], count: 1 })])]));
  const denial = evaluate(denied);
  assert.equal(denial.outcome, 'deny');
  assert.equal(denial.validUntil, undefined);
  cache.set(decisionKeyOf(denied), denial);
  assert.equal(cache.get(decisionKeyOf(denied), '2031-01-01T00:00:00Z'), denial);
  const signedNow = { ...denied, facts: imageFacts({ signatures: [signature(KEY_B, 'new')] }) };
  assert.equal(cache.get(decisionKeyOf(signedNow), '2024-06-01T12:00:00Z'), undefined, 'new evidence is another key');
});

test('decision cache: least recently used entries are evicted beyond the bound', () => {
  const cache = new DecisionCache(2);
  const decision = { decidedAt: '2024-06-01T00:00:00Z' } as Decision;
  cache.set('a', decision);
  cache.set('b', decision);
  assert.equal(cache.get('a', '2024-06-01T00:00:00Z'), decision);
  cache.set('c', decision);
  assert.equal(cache.get('b', '2024-06-01T00:00:00Z'), undefined, 'b was the least recently used');
  assert.equal(cache.get('a', '2024-06-01T00:00:00Z'), decision);
  assert.equal(cache.get('c', '2024-06-01T00:00:00Z'), decision);
  assert.deepEqual(cache.stats(), { hits: 3, misses: 1, evictions: 1, expirations: 0, size: 2 });
  assert.equal(new DecisionCache().maxEntries, 10_000);
  assert.throws(() => cache.get('a', 'soon'), (e: unknown) => e instanceof ProvenantError && e.code === 'EVALUATION_INPUT_INVALID');
  assert.throws(() => new DecisionCache(0), (e: unknown) => e instanceof ProvenantError && e.code === 'USAGE');
});
