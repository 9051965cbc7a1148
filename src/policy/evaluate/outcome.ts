// From failed rules to a decision. A failed rule's effect is its action under `enforce`; `warn` mode turns deny
// into warn (a sandbox stays a sandbox: it admits the workload anyway); `audit` mode records 'audit' and admits.
// Outcomes rank deny > sandbox > warn > allow, for a policy and for the decision.
import type { Outcome } from '../decision.js';
import type { PolicyMode, RuleAction } from '../policy.js';

export type Effect = RuleAction | 'audit';

export function effectOf(mode: PolicyMode, action: RuleAction): Effect {
  switch (mode) {
    case 'enforce':
      return action;
    case 'warn':
      return action === 'deny' ? 'warn' : action;
    case 'audit':
      return 'audit';
  }
}

const RANK: Readonly<Record<Outcome, number>> = { allow: 0, warn: 1, sandbox: 2, deny: 3 };

export function outcomeOfEffect(effect: Effect): Outcome {
  switch (effect) {
    case 'deny':
    case 'sandbox':
    case 'warn':
      return effect;
    case 'audit':
      return 'allow';
  }
}

export function worstOutcome(outcomes: Iterable<Outcome>): Outcome {
  let worst: Outcome = 'allow';
  for (const o of outcomes) if (RANK[o] > RANK[worst]) worst = o;
  return worst;
}
