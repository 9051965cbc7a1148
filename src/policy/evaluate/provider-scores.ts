// The reputation providers an image answers to, named as reputation/providers.ts names them, and their scores
// from the evaluation data. A provider without events scores 50, the neutral score of the reputation formula
// (reputation/score.ts: 100 (R + 1) / (R + S + 2) with R = S = 0).
import { isProvenantError } from '../../core/errors.js';
import { keyProvider, namespaceProvider } from '../../reputation/providers.js';
import type { EvaluationScope } from './evaluation-scope.js';

export const NO_EVENTS_SCORE = 50;

/** The registry namespace of the image; undefined when its registry and repository do not form a name. */
export function imageNamespace(scope: EvaluationScope): string | undefined {
  const { registry, repository } = scope.facts.image;
  try {
    return namespaceProvider(`${registry}/${repository}`);
  } catch (e) {
    if (isProvenantError(e)) return undefined;
    throw e;
  }
}

export function signerProvider(keyId: string): string | undefined {
  try {
    return keyProvider(keyId);
  } catch (e) {
    if (isProvenantError(e)) return undefined;
    throw e;
  }
}

export function scoreOf(scope: EvaluationScope, provider: string): number {
  return scope.data.reputation.get(provider)?.score ?? NO_EVENTS_SCORE;
}
