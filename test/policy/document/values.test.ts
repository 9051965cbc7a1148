import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicyDocuments } from '../../../src/policy/document/index.js';
import type { Rule } from '../../../src/policy/policy.js';
import { refusal } from './document-fixtures.js';

function firstRule(rule: string): Rule {
  const text = `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata: {name: p}\nspec:\n  rules:\n  - ${rule}\n`;
  return parsePolicyDocuments(text)[0]!.rules[0]!;
}

function problemField(rule: string): unknown {
  const text = `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata: {name: p}\nspec:\n  rules:\n  - ${rule}\n`;
  return refusal(() => parsePolicyDocuments(text)).details['field'];
}

test('durations: whole units largest first, days included, in seconds', () => {
  const age = (text: string): unknown => {
    const rule = firstRule(`{name: r, audit: {auditors: [a], maxAge: "${text}"}}`);
    return rule.kind === 'audit' ? rule.maxAge : undefined;
  };
  assert.equal(age('720h'), 2_592_000);
  assert.equal(age('90m'), 5400);
  assert.equal(age('1h30m'), 5400);
  assert.equal(age('45s'), 45);
  assert.equal(age('30d'), 2_592_000);
  assert.equal(age('1d12h'), 129_600);
  for (const bad of ['0s', '1.5h', '12h1d', '10ms', '1h 30m', 'h', '-1h', '36500001d']) {
    assert.equal(problemField(`{name: r, audit: {auditors: [a], maxAge: "${bad}"}}`), 'spec.rules[0].audit.maxAge', bad);
  }
});

test('dates: midnight UTC for a day, offsets converted to UTC, impossible dates refused', () => {
  const at = (text: string): unknown => {
    const rule = firstRule(`{name: r, vulnerabilities: {severity: LOW, publishedAfter: "${text}"}}`);
    return rule.kind === 'vulnerabilities' && rule.publishedAfter?.kind === 'date' ? rule.publishedAfter.at : undefined;
  };
  assert.equal(at('2024-06-01'), '2024-06-01T00:00:00Z');
  assert.equal(at('2024-06-01T10:00:00Z'), '2024-06-01T10:00:00Z');
  assert.equal(at('2024-06-01T10:00:00+02:00'), '2024-06-01T08:00:00Z');
  assert.equal(at('2024-06-01T23:30:00.5-01:30'), '2024-06-02T01:00:00.500Z');
  assert.equal(at('2024-02-29'), '2024-02-29T00:00:00Z');
  for (const bad of ['2023-02-29', '2024-13-01', '2024-06-01T24:00:00Z', '2024-06-01T10:00:00', '2024-06-01 10:00:00Z', '2024-02-30T00:00:00+01:00', '01/06/2024']) {
    assert.equal(problemField(`{name: r, vulnerabilities: {severity: LOW, publishedAfter: "${bad}"}}`), 'spec.rules[0].vulnerabilities.publishedAfter', bad);
  }
});

test('quantities: Kubernetes spellings or plain numbers, never negative', () => {
  const limits = (cpu: string): unknown => {
    const rule = firstRule(`{name: r, action: sandbox, sandbox: {limits: {cpu: ${cpu}}}, reputation: {minScore: 1}}`);
    return rule.sandbox?.limits?.cpu;
  };
  assert.equal(limits('500m'), '500m');
  assert.equal(limits('"1.5"'), '1.5');
  assert.equal(limits('2'), '2');
  for (const bad of ['"-1"', '"1 core"', '"1Kb"', 'true']) {
    assert.equal(problemField(`{name: r, action: sandbox, sandbox: {limits: {cpu: ${bad}}}, reputation: {minScore: 1}}`), 'spec.rules[0].sandbox.limits.cpu', bad);
  }
});
