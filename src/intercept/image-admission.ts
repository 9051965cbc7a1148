// One admission's images decided together, within a time budget: each reference resolved to its digest (the
// digest cache in front of the registry), each digest decided by the policy runtime, identical concurrent
// decisions merged into one, and the worst outcome kept. When the budget runs out or a step fails, the failure
// policy decides: closed (deny, the default) or open (allow with a warning). Never throws for a decision failure.
import { isProvenantError } from '../core/errors.js';
import type { Decision, Outcome } from '../policy/decision.js';
import { mergeSandbox } from '../policy/evaluate/index.js';
import { worstOutcome } from '../policy/evaluate/outcome.js';
import type { SandboxChanges } from '../policy/policy.js';
import type { DecideRequest } from '../policy/runtime/index.js';
import type { DigestResolver } from './digest-resolver.js';
import { sortedEntries } from '../core/order.js';

export type FailurePolicy = 'fail' | 'ignore';

/** What a decision is asked with: the policy runtime's own request. */
export type AdmissionDecideRequest = DecideRequest;

export interface ImageAdmissionOptions {
  readonly resolver: DigestResolver;
  readonly decide: (request: AdmissionDecideRequest) => Promise<{ decision: Decision; cached: boolean }>;
  /** The whole admission's budget. Default 8 s, below the apiserver's 10 s default timeout. */
  readonly budgetMs?: number;
  readonly failurePolicy?: FailurePolicy;
  /**
   * The labels of a namespace (from the cluster API, cached), asked once per admission that names a namespace
   * and carries no labels of its own. A failure to read them fails the admission's images (failure policy).
   */
  readonly namespaceLabels?: (namespace: string) => Promise<Readonly<Record<string, string>>>;
  /** Told about every image that failed or was denied, with a bounded reason (for metrics). */
  readonly onFailure?: (reason: FailureReason, namespace: string | undefined) => void;
}

/** Bounded reasons, as metrics labels. */
export type FailureReason = 'denied' | 'timeout' | 'registry' | 'not_found' | 'error';

export interface ImageVerdict {
  readonly reference: string;
  readonly digest?: string;
  readonly outcome: Outcome;
  readonly decision?: Decision;
  /** Set when no decision could be made. */
  readonly failure?: { readonly reason: FailureReason; readonly code: string; readonly message: string };
}

export interface AdmissionVerdict {
  readonly outcome: Outcome;
  readonly images: readonly ImageVerdict[];
  readonly reasons: readonly string[];
  readonly warnings: readonly string[];
  readonly sandbox?: SandboxChanges;
}

export interface AdmissionContext {
  readonly namespace?: string;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly kind?: string;
  readonly dryRun: boolean;
  readonly source: DecideRequest['source'];
}

export class ImageAdmission {
  private readonly inFlight = new Map<string, Promise<{ decision: Decision; cached: boolean }>>();
  private readonly budgetMs: number;
  private readonly failurePolicy: FailurePolicy;

  constructor(private readonly options: ImageAdmissionOptions) {
    this.budgetMs = options.budgetMs ?? 8_000;
    this.failurePolicy = options.failurePolicy ?? 'fail';
  }

