// Re-evaluation: when the policies, the advisory data or the revocations in the log change, every image that was
// admitted is decided again under the new state, each new decision is recorded (source 'reevaluation'), and the
// images whose outcome moved are reported; those that now fail are what an operator must act on. One run at a
// time: triggers arriving during a run are merged into exactly one following run.
import { randomUUID } from 'node:crypto';
import { isProvenantError, ProvenantError } from '../../core/errors.js';
import type { AdmissionKey, AdmittedImage, DecisionStore } from '../../store/policy-ports.js';
import type { Decision, Outcome } from '../decision.js';
import { mapLimited } from '../facts/log-reads.js';
import { ascending } from '../../core/order.js';

export type ReevaluationTrigger = 'policies' | 'advisories' | 'revocations' | 'manual';

/** The state decisions depend on, each part named by a version that moves when it changes. */
export interface RuntimeVersions {
  readonly policies: string;
  readonly advisories: string;
  readonly revocations: string;
  readonly reputation: string;
}

export interface ChangedImage {
  readonly imageDigest: string;
  readonly reference: string;
  readonly namespace: string | null;
  readonly previousOutcome: Outcome;
  readonly outcome: Outcome;
  readonly reasons: readonly string[];
}

export interface FailedImage {
  readonly imageDigest: string;
  readonly reference: string;
  readonly namespace: string | null;
  readonly code: string;
  readonly message: string;
}

export interface ReevaluationReport {
  readonly id: string;
  readonly trigger: readonly ReevaluationTrigger[];
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly policyVersion: string;
  readonly dataVersions: { readonly advisories: string; readonly reputation: string; readonly revocations: string };
  /** Admitted images decided again. */
  readonly evaluated: number;
  /** Images whose outcome differs from their previous decision. */
  readonly changed: readonly ChangedImage[];
  /** The changed images now denied. */
  readonly nowFailing: readonly ChangedImage[];
  /** Images that could not be decided again (facts unreadable, log unavailable), with the error code. */
  readonly failed: readonly FailedImage[];
}

/** What a run needs of the runtime: one consistent state, and a decision under it. */
export interface ReevaluationHost<S extends { readonly versions: RuntimeVersions }> {
  /** The current state, refreshed from the log and the stores. */
  snapshot(): Promise<S>;
  /** Decides `image` again under `state` with the context of its last decision, and records the decision. */
  decideAgain(state: S, image: AdmittedImage): Promise<Decision>;
}

export interface ReevaluatorOptions {
  readonly decisions: DecisionStore;
  readonly clock: () => Date;
  readonly onReport?: (report: ReevaluationReport) => void;
  /** A run or a change check that failed as a whole (the next trigger tries again). */
  readonly onError?: (error: unknown) => void;
  /** Reports kept in memory. Default 20. */
  readonly keepReports?: number;
}

const PAGE = 500;
/** Recent decisions read to find an image's previous outcome under the same reference and namespace. */
const HISTORY = 100;

interface Pending {
  readonly triggers: Set<ReevaluationTrigger>;
  readonly waiters: { resolve: (r: ReevaluationReport) => void; reject: (e: unknown) => void }[];
}

export class Reevaluator<S extends { readonly versions: RuntimeVersions }> {
  private readonly recent: ReevaluationReport[] = [];
  private running: Promise<void> | undefined;
  private pending: Pending | undefined;
  /** The versions the last run (or the first check) saw; a check compares against them. */
  private baseline: RuntimeVersions | undefined;
  private closed = false;
  private readonly watches = new Set<{ stop(): Promise<void> }>();

  constructor(
    private readonly host: ReevaluationHost<S>,
    private readonly options: ReevaluatorOptions,
  ) {}

  /** The last reports, newest first. */
  reports(): readonly ReevaluationReport[] {
    return [...this.recent];
  }

  /** Runs a re-evaluation for `trigger`, after the current run if one is under way; resolves with its report. */
  runNow(trigger: ReevaluationTrigger): Promise<ReevaluationReport> {
    return this.schedule([trigger]);
  }

  /** As runNow, for callers that do not wait: a failure goes to onError. Ignored once closed. */
  trigger(trigger: ReevaluationTrigger): void {
    if (this.closed) return;
    this.schedule([trigger]).catch((e: unknown) => this.options.onError?.(e));
  }

  /** Stops every watch and waits for the runs under way and scheduled; later runs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.watches].map((w) => w.stop()));
    await this.idle();
  }

  /** Resolves when no run is under way or pending. */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /**
   * Compares the current versions with those of the last run and schedules a run for what changed. The first
   * check only takes note of the versions. Returns the triggers scheduled.
   */
  async check(): Promise<ReevaluationTrigger[]> {
    const { versions } = await this.host.snapshot();
    const before = this.baseline;
    if (before === undefined) {
      this.baseline = versions;
      return [];
    }
    const triggers: ReevaluationTrigger[] = [];
    if (versions.policies !== before.policies) triggers.push('policies');
    if (versions.advisories !== before.advisories) triggers.push('advisories');
    if (versions.revocations !== before.revocations) triggers.push('revocations');
    if (triggers.length > 0) {
      // Noted now, so a check made before the run starts does not schedule it twice.
      this.baseline = versions;
      this.schedule(triggers).catch((e: unknown) => this.options.onError?.(e));
    }
    return triggers;
  }

