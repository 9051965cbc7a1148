// Merging sandbox changes towards safety, and the Kubernetes quantities limits are compared in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareQuantities, parseQuantity } from '../../../src/policy/evaluate/kubernetes-quantity.js';
import { mergeSandbox } from '../../../src/policy/evaluate/sandbox-merge.js';

test('quantities: every suffix family, compared exactly', () => {
  const q = (text: string) => {
    const parsed = parseQuantity(text);
    assert.ok(parsed !== undefined, text);
    return parsed;
  };
  const equal: [string, string][] = [
    ['500m', '0.5'],
    ['1', '1000m'],
    ['1e3', '1k'],
    ['1E3', '1000'],
    ['1Ki', '1024'],
    ['256Mi', '268435456'],
    ['1Gi', '1024Mi'],
    ['1.5Gi', '1536Mi'],
    ['.5', '500m'],
    ['2.', '2'],
    ['1M', '1e6'],
    ['100n', '0.1u'],
  ];
  for (const [a, b] of equal) assert.equal(compareQuantities(q(a), q(b)), 0, `${a} = ${b}`);
  const less: [string, string][] = [
    ['999m', '1'],
    ['1G', '1Gi'],
    ['512Mi', '1Gi'],
    ['-1', '0'],
    ['1E', '1Ei'],
  ];
  for (const [a, b] of less) {
    assert.equal(compareQuantities(q(a), q(b)), -1, `${a} < ${b}`);
    assert.equal(compareQuantities(q(b), q(a)), 1, `${b} > ${a}`);
  }
  for (const bad of ['', 'Mi', '1 Mi', '1mi', '1KB', '1e', '0x10', '1.2.3', '1e1000']) assert.equal(parseQuantity(bad), undefined, bad);
});

test('sandbox merge: booleans towards safety, node selectors united, the smaller limit', () => {
  const merged = mergeSandbox([
    { source: 'a/1', changes: { readOnlyRootFilesystem: false, limits: { cpu: '2', memory: '1Gi' }, nodeSelector: { pool: 'sandbox' } } },
    { source: 'b/1', changes: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, limits: { cpu: '1500m' }, nodeSelector: { pool: 'sandbox', zone: 'a' } } },
    { source: 'c/1', changes: { readOnlyRootFilesystem: false, limits: { memory: '1073741824' }, runtimeClassName: 'gvisor' } },
    { source: 'd/1', changes: {} },
  ]);
  assert.deepEqual(merged, {
    ok: true,
    changes: {
      runtimeClassName: 'gvisor',
      nodeSelector: { pool: 'sandbox', zone: 'a' },
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      limits: { cpu: '1500m', memory: '1Gi' },
    },
  });
  assert.deepEqual(mergeSandbox([]), { ok: true, changes: {} });
});

test('sandbox merge: two runtime classes, a node selector key with two values, or a bad limit conflict', () => {
  assert.deepEqual(mergeSandbox([{ source: 'a/1', changes: { runtimeClassName: 'gvisor' } }, { source: 'b/1', changes: { runtimeClassName: 'gvisor' } }]).ok, true);
  const runtime = mergeSandbox([{ source: 'a/1', changes: { runtimeClassName: 'gvisor' } }, { source: 'b/1', changes: { runtimeClassName: 'kata' } }]);
  assert.deepEqual(runtime, { ok: false, source: 'b/1', conflict: 'runtimeClassName "kata" conflicts with "gvisor" of a/1' });
  const selector = mergeSandbox([{ source: 'a/1', changes: { nodeSelector: { pool: 'x' } } }, { source: 'b/1', changes: { nodeSelector: { pool: 'y' } } }]);
  assert.equal(selector.ok, false);
  assert.equal(mergeSandbox([{ source: 'a/1', changes: { limits: { memory: 'lots' } } }]).ok, false);
});
