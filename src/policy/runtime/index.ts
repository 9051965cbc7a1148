// The policy runtime: policies versioned in the log, decisions recorded, and re-evaluation of admitted images
// (docs/policy-runtime.md).
export { PolicyRuntime } from './policy-runtime.js';
export type { PolicyRuntimeOptions, DecideRequest, DecideResult, RecordedDecision, RuntimeSnapshot } from './policy-runtime.js';
export { Reevaluator } from './reevaluation.js';
export type { ReevaluationReport, ReevaluationTrigger, ReevaluationHost, ChangedImage, FailedImage, RuntimeVersions } from './reevaluation.js';
export { applyPolicies, deletePolicies, currentPolicies, currentOf, readPolicyVersions, policySetOf } from './policy-entries.js';
export type { PolicyTrust, PolicyVersion, PolicyContent, PolicyHistory, CurrentPolicies, AppliedVersion, ApplyResult } from './policy-entries.js';
export { POLICY_PREDICATE_TYPE, proposePolicyVersion, readPolicyStatement, readPolicyPredicate, policySubjectName } from './policy-statement.js';
export type { PolicyVersionPredicate, PolicyStatement, PolicyFormat } from './policy-statement.js';
