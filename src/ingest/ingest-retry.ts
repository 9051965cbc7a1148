// When the ingest tries again. A push is announced before everything it names may be readable (a registry behind
// a load balancer, storage that is eventually consistent), and registries and stores have short outages: those
// failures are retried with exponential back-off; anything else (a malformed manifest) would fail the same way again.
import { isProvenantError, ProvenantError, type ErrorCode } from '../core/errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  readonly attempts?: number;
  /** Wait before the second attempt; doubles for each later one. Default 500 ms. */
  readonly baseDelayMs?: number;
  /** Longest single wait. Default 8 s. */
  readonly maxDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'REGISTRY_UNREACHABLE',
  'REGISTRY_TIMEOUT',
  'REGISTRY_SERVER_ERROR',
  'REGISTRY_RATE_LIMITED',
  'REGISTRY_TLS_FAILED',
  'MANIFEST_NOT_FOUND',
  'BLOB_NOT_FOUND',
  'STORE_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'LOG_SEQUENCE_CONFLICT',
]);

/** Errors: USAGE for attempts that are not a positive integer or delays that are negative. */
export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = { attempts: options.attempts ?? 5, baseDelayMs: options.baseDelayMs ?? 500, maxDelayMs: options.maxDelayMs ?? 8_000 };
  if (!Number.isSafeInteger(policy.attempts) || policy.attempts < 1 || !(policy.baseDelayMs >= 0) || !(policy.maxDelayMs >= 0)) {
    throw new ProvenantError('USAGE', 'retry needs a positive number of attempts and non-negative delays', { details: { ...policy } });
  }
  return policy;
}

export function isRetryable(e: unknown): e is ProvenantError {
  return isProvenantError(e) && RETRYABLE.has(e.code);
}

/** Runs `run` until it succeeds, fails for good, runs out of attempts, or `stop()` says not to wait again. */
export async function withRetry<T>(
  policy: RetryPolicy,
  run: () => Promise<T>,
  hooks: { stop: () => boolean; onRetry: (code: ErrorCode, attempt: number, delayMs: number) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (!isRetryable(e) || attempt >= policy.attempts || hooks.stop()) throw e;
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      hooks.onRetry(e.code, attempt, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