  /** Checks for changes every `intervalMs` until stopped. */
  watch(intervalMs: number): { stop(): Promise<void> } {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let tick: Promise<void> = Promise.resolve();
    const next = (): void => {
      if (stopped) return;
      timer = setTimeout(() => {
        tick = this.check().then(
          () => next(),
          (e: unknown) => {
            this.options.onError?.(e);
            next();
          },
        );
      }, intervalMs);
      timer.unref();
    };
    const handle = {
      stop: async (): Promise<void> => {
        stopped = true;
        clearTimeout(timer);
        this.watches.delete(handle);
        await tick;
      },
    };
    this.watches.add(handle);
    next();
    return handle;
  }

  private schedule(triggers: readonly ReevaluationTrigger[]): Promise<ReevaluationReport> {
    if (this.closed) return Promise.reject(new ProvenantError('SERVICE_UNAVAILABLE', 're-evaluation has been stopped'));
    const pending = (this.pending ??= { triggers: new Set(), waiters: [] });
    for (const t of triggers) pending.triggers.add(t);
    const report = new Promise<ReevaluationReport>((resolve, reject) => pending.waiters.push({ resolve, reject }));
    this.pump();
    return report;
  }

  private pump(): void {
    if (this.running !== undefined || this.pending === undefined) return;
    const batch = this.pending;
    this.pending = undefined;
    this.running = this.run([...batch.triggers])
      .then(
        (report) => batch.waiters.forEach((w) => w.resolve(report)),
        (e: unknown) => batch.waiters.forEach((w) => w.reject(e)),
      )
      .finally(() => {
        this.running = undefined;
        this.pump();
      });
  }

  private async run(triggers: readonly ReevaluationTrigger[]): Promise<ReevaluationReport> {
    const startedAt = this.options.clock().toISOString();
    const state = await this.host.snapshot();
    this.baseline = state.versions;
    let evaluated = 0;
    const changed: ChangedImage[] = [];
    const failed: FailedImage[] = [];
    let after: AdmissionKey | undefined;
    for (;;) {
      const page = await this.options.decisions.admittedImages(after === undefined ? { limit: PAGE } : { after, limit: PAGE });
      await mapLimited(page, async (image) => {
        const key = { imageDigest: image.imageDigest, reference: image.reference, namespace: image.namespace };
        try {
          const previousOutcome = await this.previousOutcome(image);
          const decision = await this.host.decideAgain(state, image);
          evaluated++;
          if (decision.outcome !== previousOutcome) changed.push({ ...key, previousOutcome, outcome: decision.outcome, reasons: decision.reasons });
        } catch (e) {
          if (!isProvenantError(e) || e.code === 'INTERNAL') throw e;
          failed.push({ ...key, code: e.code, message: e.message });
        }
      });
      const last = page[page.length - 1];
      if (last === undefined || page.length < PAGE) break;
      after = { imageDigest: last.imageDigest, reference: last.reference, namespace: last.namespace };
    }
    const order = (a: { imageDigest: string; reference: string; namespace: string | null }, b: typeof a): number =>
      ascending(a.imageDigest, b.imageDigest) || ascending(a.reference, b.reference) || ascending(a.namespace ?? '', b.namespace ?? '');
    changed.sort(order);
    failed.sort(order);
    const report: ReevaluationReport = {
      id: randomUUID(),
      trigger: [...triggers].sort(),
      startedAt,
      finishedAt: this.options.clock().toISOString(),
      policyVersion: state.versions.policies,
      dataVersions: { advisories: state.versions.advisories, reputation: state.versions.reputation, revocations: state.versions.revocations },
      evaluated,
      changed,
      nowFailing: changed.filter((c) => c.outcome === 'deny'),
      failed,
    };
    this.recent.unshift(report);
    this.recent.length = Math.min(this.recent.length, this.options.keepReports ?? 20);
    try {
      this.options.onReport?.(report);
    } catch (e) {
      this.options.onError?.(e);
    }
    return report;
  }

  /** The outcome of the newest decision about this (digest, reference, namespace), re-evaluations included. */
  private async previousOutcome(image: AdmittedImage): Promise<Outcome> {
    const recent = await this.options.decisions.decisionsFor(image.imageDigest, HISTORY);
    const same = recent.find((d) => d.reference === image.reference && d.namespace === image.namespace);
    return same === undefined || same.id < image.lastDecision.id ? image.lastDecision.outcome : same.outcome;
  }
}

