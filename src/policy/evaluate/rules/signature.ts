// signature: at least `count` distinct signers among `signers` signed the image, counting unrevoked signatures only.
import type { Evidence } from '../../facts.js';
import type { UsedFact } from '../../decision.js';
import { plural, type EvaluationScope, type RuleOf, type RuleVerdict } from '../evaluation-scope.js';
import { describeRevocation, ignoredRevocationFacts, splitRevocations } from '../revocations.js';
import { describeMatchers, describeSigner, signerId, signerMatches } from '../signer-match.js';

export function signatureRule(rule: RuleOf<'signature'>, scope: EvaluationScope): RuleVerdict {
  const signers = new Map<string, string>();
  const evidence: Evidence[] = [];
  const facts: UsedFact[] = [];
  const revoked: string[] = [];
  for (const signature of scope.facts.signatures) {
    if (!rule.signers.some((m) => signerMatches(m, signature.signer))) continue;
    const split = splitRevocations(signature, scope.authorities);
    facts.push(...ignoredRevocationFacts(signature, split));
    const revocation = split.effective[0];
    if (revocation !== undefined) {
      revoked.push(describeRevocation(signature, revocation));
      evidence.push(signature.evidence, ...split.effective.map((r) => r.evidence));
      facts.push({ name: 'signature.revoked', value: signature.evidence.digest });
      continue;
    }
    signers.set(signerId(signature.signer), describeSigner(signature.signer));
    evidence.push(signature.evidence);
    facts.push({ name: 'signature.signer', value: describeSigner(signature.signer) });
  }
  const found = [...signers.values()].sort();
  revoked.sort();
  const passed = found.length >= rule.count;
  const required = `${plural(rule.count, 'signer')} of ${describeMatchers(rule.signers)}`;
  const reason = passed
    ? `signed by ${found.join(', ')} (required ${required})`
    : `requires signatures by ${required}; found ${found.length === 0 ? 'none' : found.join(', ')}${revoked.length === 0 ? '' : `; ${revoked.join('; ')}`}`;
  return { passed, reason, facts, evidence };
}
