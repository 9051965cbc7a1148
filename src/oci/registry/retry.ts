// When and how long to wait before asking a registry again. Registries answer 429 (rate limits, e.g. Docker
// Hub) and 5xx (storage back-ends briefly unavailable) routinely; a bounded, jittered exponential back-off
// keeps many clients from retrying in lock-step, and a total budget keeps a broken registry from stalling us.
import { ProvenantError } from '../../core/errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included; 1 disables retries. */
  maxAttempts: number;
  /** The back-off before the second attempt; it doubles for each later one. */
  baseDelayMs: number;
  /** Upper bound of one computed back-off (a server's Retry-After may ask for more, within the budget). */
  maxDelayMs: number;
  /** No retry is started that would end later than this after the first attempt began. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 8_000, maxTotalMs: 60_000 };

export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY, ...overrides };
  const ok =
    Number.isSafeInteger(policy.maxAttempts) &&
    policy.maxAttempts >= 1 &&
    policy.maxAttempts <= 100 &&
    [policy.baseDelayMs, policy.maxDelayMs, policy.maxTotalMs].every((n) => Number.isFinite(n) && n >= 0);
  if (!ok) throw new ProvenantError('USAGE', 'retry policy needs 1..100 attempts and non-negative finite delays');
  return policy;
}

/** Statuses worth another try: request timeout, rate limit, and the transient server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * Back-off before attempt `attempt + 1` ("equal jitter"): half of the exponential step is fixed, the other
 * half random, so waits keep growing yet clients spread out.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

const DELTA_SECONDS_RE = /^[0-9]{1,9}$/;
const IMF_FIXDATE_RE = /^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/;

/** Retry-After (RFC 9110 §10.2.3) in milliseconds from `now`: delay-seconds or an IMF-fixdate; else undefined. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (DELTA_SECONDS_RE.test(text)) return Number(text) * 1000;
  if (IMF_FIXDATE_RE.test(text)) {
    const at = Date.parse(text);
    return Number.isNaN(at) ? undefined : Math.max(0, at - now);
  }
  return undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
