// Reputation scores for the providers a decision needs. A provider's events are read from the log once per
// (newest reputation event, newest revocation) seen, since only a new event or a revocation of one changes them;
// the score itself is recomputed for the instant of each decision, because events decay with time.
import { isProvenantError } from '../../core/errors.js';
import type { ImageFacts } from '../facts.js';
import type { ProviderScore } from '../decision.js';
import type { PolicySet } from '../policy.js';
import { keyProvider, namespaceProvider } from '../../reputation/providers.js';
import type { ProviderEvents, ReputationBook } from '../../reputation/reputation-book.js';
import { scoreProvider } from '../../reputation/score.js';

/** Cached events per provider; a provider set larger than this starts the cache afresh. */
const MAX_CACHED_PROVIDERS = 10_000;

export class ReputationState {
  private eventsKey = '';
  private readonly events = new Map<string, Promise<ProviderEvents>>();

  constructor(private readonly book: ReputationBook) {}

  /**
   * Scores at `at` of every provider the policies' reputation rules may ask about for this image: its registry
   * namespace and the key of each signer. `cacheKey` names the log state the events were
   * read at. Errors: the log's, INPUT_TOO_LARGE (a provider with too many events).
   */
  async scores(policies: PolicySet, facts: ImageFacts, at: string, cacheKey: string): Promise<ReadonlyMap<string, ProviderScore>> {
    const providers = providersNeeded(policies, facts);
    if (cacheKey !== this.eventsKey || this.events.size > MAX_CACHED_PROVIDERS) {
      this.events.clear();
      this.eventsKey = cacheKey;
    }
    const out = new Map<string, ProviderScore>();
    for (const provider of providers) {
      let found = this.events.get(provider);
      if (found === undefined) {
        found = this.book.events(provider);
        this.events.set(provider, found);
        // A failed read is not cached: the next decision asks the log again.
        const pending = found;
        pending.catch(() => {
          if (this.events.get(provider) === pending) this.events.delete(provider);
        });
      }
      const scored = scoreProvider(provider, (await found).events, { at });
      out.set(provider, { provider, score: scored.score });
    }
    return out;
  }
}

function providersNeeded(policies: PolicySet, facts: ImageFacts): string[] {
  const kinds = new Set<'namespace' | 'signer'>();
  for (const policy of policies.policies) for (const rule of policy.rules) if (rule.kind === 'reputation') kinds.add(rule.provider);
  const providers = new Set<string>();
  if (kinds.has('namespace')) {
    const namespace = attempt(() => namespaceProvider(`${facts.image.registry}/${facts.image.repository}`));
    if (namespace !== undefined) providers.add(namespace);
  }
  if (kinds.has('signer')) {
    // As the reputation rule scores them: the key of each signature's signer.
    for (const { signer } of facts.signatures) {
      const key = attempt(() => keyProvider(signer.keyId));
      if (key !== undefined) providers.add(key);
    }
  }
  return [...providers].sort();
}

/** A provider that cannot be spelled has no events: it scores as unknown, which the rule then judges. */
function attempt(fn: () => string): string | undefined {
  try {
    return fn();
  } catch (e) {
    if (!isProvenantError(e) || e.code === 'INTERNAL') throw e;
    return undefined;
  }
}
