// expression: a CEL program over cel-facts.ts. False fails the rule; an evaluation error fails it too (fail
// closed), with the error as the reason. An expression reading `now` can change its result at any instant, so
// its decision holds only for the instant it was made for.
import type { Evidence } from '../../facts.js';
import type { Policy } from '../../policy.js';
import { celBindings } from '../cel-facts.js';
import type { EvaluationScope, RuleOf, RuleVerdict } from '../evaluation-scope.js';

export function expressionRule(rule: RuleOf<'expression'>, policy: Policy, scope: EvaluationScope): RuleVerdict {
  const { program } = rule;
  const outcome = program.evaluate(celBindings(scope, policy, program.variables));
  const read = new Set(program.variables);
  const evidence: Evidence[] = [];
  const provenance = scope.provenance(policy);
  if (read.has('build') && provenance.build !== undefined) evidence.push(provenance.build.evidence);
  if ((read.has('packages') || read.has('vulnerabilities')) && provenance.inventory !== undefined) evidence.push(provenance.inventory.evidence);
  if (read.has('signatures')) evidence.push(...scope.facts.signatures.map((s) => s.evidence));
  if (read.has('attestations')) evidence.push(...scope.facts.attestations.map((a) => a.evidence));
  if (read.has('audits')) evidence.push(...scope.facts.audits.map((a) => a.evidence));
  const facts = [{ name: 'expression', value: program.source }, ...program.variables.map((v) => ({ name: 'expression.reads', value: v }))];
  const flips = read.has('now') ? { flipsAt: scope.atMs + 1 } : {};
  if (!outcome.ok) return { passed: false, reason: `expression ${program.source} failed: ${outcome.error} (failing closed)`, facts, evidence, ...flips };
  return { passed: outcome.value, reason: `expression ${program.source} is ${outcome.value}`, facts, evidence, ...flips };
}
