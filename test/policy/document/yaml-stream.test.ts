import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOCUMENT_LIMITS, MAX_RULES, parsePolicyDocuments } from '../../../src/policy/document/index.js';
import { refusal } from './document-fixtures.js';

const doc = (name: string, rules = '  - name: r\n    reputation: {minScore: 1}\n'): string =>
  `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: ${name}\nspec:\n  rules:\n${rules}`;

function where(text: string): Record<string, unknown> {
  const { code, details } = refusal(() => parsePolicyDocuments(text));
  return { code, line: details['line'], column: details['column'], field: details['field'], document: details['document'] };
}

test('a stream holds several documents; empty ones are skipped but keep their index', () => {
  const policies = parsePolicyDocuments(`---\n${doc('a')}---\n# only a comment\n---\n${doc('b')}...\n`);
  assert.deepEqual(
    policies.map((p) => p.name),
    ['a', 'b'],
  );
  for (const empty of ['', '# nothing here\n', '---\n---\n...\n']) assert.deepEqual(parsePolicyDocuments(empty), []);
  // The third document (index 2, after the empty one) is the one at fault.
  assert.deepEqual(where(`${doc('a')}---\n---\n${doc('b').replace('minScore: 1', 'minScore: x')}`), {
    code: 'POLICY_INVALID',
    line: 18,
    column: 28,
    field: 'spec.rules[0].reputation.minScore',
    document: 2,
  });
});

test(`at most ${DOCUMENT_LIMITS.maxDocuments} documents`, () => {
  const names = Array.from({ length: DOCUMENT_LIMITS.maxDocuments }, (_, i) => `p${i}`);
  assert.equal(parsePolicyDocuments(names.map((n) => doc(n)).join('---\n')).length, DOCUMENT_LIMITS.maxDocuments);
  const over = [...names, 'one-more'].map((n) => doc(n)).join('---\n');
  // Each document is eight lines and a "---"; the one too many is named at its "---".
  assert.deepEqual(where(over), { code: 'POLICY_INVALID', line: 9 * DOCUMENT_LIMITS.maxDocuments, column: 1, field: '', document: DOCUMENT_LIMITS.maxDocuments });
});

test('at most 1 MiB a document and 4 MiB a text', () => {
  const padding = `  # ${'x'.repeat(DOCUMENT_LIMITS.maxDocumentBytes)}\n`;
  const big = doc('big').replace('spec:\n', `spec:\n${padding}`);
  assert.deepEqual(where(`${doc('small')}---\n${big}`), { code: 'POLICY_INVALID', line: 9, column: 1, field: '', document: 1 });
  // Multi-byte text counts in UTF-8 bytes, not characters.
  const wide = doc('wide').replace('spec:\n', `spec:\n  # ${'é'.repeat(DOCUMENT_LIMITS.maxDocumentBytes / 2)}\n`);
  assert.equal(where(wide)['document'], 0);
  assert.deepEqual(where(' '.repeat(DOCUMENT_LIMITS.maxStreamBytes + 1)), { code: 'POLICY_INVALID', line: 1, column: 1, field: '', document: 0 });
});

test(`at most ${MAX_RULES} rules in a policy`, () => {
  const rules = (n: number): string => Array.from({ length: n }, (_, i) => `  - {name: r${i}, reputation: {minScore: 1}}\n`).join('');
  assert.equal(parsePolicyDocuments(doc('many', rules(MAX_RULES)))[0]!.rules.length, MAX_RULES);
  assert.deepEqual(where(doc('many', rules(MAX_RULES + 1))), {
    code: 'POLICY_INVALID',
    line: 7 + MAX_RULES,
    column: 5,
    field: `spec.rules[${MAX_RULES}]`,
    document: 0,
  });
});

test('deep nesting is refused before it is composed, even far past what would exhaust the stack', () => {
  const start = Date.now();
  assert.deepEqual(where(`a: ${'['.repeat(50_000)}`), { code: 'POLICY_INVALID', line: 1, column: 4 + DOCUMENT_LIMITS.maxDepth - 1, field: '', document: 0 });
  const block = Array.from({ length: DOCUMENT_LIMITS.maxDepth + 1 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
  assert.equal(where(block)['line'], DOCUMENT_LIMITS.maxDepth + 1);
  assert.ok(Date.now() - start < 5000);
});