  async admit(references: readonly string[], context: AdmissionContext): Promise<AdmissionVerdict> {
    const unique = [...new Set(references)];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.budgetMs);
    });
    try {
      const labelled = await this.withNamespaceLabels(context, deadline);
      if ('failure' in labelled) {
        const { reason, code, message } = labelled.failure;
        return this.combine(unique.map((reference) => this.reported(this.failed(reference, reason, code, message), context)));
      }
      const images = await Promise.all(unique.map((reference) => this.one(reference, labelled.context, deadline)));
      return this.combine(images);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The context with the namespace's labels when they are to be read, or why they could not be. */
  private async withNamespaceLabels(
    context: AdmissionContext,
    deadline: Promise<'timeout'>,
  ): Promise<{ context: AdmissionContext } | { failure: NonNullable<ImageVerdict['failure']> }> {
    const read = this.options.namespaceLabels;
    if (read === undefined || context.namespace === undefined || context.namespaceLabels !== undefined) return { context };
    const namespace = context.namespace;
    const pending = read(namespace);
    pending.catch(() => undefined);
    try {
      const labels = await Promise.race([pending, deadline]);
      if (labels === 'timeout') return { failure: { reason: 'timeout', code: 'ADMISSION_TIMEOUT', message: `the labels of namespace ${namespace} were not read within the ${this.budgetMs} ms budget` } };
      return { context: { ...context, namespaceLabels: labels } };
    } catch (e) {
      const code = isProvenantError(e) ? e.code : 'INTERNAL';
      return { failure: { reason: 'error', code, message: e instanceof Error ? e.message : String(e) } };
    }
  }

  private async one(reference: string, context: AdmissionContext, deadline: Promise<'timeout'>): Promise<ImageVerdict> {
    const work = (async (): Promise<ImageVerdict> => {
      const { digest } = await this.options.resolver.resolve(reference);
      const { decision } = await this.shared({
        reference,
        digest,
        source: context.source,
        ...(context.namespace === undefined ? {} : { namespace: context.namespace }),
        ...(context.namespaceLabels === undefined ? {} : { namespaceLabels: context.namespaceLabels }),
        ...(context.kind === undefined ? {} : { kind: context.kind }),
        ...(context.dryRun ? { dryRun: true } : {}),
      });
      return { reference, digest, outcome: decision.outcome, decision };
    })();
    let verdict: ImageVerdict;
    try {
      const raced = await Promise.race([work, deadline]);
      verdict = raced === 'timeout' ? this.failed(reference, 'timeout', 'ADMISSION_TIMEOUT', `no decision within the ${this.budgetMs} ms budget`) : raced;
    } catch (e) {
      const code = isProvenantError(e) ? e.code : 'INTERNAL';
      const reason: FailureReason = code === 'MANIFEST_NOT_FOUND' ? 'not_found' : code.startsWith('REGISTRY_') ? 'registry' : 'error';
      verdict = this.failed(reference, reason, code, e instanceof Error ? e.message : String(e));
    }
    // A late answer is still recorded by the runtime; only this admission has moved on.
    work.catch(() => undefined);
    return this.reported(verdict, context);
  }

  /** Tells onFailure about a denied or failed image. */
  private reported(verdict: ImageVerdict, context: AdmissionContext): ImageVerdict {
    if (verdict.outcome === 'deny') this.options.onFailure?.(verdict.failure?.reason ?? 'denied', context.namespace);
    return verdict;
  }

  /** Identical concurrent decisions (same digest, reference and request context) share one evaluation. */
  private shared(request: AdmissionDecideRequest): Promise<{ decision: Decision; cached: boolean }> {
    const key = mergeKey(request);
    let pending = this.inFlight.get(key);
    if (pending === undefined) {
      pending = this.options.decide(request).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private failed(reference: string, reason: FailureReason, code: string, message: string): ImageVerdict {
    return { reference, outcome: this.failurePolicy === 'fail' ? 'deny' : 'warn', failure: { reason, code, message } };
  }

  private combine(images: readonly ImageVerdict[]): AdmissionVerdict {
    const reasons: string[] = [];
    const warnings: string[] = [];
    const sandboxes: { source: string; changes: SandboxChanges }[] = [];
    for (const image of images) {
      if (image.failure !== undefined) {
        const text = `${image.reference}: ${image.failure.code}: ${image.failure.message}`;
        if (this.failurePolicy === 'fail') reasons.push(`${text} (failure policy: fail closed)`);
        else warnings.push(`${text} (failure policy: ignore)`);
        continue;
      }
      const decision = image.decision!;
      for (const r of decision.reasons) reasons.push(`${image.reference}: ${r}`);
      for (const w of decision.warnings) warnings.push(`${image.reference}: ${w}`);
      if (decision.outcome === 'sandbox' && decision.sandbox !== undefined) sandboxes.push({ source: image.reference, changes: decision.sandbox });
    }
    let outcome = worstOutcome(images.map((i) => i.outcome));
    let sandbox: SandboxChanges | undefined;
    if (sandboxes.length > 0) {
      const merged = mergeSandbox(sandboxes);
      if (merged.ok) sandbox = merged.changes;
      else if (outcome !== 'deny') {
        outcome = 'deny';
        reasons.unshift(`${merged.source}: the images' sandbox changes cannot be merged: ${merged.conflict}`);
      }
    }
    return { outcome, images, reasons, warnings, ...(outcome === 'sandbox' && sandbox !== undefined ? { sandbox } : {}) };
  }
}

/**
 * The key identical requests share: every field of the request (the mapped type makes leaving one out a compile
 * error), labels in sorted order. Only ever compared in memory, so plain JSON of fixed-order parts suffices.
 */
function mergeKey(r: AdmissionDecideRequest): string {
  const parts: { readonly [K in keyof Required<AdmissionDecideRequest>]: unknown } = {
    reference: r.reference,
    digest: r.digest,
    namespace: r.namespace ?? null,
    namespaceLabels: r.namespaceLabels === undefined ? null : sortedEntries(r.namespaceLabels),
    kind: r.kind ?? null,
    source: r.source,
    dryRun: r.dryRun === true,
  };
  return JSON.stringify([parts.reference, parts.digest, parts.namespace, parts.namespaceLabels, parts.kind, parts.source, parts.dryRun]);
}
