// Decisions by what they were made from. A decision is a pure function of (facts, policies, data, request), and
// the key names each: the image digest and reference, the request's namespace, its labels and
// kind, the policy version and the data version (which covers the evidence about the digest). A cached decision
// is served from the instant it was made until its validUntil, allowing and denying ones alike; least recently
// used entries are evicted beyond the bound.
import { ProvenantError } from '../../core/errors.js';
import { LruMap } from '../../core/lru-map.js';
import type { Decision, EvaluationInput } from '../decision.js';
import { dataVersionOf } from './data-version.js';
import { instantMs, requestInstantMs } from './instant.js';
import { sortedEntries } from '../../core/order.js';

export const DEFAULT_DECISION_CACHE_ENTRIES = 10_000;

export interface DecisionKeyParts {
  readonly imageDigest: string;
  readonly reference: string;
  readonly namespace?: string;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly kind?: string;
  readonly policyVersion: string;
  readonly dataVersion: string;
}

export interface DecisionCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  /** Entries dropped because the lookup instant was past their validUntil. */
  readonly expirations: number;
  readonly size: number;
}

export function decisionKey(parts: DecisionKeyParts): string {
  // An in-memory key only: JSON of fixed-order parts, labels as sorted pairs (their order in the request is not part
  // of the request's meaning).
  const labels = parts.namespaceLabels === undefined ? [] : sortedEntries(parts.namespaceLabels);
  return JSON.stringify([parts.imageDigest, parts.reference, parts.namespace ?? null, labels, parts.kind ?? null, parts.policyVersion, parts.dataVersion]);
}

/** The key `evaluate(input)` will be cached under, computed without evaluating. */
export function decisionKeyOf(input: EvaluationInput): string {
  const { facts, policies, data, context } = input;
  return decisionKey({
    imageDigest: facts.image.digest,
    reference: facts.image.reference,
    ...(context.namespace === undefined ? {} : { namespace: context.namespace }),
    ...(context.namespaceLabels === undefined ? {} : { namespaceLabels: context.namespaceLabels }),
    ...(context.kind === undefined ? {} : { kind: context.kind }),
    policyVersion: policies.version,
    dataVersion: dataVersionOf(facts, data),
  });
}

interface Entry {
  readonly decision: Decision;
  readonly fromMs: number;
  readonly untilMs: number;
}

export class DecisionCache {
  private readonly entries: LruMap<string, Entry>;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private expirations = 0;

  constructor(readonly maxEntries: number = DEFAULT_DECISION_CACHE_ENTRIES) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new ProvenantError('USAGE', `a decision cache holds a positive whole number of entries, not ${maxEntries}`);
    this.entries = new LruMap(maxEntries);
  }

  /** The decision cached under `key` if it holds at `at` (RFC 3339). Errors: EVALUATION_INPUT_INVALID. */
  get(key: string, at: string): Decision | undefined {
    const atMs = requestInstantMs(at, 'at');
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    // Before the instant it was made for, time-dependent inputs (an attestation not yet issued) may differ.
    if (atMs < entry.fromMs || atMs >= entry.untilMs) {
      if (atMs >= entry.untilMs) {
        this.entries.delete(key);
        this.expirations++;
      }
      this.misses++;
      return undefined;
    }
    this.hits++;
    return entry.decision;
  }

  set(key: string, decision: Decision): void {
    const fromMs = requestInstantMs(decision.decidedAt, 'decidedAt');
    const untilMs = decision.validUntil === undefined ? Infinity : (instantMs(decision.validUntil) ?? fromMs);
    this.evictions += this.entries.set(key, { decision, fromMs, untilMs });
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  stats(): DecisionCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, expirations: this.expirations, size: this.entries.size };
  }
}
