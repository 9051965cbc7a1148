// The policy engine's pure core: a decision from facts, policies, data and a request, with no I/O, no clock and
// no randomness, so the same input always gives the same decision (docs/policy-evaluation.md).
import type { Decision, EvaluationInput, Outcome, PolicyResult, RuleResult, UsedFact } from '../decision.js';
import type { Evidence } from '../facts.js';
import type { Policy, Rule } from '../policy.js';
import { dataVersionOf } from './data-version.js';
import { evaluationScope, type EvaluationScope } from './evaluation-scope.js';
import { isoInstant, requestInstantMs } from './instant.js';
import { matchPolicy } from './match.js';
import { effectOf, outcomeOfEffect, worstOutcome, type Effect } from './outcome.js';
import { evaluateRule } from './rules/index.js';
import { mergeSandbox, type SandboxRequest } from './sandbox-merge.js';
import { ascending } from '../../core/order.js';

interface Failure {
  readonly effect: Effect;
  readonly text: string;
}

/** Evaluates every policy against the image. Errors: EVALUATION_INPUT_INVALID (context.at is not an instant). */
export function evaluate(input: EvaluationInput): Decision {
  const { facts, policies, data, context } = input;
  const atMs = requestInstantMs(context.at, 'context.at');
  const scope = evaluationScope(facts, data, context, atMs);
  const policyResults: PolicyResult[] = [];
  const ruleResults: RuleResult[] = [];
  const failures: Failure[] = [];
  const sandboxes: SandboxRequest[] = [];
  let flipsAt: number | undefined;
  for (const policy of policies.policies) {
    const match = matchPolicy(policy.match, facts.image, context);
    const outcomes: Outcome[] = [];
    if (match.matched) {
      for (const rule of policy.rules) {
        const { result, flips } = ruleResult(rule, policy, scope);
        ruleResults.push(result);
        if (flips !== undefined && flips > atMs) flipsAt = flipsAt === undefined ? flips : Math.min(flipsAt, flips);
        if (result.effect === undefined) continue;
        outcomes.push(outcomeOfEffect(result.effect));
        failures.push({ effect: result.effect, text: failureText(policy, rule, result) });
        if (result.effect === 'sandbox') sandboxes.push({ source: `${policy.name}/${rule.name}`, changes: rule.sandbox ?? {} });
      }
    }
    policyResults.push({ policy: policy.name, mode: policy.mode, matched: match.matched, matchReason: match.reason, outcome: worstOutcome(outcomes) });
  }

  const pinDigest = policies.policies.some((p, i) => p.pinDigests === true && p.mode !== 'audit' && policyResults[i]!.matched);
  const base = {
    image: { reference: facts.image.reference, digest: facts.image.digest },
    ...(pinDigest ? { pinDigest: true as const } : {}),
    policyVersion: policies.version,
    dataVersion: dataVersionOf(facts, data),
    decidedAt: context.at,
    ...(flipsAt === undefined ? {} : { validUntil: isoInstant(flipsAt) }),
    policies: policyResults,
    rules: ruleResults,
  };
  if (!policyResults.some((p) => p.matched)) {
    const reason = `no policy matches ${describeRequest(input)}; policies.noMatch is ${policies.noMatch}`;
    return { ...base, outcome: policies.noMatch, reasons: [reason], warnings: policies.noMatch === 'warn' ? [reason] : [] };
  }

  const texts = (effect: Effect): string[] => failures.filter((f) => f.effect === effect).map((f) => f.text);
  const deny = texts('deny');
  let outcome = worstOutcome(policyResults.map((p) => p.outcome));
  let sandbox;
  if (sandboxes.length > 0) {
    const merged = mergeSandbox(sandboxes);
    if (merged.ok) sandbox = merged.changes;
    else {
      deny.unshift(`${merged.source}: sandbox changes cannot be merged: ${merged.conflict}`);
      outcome = 'deny';
    }
  }
  return {
    ...base,
    outcome,
    ...(outcome === 'sandbox' && sandbox !== undefined ? { sandbox } : {}),
    reasons: [...deny, ...texts('sandbox'), ...texts('warn')],
    warnings: [...texts('warn'), ...texts('audit')],
  };
}

function ruleResult(rule: Rule, policy: Policy, scope: EvaluationScope): { result: RuleResult; flips: number | undefined } {
  const verdict = evaluateRule(rule, policy, scope);
  const effect = verdict.passed ? undefined : effectOf(policy.mode, rule.action);
  return {
    result: {
      policy: policy.name,
      rule: rule.name,
      kind: rule.kind,
      passed: verdict.passed,
      ...(effect === undefined ? {} : { effect }),
      reason: verdict.reason,
      facts: sortedFacts(verdict.facts),
      evidence: sortedEvidence(verdict.evidence),
    },
    flips: verdict.flipsAt,
  };
}

function failureText(policy: Policy, rule: Rule, result: RuleResult): string {
  const reason = rule.message === undefined ? result.reason : `${rule.message} (${result.reason})`;
  const audit = result.effect === 'audit' ? ` [audit mode: would ${rule.action}]` : '';
  return `${policy.name}/${rule.name}: ${reason}${audit}`;
}

function describeRequest({ facts, context }: EvaluationInput): string {
  const parts = [`${facts.image.reference} (${facts.image.digest})`];
  if (context.namespace !== undefined) parts.push(`in namespace ${context.namespace}`);
  if (context.kind !== undefined) parts.push(`for a ${context.kind}`);
  return parts.join(' ');
}

// Facts and evidence are listed in one order whatever order the facts arrived in, so decisions compare equal.
function sortedFacts(facts: readonly UsedFact[]): UsedFact[] {
  const seen = new Map<string, UsedFact>();
  for (const f of facts) {
    // Strings (nearly every value) are keyed as themselves; the type tag keeps "1" apart from 1 and "null" from null.
    const value = typeof f.value === 'string' ? `s${f.value}` : `j${JSON.stringify(f.value)}`;
    seen.set(`${f.name}\0${value}`, { name: f.name, value: f.value });
  }
  const keys = [...seen.keys()].sort();
  return keys.map((k) => seen.get(k)!);
}

function sortedEvidence(evidence: readonly Evidence[]): Evidence[] {
  const seen = new Map<string, Evidence>();
  for (const e of evidence) seen.set(`${e.digest}\0${e.kind}`, { kind: e.kind, digest: e.digest, ...(e.logIndex === undefined ? {} : { logIndex: e.logIndex }) });
  return [...seen.entries()].sort(([a], [b]) => ascending(a, b)).map(([, e]) => e);
}
