// attestation: for each required predicate type, an unrevoked attestation by the counted signers (the rule's, else
// the policy's attestors, else any verified signer) no older than maxAge. A revoked attestation of a required type
// by those signers fails the rule whatever else exists: a revocation says the statement must not be relied on.
import type { UsedFact } from '../../decision.js';
import type { AttestationFact, Evidence } from '../../facts.js';
import type { Policy } from '../../policy.js';
import { listSome, type EvaluationScope, type RuleOf, type RuleVerdict } from '../evaluation-scope.js';
import { ageSeconds, flipAfter, instantMs } from '../instant.js';
import { sortNewest } from '../newest.js';
import { describeRevocation, ignoredRevocationFacts, splitRevocations } from '../revocations.js';
import { describeMatchers, signerTrusted } from '../signer-match.js';

export function attestationRule(rule: RuleOf<'attestation'>, policy: Policy, scope: EvaluationScope): RuleVerdict {
  const signers = rule.signers.length > 0 ? rule.signers : policy.attestors;
  const facts: UsedFact[] = [];
  const evidence: Evidence[] = [];
  const found: string[] = [];
  const problems: string[] = [];
  let flipsAt: number | undefined;
  for (const type of rule.predicateTypes) {
    const candidates = sortNewest(
      scope.facts.attestations.filter((a) => a.predicateType === type && signerTrusted(signers, a.signer)),
      (a) => a.issuedAt,
    );
    const revoked: string[] = [];
    const usable: AttestationFact[] = [];
    for (const attestation of candidates) {
      const split = splitRevocations(attestation, scope.authorities);
      facts.push(...ignoredRevocationFacts(attestation, split));
      const revocation = split.effective[0];
      if (revocation === undefined) {
        usable.push(attestation);
        continue;
      }
      revoked.push(describeRevocation(attestation, revocation));
      evidence.push(attestation.evidence, ...split.effective.map((r) => r.evidence));
      facts.push({ name: `attestation.${type}.revoked`, value: attestation.evidence.digest });
    }
    if (revoked.length > 0) {
      problems.push(`${type}: ${revoked.join('; ')}`);
      continue;
    }
    const fresh = usable.find((a) => withinAge(a, rule.maxAge, scope.atMs));
    if (fresh === undefined) {
      problems.push(`${type}: ${missing(usable[0], rule.maxAge, scope.atMs, describeMatchers(signers))}`);
      if (usable[0] !== undefined) evidence.push(usable[0].evidence);
      continue;
    }
    evidence.push(fresh.evidence);
    facts.push({ name: `attestation.${type}.issuedAt`, value: fresh.issuedAt ?? null });
    found.push(`${type} (${fresh.evidence.digest}${fresh.issuedAt === undefined ? '' : `, issued ${fresh.issuedAt}`})`);
    const issued = instantMs(fresh.issuedAt);
    if (rule.maxAge !== undefined && issued !== undefined) {
      const expiry = flipAfter(issued + rule.maxAge * 1000);
      flipsAt = flipsAt === undefined ? expiry : Math.min(flipsAt, expiry);
    }
  }
  const passed = problems.length === 0;
  const age = rule.maxAge === undefined ? '' : ` at most ${rule.maxAge} s old`;
  const reason = passed
    ? `attested${age}: ${found.join(', ')}`
    : `requires unrevoked attestations${age} by ${describeMatchers(signers)}: ${listSome(problems)}`;
  return { passed, reason, facts, evidence, ...(passed && flipsAt !== undefined ? { flipsAt } : {}) };
}

/** Age = request time − issuedAt; an attestation of unknown time never satisfies an age limit. */
function withinAge(attestation: AttestationFact, maxAge: number | undefined, atMs: number): boolean {
  if (maxAge === undefined) return true;
  const issued = instantMs(attestation.issuedAt);
  return issued !== undefined && atMs - issued <= maxAge * 1000;
}

function missing(newest: AttestationFact | undefined, maxAge: number | undefined, atMs: number, signers: string): string {
  if (newest === undefined) return `none by ${signers}`;
  const issued = instantMs(newest.issuedAt);
  if (issued === undefined) return `the newest (${newest.evidence.digest}) has no issue time to check the age limit of ${maxAge} s against`;
  return `the newest (${newest.evidence.digest}) is ${ageSeconds(atMs, issued)} s old, more than ${maxAge} s`;
}
