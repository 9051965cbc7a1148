// The policy engine inside `provenant serve`: one PolicyRuntime over the served log and the store beside it, its
// routes (policies, advisories, decisions, re-evaluations, reputation, the Kubernetes admission webhooks with their
// digest cache in front of the registries), its metrics on the service's registry, a
// structured log line for every re-evaluation that finds images now denied, and the watch loop that notices
// changes made by other writers of the same store. Closing the service stops the loop before the log closes.
import type { FastifyInstance } from 'fastify';
import type { Signer, Verifier } from '../crypto/index.js';
import type { LogService } from '../log/service.js';
import type { PolicySet } from '../policy/policy.js';
import { PolicyRuntime, type ReevaluationReport } from '../policy/runtime/index.js';
import type { AdvisoryStore, DecisionStore } from '../store/policy-ports.js';
import { DigestResolver, registryDigestLookup, type DigestLookup } from '../intercept/digest-resolver.js';
import { ImageAdmission, type FailurePolicy } from '../intercept/image-admission.js';
import { NamespaceLabels, type NamespaceLabelsFetch } from '../intercept/k8s/namespace-labels.js';
import { dockerConfigCredentials, HttpTransport } from '../oci/registry/index.js';
import { AdmissionMetrics } from './admission-metrics.js';
import { decisionLine } from './decision-log.js';
import { PolicyMetrics } from './policy-metrics.js';
import { admissionApiRoutes } from './routes/admission-api.js';
import { decisionApiRoutes } from './routes/decision-api.js';
import { policyApiRoutes } from './routes/policy-api.js';
import { reputationApiRoutes } from './routes/reputation-api.js';

export interface PolicyEngineOptions {
  readonly log: LogService;
  readonly store: DecisionStore & AdvisoryStore;
  /** The service key: signs the policy versions applied through the API. */
  readonly signer: Signer;
  /** Keys whose policy versions count besides the service key's. */
  readonly policyKeys: readonly Verifier[];
  /** Trusted reporters of reputation events, and authorities whose revocations count. */
  readonly reputationKeys: readonly Verifier[];
  readonly noMatch: PolicySet['noMatch'];
  /** How often to look for changes made outside this service (0: never; changes made through it act at once). */
  readonly reevaluateIntervalMs: number;
  /** The admission webhooks' settings; defaults: 8 s budget, fail closed, no digest pinning, the images' registries. */
  readonly admission?: {
    readonly budgetMs?: number;
    readonly failurePolicy?: FailurePolicy;
    readonly pinDigests?: boolean;
    readonly digestLookup?: DigestLookup;
    /** Reads a namespace's labels (from the cluster API); cached here. Absent: admissions carry no labels. */
    readonly namespaceLabels?: NamespaceLabelsFetch;
  };
}

/** A route plugin for buildServer's `extraRoutes`. */
export function policyEngine(options: PolicyEngineOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const metrics = new PolicyMetrics(app.metricsRegistry);
    const trustedKeys = [...new Set([...options.policyKeys, ...options.reputationKeys].map((k) => k.keyId))];
    const runtime = new PolicyRuntime({
      log: options.log,
      decisions: options.store,
      advisories: options.store,
      signer: options.signer,
      trustedKeys,
      noMatch: options.noMatch,
      onReport: (report) => {
        metrics.reported(report);
        if (report.nowFailing.length > 0) app.log.warn({ reevaluation: reportLine(report) }, 'admitted images are now denied');
      },
      onError: (e) => app.log.error({ err: e }, 're-evaluation failed'),
      onDecisionsCommitted: (n) => metrics.committed(n),
    });
    const watch = options.reevaluateIntervalMs > 0 ? runtime.watch(options.reevaluateIntervalMs) : undefined;
    app.addHook('onClose', async () => {
      await watch?.stop();
      await runtime.close();
    });
    const trustedSigners = [...new Set([options.signer.keyId, ...trustedKeys])];
    await app.register(policyApiRoutes({ runtime, log: options.log, trustedSigners }));
    await app.register(decisionApiRoutes({ runtime, decisions: options.store, metrics }));
    await app.register(reputationApiRoutes({ log: options.log, trustedKeys: options.reputationKeys }));
    const admissionMetrics = new AdmissionMetrics(app.metricsRegistry);
    const transport = new HttpTransport({ responseTimeoutMs: 5_000, connectTimeoutMs: 3_000, retry: { maxAttempts: 1 } });
    app.addHook('onClose', async () => transport.close());
    const resolver = new DigestResolver({
      lookup: options.admission?.digestLookup ?? registryDigestLookup({ transport, credentials: dockerConfigCredentials() }),
      onResolved: (source) => admissionMetrics.resolved(source),
      onRegistryRequest: (result) => admissionMetrics.registryRequest(result),
    });
    const fetchLabels = options.admission?.namespaceLabels;
    const namespaces = fetchLabels === undefined ? undefined : new NamespaceLabels({ fetch: fetchLabels });
    const admission = new ImageAdmission({
      resolver,
      decide: async (request) => {
        const result = await runtime.decide(request);
        metrics.decided(result.decision.outcome, request.source, result.cached);
        app.log.info({ decision: decisionLine(result.decision, request, result.cached) }, 'decision');
        return result;
      },
      ...(options.admission?.budgetMs === undefined ? {} : { budgetMs: options.admission.budgetMs }),
      ...(options.admission?.failurePolicy === undefined ? {} : { failurePolicy: options.admission.failurePolicy }),
      onFailure: (reason, namespace) => admissionMetrics.failed(reason, namespace),
      ...(namespaces === undefined ? {} : { namespaceLabels: (namespace: string) => namespaces.labels(namespace) }),
    });
    await app.register(admissionApiRoutes({ admission, metrics: admissionMetrics, pinDigests: options.admission?.pinDigests === true }));
  };
}

function reportLine(report: ReevaluationReport): Record<string, unknown> {
  return {
    id: report.id,
    trigger: report.trigger,
    policyVersion: report.policyVersion,
    dataVersions: report.dataVersions,
    evaluated: report.evaluated,
    changed: report.changed.length,
    nowFailing: report.nowFailing.map((i) => ({ digest: i.imageDigest, reference: i.reference, namespace: i.namespace, reasons: i.reasons.slice(0, 5) })),
  };
}

