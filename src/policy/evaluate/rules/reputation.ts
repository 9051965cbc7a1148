// reputation: the provider's score is at least minScore. The provider is the image's registry namespace, or each
// signer key of an unrevoked signature (the rule passes when one of them reaches the score).
import type { UsedFact } from '../../decision.js';
import type { Evidence } from '../../facts.js';
import { type EvaluationScope, type RuleOf, type RuleVerdict } from '../evaluation-scope.js';
import { imageNamespace, scoreOf, signerProvider } from '../provider-scores.js';
import { isRevoked } from '../revocations.js';

export function reputationRule(rule: RuleOf<'reputation'>, scope: EvaluationScope): RuleVerdict {
  switch (rule.provider) {
    case 'namespace': {
      const provider = imageNamespace(scope);
      if (provider === undefined) return { passed: false, reason: `cannot name the registry namespace of ${scope.facts.image.reference}`, facts: [], evidence: [] };
      const score = scoreOf(scope, provider);
      const passed = score >= rule.minScore;
      return {
        passed,
        reason: `${passed ? '' : `requires reputation ≥ ${rule.minScore}; `}provider ${provider} scores ${score}${passed ? ` (≥ ${rule.minScore})` : ''}`,
        facts: [{ name: `reputation.${provider}`, value: score }],
        evidence: [],
      };
    }
    case 'signer': {
      const scores = new Map<string, number>();
      const evidence: Evidence[] = [];
      for (const signature of scope.facts.signatures) {
        if (isRevoked(signature, scope.authorities)) continue;
        const provider = signerProvider(signature.signer.keyId);
        if (provider === undefined) continue;
        scores.set(provider, scoreOf(scope, provider));
        evidence.push(signature.evidence);
      }
      const ranked = [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const facts: UsedFact[] = ranked.map(([provider, score]) => ({ name: `reputation.${provider}`, value: score }));
      const best = ranked[0];
      if (best === undefined) return { passed: false, reason: `requires a signer with reputation ≥ ${rule.minScore}; no unrevoked signature`, facts, evidence };
      const passed = best[1] >= rule.minScore;
      const found = ranked.map(([p, s]) => `${p} scores ${s}`).join(', ');
      return { passed, reason: passed ? `signer ${best[0]} scores ${best[1]} (≥ ${rule.minScore})` : `requires a signer with reputation ≥ ${rule.minScore}; ${found}`, facts, evidence };
    }
  }
}
