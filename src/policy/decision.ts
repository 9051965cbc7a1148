// A decision and everything it was made from. `evaluate(input)` is a pure function of `EvaluationInput`, so a
// decision can be cached per (image digest, policy version, data version) until `validUntil`, and replayed later
// from the same inputs.
import type { AdvisoryIndex } from '../vuln/advisory-index.js';
import type { ImageFacts, Evidence } from './facts.js';
import type { PolicyMode, PolicySet, RuleAction, RuleKind, SandboxChanges } from './policy.js';

export type Outcome = 'allow' | 'warn' | 'deny' | 'sandbox';

/** The admission (or gate) request the image is asked about. */
export interface RequestContext {
  readonly namespace?: string;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Workload kind: "Pod", "Deployment", "CronJob", ...; absent for a gate or Docker request. */
  readonly kind?: string;
  /** The instant the decision is made for (RFC 3339). */
  readonly at: string;
}

export interface ProviderScore {
  readonly provider: string;
  readonly score: number;
}

/** Data beside the policies that decisions depend on, with the version that identifies it. */
export interface EvaluationData {
  readonly advisories: AdvisoryIndex;
  /** Identity of the advisory data set (its digest), for replay. */
  readonly advisoriesVersion: string;
  /** Reputation scores by provider id; a provider absent here scores as having no events. */
  readonly reputation: ReadonlyMap<string, ProviderScore>;
  readonly reputationVersion: string;
  /** Signer key ids whose revocations count for any entry (besides the entry's own signer). */
  readonly revocationAuthorities: readonly string[];
}

export interface EvaluationInput {
  readonly facts: ImageFacts;
  readonly policies: PolicySet;
  readonly data: EvaluationData;
  readonly context: RequestContext;
}

/** A fact a rule read, named so a reader can find it: `{ name: "build.toolchains.gcc", value: "12.2.0" }`. */
export interface UsedFact {
  readonly name: string;
  readonly value: string | number | boolean | null;
}

export interface RuleResult {
  readonly policy: string;
  readonly rule: string;
  readonly kind: RuleKind;
  readonly passed: boolean;
  /** The action the rule's failure takes (after the policy mode); absent when it passed. */
  readonly effect?: RuleAction | 'audit';
  /** One sentence naming what was required and what was found. */
  readonly reason: string;
  readonly facts: readonly UsedFact[];
  /** The log entries / attestations the facts came from. */
  readonly evidence: readonly Evidence[];
}

export interface PolicyResult {
  readonly policy: string;
  readonly mode: PolicyMode;
  readonly matched: boolean;
  /** Why it did or did not match (image glob, namespace, kind). */
  readonly matchReason: string;
  /** The policy's own outcome (audit mode: always allow; what would have happened is in the rule effects). */
  readonly outcome: Outcome;
}

export interface Decision {
  readonly outcome: Outcome;
  /** The image this is about. */
  readonly image: { readonly reference: string; readonly digest: string };
  readonly policyVersion: string;
  /** Advisory and reputation data versions and the facts' origin, joined: the cache key's data part. */
  readonly dataVersion: string;
  readonly decidedAt: string;
  /**
   * The earliest instant at which the same inputs give another outcome because of time alone (an attestation
   * ageing out, an ignore entry expiring, a certification lapsing); absent when time cannot change it.
   */
  readonly validUntil?: string;
  readonly policies: readonly PolicyResult[];
  readonly rules: readonly RuleResult[];
  /** A matched policy (not in audit mode) asks admission to pin the image to its digest (Policy.pinDigests). */
  readonly pinDigest?: true;
  /** Merged changes of every failed sandbox rule, when the outcome is sandbox. */
  readonly sandbox?: SandboxChanges;
  /** Human-readable reasons of the failed rules, most severe first: "policy/rule: reason". */
  readonly reasons: readonly string[];
  /** Kubernetes-style warnings for warn effects (and audit findings). */
  readonly warnings: readonly string[];
}
