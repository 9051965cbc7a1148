// One rule of a policy, by kind.
import type { Policy, Rule } from '../../policy.js';
import type { EvaluationScope, RuleVerdict } from '../evaluation-scope.js';
import { attestationRule } from './attestation.js';
import { auditRule } from './audit.js';
import { buildEnvironmentRule } from './build-environment.js';
import { dependenciesRule } from './dependencies.js';
import { expressionRule } from './expression.js';
import { reputationRule } from './reputation.js';
import { signatureRule } from './signature.js';
import { vulnerabilitiesRule } from './vulnerabilities.js';

export function evaluateRule(rule: Rule, policy: Policy, scope: EvaluationScope): RuleVerdict {
  switch (rule.kind) {
    case 'signature':
      return signatureRule(rule, scope);
    case 'attestation':
      return attestationRule(rule, policy, scope);
    case 'audit':
      return auditRule(rule, scope);
    case 'buildEnvironment':
      return buildEnvironmentRule(rule, policy, scope);
    case 'dependencies':
      return dependenciesRule(rule, policy, scope);
    case 'vulnerabilities':
      return vulnerabilitiesRule(rule, policy, scope);
    case 'reputation':
      return reputationRule(rule, scope);
    case 'expression':
      return expressionRule(rule, policy, scope);
  }
}
