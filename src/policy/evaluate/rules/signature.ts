// signature: at least `count` distinct signers among `signers` signed the image, counting unrevoked signatures only.
// A failure also names who else signed it.
import type { Evidence } from '../../facts.js';
import type { UsedFact } from '../../decision.js';
import { plural, type EvaluationScope, type RuleOf, type RuleVerdict } from '../evaluation-scope.js';
import { describeRevocation, ignoredRevocationFacts, splitRevocations } from '../revocations.js';
import { describeMatchers, describeSigner, signerId, signerMatches } from '../signer-match.js';

/** Signers outside the rule named in a failure's reason; the rest are counted. */
const MAX_NAMED_OTHERS = 5;

export function signatureRule(rule: RuleOf<'signature'>, scope: EvaluationScope): RuleVerdict {
  const signers = new Map<string, string>();
  const evidence: Evidence[] = [];
  const facts: UsedFact[] = [];
  const revoked: string[] = [];
  const others = new Map<string, string>();
  for (const signature of scope.facts.signatures) {
    if (!rule.signers.some((m) => signerMatches(m, signature.signer))) {
      others.set(signerId(signature.signer), describeSigner(signature.signer));
      continue;
    }
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
    : `requires signatures by ${required}; found ${found.length === 0 ? 'none' : found.join(', ')}${revoked.length === 0 ? '' : `; ${revoked.join('; ')}`}${otherSigners(others)}`;
  if (!passed) for (const other of [...others.values()].sort()) facts.push({ name: 'signature.other-signer', value: other });
  return { passed, reason, facts, evidence };
}

/** The signers that are not required, so that "signed by someone else" does not read like "unsigned". */
function otherSigners(others: ReadonlyMap<string, string>): string {
  if (others.size === 0) return '';
  const named = [...others.values()].sort();
  const shown = named.slice(0, MAX_NAMED_OTHERS).join(', ');
  return `; also signed by ${shown}${named.length > MAX_NAMED_OTHERS ? ` and ${named.length - MAX_NAMED_OTHERS} more` : ''}, not required signers`;
}
