// The decision log body: the canonical JSON of the decision with its request context, the same bytes whether the
// decision's members were serialised before (a cached decision recorded again) or not; and the context read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJsonBytes } from '../../../src/core/json.js';
import { evaluate } from '../../../src/policy/evaluate/evaluate.js';
import { recordedBody, storedContext } from '../../../src/policy/runtime/recorded-decision.js';
import { imageFacts, input, policy, policySet, rule, KEY_B } from '../evaluate/policy-fixtures.js';

test('the recorded body is the canonical JSON of { ...decision, context }, for every context the decision is recorded with', () => {
  const signed = rule({ kind: 'signature', signers: [{ kind: 'key', keyId: KEY_B.keyId, publicKey: KEY_B.publicKey }], count: 1 }, { name: 'signed' });
  const decision = evaluate(input(policySet([policy('p', [signed])]), imageFacts()));
  const contexts = [
    { at: '2026-01-01T00:00:00Z' },
    { namespace: 'shop', namespaceLabels: { env: 'prod', 'a/b': '"q"' }, kind: 'Deployment', at: '2026-01-01T00:00:01Z' },
    { namespace: '\u00e9t\u00e9', at: '2026-01-01T00:00:02Z' },
  ];
  for (const context of contexts) {
    const body = recordedBody(decision, context);
    assert.deepEqual(body, canonicalJsonBytes({ ...decision, context }));
    assert.deepEqual(storedContext(body), { ...(context.namespaceLabels === undefined ? {} : { namespaceLabels: context.namespaceLabels }), ...(context.kind === undefined ? {} : { kind: context.kind }) });
  }
  assert.deepEqual(storedContext(Buffer.from('not json')), {});
  assert.deepEqual(storedContext(Buffer.from('{"context":{"namespaceLabels":{"a":1},"kind":7}}')), {});
});
