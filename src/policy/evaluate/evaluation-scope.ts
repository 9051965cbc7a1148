// What every rule of one evaluation reads, with the derived views (trusted provenance per policy, vulnerability
// matches per inventory) computed at most once per evaluation. The memo tables live and die with the scope, so
// evaluation stays a pure function of its input.
import type { EvaluationData, RequestContext, UsedFact } from '../decision.js';
import type { Evidence, ImageFacts } from '../facts.js';
import type { Policy, Rule } from '../policy.js';
import { trustedProvenance, type TrustedInventory, type TrustedProvenance } from './trusted-provenance.js';
import { scanInventory, type VulnerabilityScan } from './vulnerability-scan.js';

export interface EvaluationScope {
  readonly facts: ImageFacts;
  readonly data: EvaluationData;
  readonly request: RequestContext;
  /** The request instant in milliseconds. */
  readonly atMs: number;
  readonly authorities: ReadonlySet<string>;
  provenance(policy: Policy): TrustedProvenance;
  vulnerabilities(inventory: TrustedInventory): VulnerabilityScan;
}

/** What one rule concluded, before the policy mode turns a failure into an effect. */
export interface RuleVerdict {
  readonly passed: boolean;
  readonly reason: string;
  readonly facts: readonly UsedFact[];
  readonly evidence: readonly Evidence[];
  /** The first instant (ms) at which time alone would change `passed`, when one is known. */
  readonly flipsAt?: number;
}

export function evaluationScope(facts: ImageFacts, data: EvaluationData, request: RequestContext, atMs: number): EvaluationScope {
  const provenance = new Map<Policy, TrustedProvenance>();
  // Keyed by the inventory attestation's digest: policies trusting the same attestation share one scan of it.
  const scans = new Map<string, VulnerabilityScan>();
  const authorities = new Set(data.revocationAuthorities);
  return {
    facts,
    data,
    request,
    atMs,
    authorities,
    provenance(policy) {
      let found = provenance.get(policy);
      if (found === undefined) {
        found = trustedProvenance(facts.attestations, policy.attestors, authorities);
        provenance.set(policy, found);
      }
      return found;
    },
    vulnerabilities(inventory) {
      let found = scans.get(inventory.evidence.digest);
      if (found === undefined) {
        found = scanInventory(data.advisories, inventory);
        scans.set(inventory.evidence.digest, found);
      }
      return found;
    },
  };
}

export type RuleOf<K extends Rule['kind']> = Extract<Rule, { kind: K }>;

/** "1 signature", "2 signatures". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** At most `max` items, then how many more (of `total`, when the caller passed only the first few). */
export function listSome(items: readonly string[], max = 5, total = items.length): string {
  return total <= max ? items.join('; ') : `${items.slice(0, max).join('; ')}; and ${total - max} more`;
}

/** " (inventory sha256:…, provenance sha256:…)": the attestations a reason rests on, the inventory named as such. */
export function citing(evidence: readonly Evidence[], inventoryDigest: string | undefined): string {
  const digests = [...new Set(evidence.map((e) => e.digest))];
  if (digests.length === 0) return '';
  return ` (${digests.map((d) => `${d === inventoryDigest ? 'inventory' : 'provenance'} ${d}`).join(', ')})`;
}
