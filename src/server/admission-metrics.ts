// Prometheus metrics of the admission webhooks, on the service's registry. `image_verification_failures_total`
// carries the name security programmes already alert on; labels are bounded: a reason from a fixed set, and the
// namespace (namespaces are few and long-lived; no per-image label).
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Outcome } from '../policy/decision.js';
import type { FailureReason } from '../intercept/image-admission.js';

const PREFIX = 'provenant_';

export class AdmissionMetrics {
  private readonly failures: Counter<'reason' | 'namespace'>;
  private readonly latency: Histogram<'webhook'>;
  private readonly outcomes: Counter<'outcome'>;
  private readonly resolutions: Counter<'source'>;
  private readonly registryRequests: Counter<'result'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.failures = new Counter({
      name: `${PREFIX}image_verification_failures_total`,
      help: 'Images an admission refused or could not decide, by reason (denied, timeout, registry, not_found, error, malformed) and namespace.',
      labelNames: ['reason', 'namespace'],
      registers,
    });
    this.latency = new Histogram({
      name: `${PREFIX}admission_duration_seconds`,
      help: 'Time to answer an AdmissionReview, by webhook (validate, mutate).',
      labelNames: ['webhook'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.outcomes = new Counter({ name: `${PREFIX}admission_decisions_total`, help: 'Admissions answered, by outcome.', labelNames: ['outcome'], registers });
    this.resolutions = new Counter({
      name: `${PREFIX}digest_resolutions_total`,
      help: 'Image references resolved to digests for admission, by source: pinned (in the reference), cache, registry.',
      labelNames: ['source'],
      registers,
    });
    this.registryRequests = new Counter({ name: `${PREFIX}registry_requests_total`, help: 'Tag lookups sent to registries for admission, by result (ok, error).', labelNames: ['result'], registers });
    for (const source of ['pinned', 'cache', 'registry']) this.resolutions.inc({ source }, 0);
    for (const result of ['ok', 'error']) this.registryRequests.inc({ result }, 0);
  }

  resolved(source: 'pinned' | 'cache' | 'registry'): void {
    this.resolutions.inc({ source });
  }

  registryRequest(result: 'ok' | 'error'): void {
    this.registryRequests.inc({ result });
  }

  failed(reason: FailureReason | 'malformed', namespace: string | undefined): void {
    this.failures.inc({ reason, namespace: namespace ?? '' });
  }

  decided(outcome: Outcome): void {
    this.outcomes.inc({ outcome });
  }

  observe(webhook: 'validate' | 'mutate', seconds: number): void {
    this.latency.observe({ webhook }, seconds);
  }
}
