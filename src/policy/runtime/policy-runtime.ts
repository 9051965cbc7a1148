// The policy engine as a service runs it: the policies in force read from the log, the advisory index from the
// store, reputation from the log, each refreshed when its version moves, so a policy applied through the API or
// an advisory added takes effect on the next decision without a restart. Every decision is recorded in the
// decision log, and every change of policies, advisories or revocations re-evaluates the admitted images.
import type { JsonValue } from '../../core/json.js';
import type { Signer } from '../../crypto/index.js';
import type { LogService } from '../../log/service.js';
import { ReputationBook } from '../../reputation/reputation-book.js';
import { REPUTATION_EVENT_PREDICATE_TYPE } from '../../reputation/events.js';
import type { AdmittedImage, AdvisoryPutResult, AdvisoryStore, DecisionSource, DecisionStore } from '../../store/policy-ports.js';
import type { Decision, EvaluationInput, RequestContext } from '../decision.js';
import { DecisionCache, decisionKeyOf, evaluate } from '../evaluate/index.js';
import { imageRefOf } from '../facts/image-ref.js';
import type { PolicySet } from '../policy.js';
import { AdvisoryState, type AdvisorySnapshot } from './advisory-state.js';
import { DecisionWriter } from './decision-writer.js';
import { FactsCache } from './facts-cache.js';
import { newestIndex } from './log-reads.js';
import { recordedBody, storedContext } from './recorded-decision.js';
import { applyPolicies, currentPolicies, deletePolicies, policySetOf, type ApplyResult, type CurrentPolicies } from './policy-entries.js';
import { POLICY_PREDICATE_TYPE } from './policy-statement.js';
import { Reevaluator, type ReevaluationReport, type ReevaluationTrigger, type RuntimeVersions } from './reevaluation.js';
import { ReputationState } from './reputation-state.js';

export interface PolicyRuntimeOptions {
  readonly log: LogService;
  readonly decisions: DecisionStore;
  readonly advisories: AdvisoryStore;
  /** The service key: signs policy versions applied through the API, and its versions count. */
  readonly signer: Signer;
  /** Key ids whose reputation events, revocations and policy versions count (besides the service key). */
  readonly trustedKeys: readonly string[];
  /** The outcome for an image no policy matches. Default deny. */
  readonly noMatch?: PolicySet['noMatch'];
  readonly clock?: () => Date;
  readonly onReport?: (report: ReevaluationReport) => void;
  /** A background re-evaluation or check that failed as a whole. */
  readonly onError?: (error: unknown) => void;
  /** Told after each decision-log transaction, with the number of decisions it wrote. */
  readonly onDecisionsCommitted?: (decisions: number) => void;
  readonly cacheEntries?: number;
}

export interface DecideRequest {
  readonly reference: string;
  readonly digest: string;
  readonly namespace?: string;
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly kind?: string;
  readonly source: DecisionSource;
  /** Decide without recording. */
  readonly dryRun?: boolean;
}

export interface DecideResult {
  readonly decision: Decision;
  readonly cached: boolean;
  /** The decision log id, unless dryRun. */
  readonly recordId?: bigint;
}

export type { RecordedDecision } from './recorded-decision.js';

/** One consistent state decisions are made under. */
export interface RuntimeSnapshot {
  readonly versions: RuntimeVersions;
  readonly policies: PolicySet;
  readonly current: CurrentPolicies;
  readonly advisories: AdvisorySnapshot;
  /** The log's size when the snapshot was read, and the newest audit entry then (facts depend on audits too). */
  readonly log: { readonly size: bigint; readonly audits: string };
}

export class PolicyRuntime {
  readonly reevaluation: Reevaluator<RuntimeSnapshot>;
  private readonly cache: DecisionCache;
  private readonly advisoryState: AdvisoryState;
  private readonly reputation: ReputationState;
  private readonly clock: () => Date;
  private readonly noMatch: PolicySet['noMatch'];
  private readonly trust: { readonly trustedSigners: readonly string[] };
  private current: CurrentPolicies | undefined;
  private policyLoads: Promise<unknown> = Promise.resolve();
  private applying: Promise<unknown> = Promise.resolve();
  /** The newest log index seen of each kind of entry the state depends on. */
  private readonly seen = new Map<'revocations' | 'reputation' | 'audits', bigint>();
  /** The last snapshot read: still the state while the log's size and the advisory revision have not moved. */
  private fresh: RuntimeSnapshot | undefined;
  private readonly writer: DecisionWriter;
  private readonly facts: FactsCache;

  constructor(private readonly options: PolicyRuntimeOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.noMatch = options.noMatch ?? 'deny';
    this.trust = { trustedSigners: [...new Set([options.signer.keyId, ...options.trustedKeys])] };
    this.cache = new DecisionCache(options.cacheEntries);
    this.facts = new FactsCache(options.log);
    this.writer = new DecisionWriter(options.decisions, {}, options.onDecisionsCommitted);
    this.advisoryState = new AdvisoryState(options.advisories);
    this.reputation = new ReputationState(new ReputationBook(options.log, { trustedSigners: options.trustedKeys }));
    this.reevaluation = new Reevaluator<RuntimeSnapshot>(
      { snapshot: () => this.snapshot(), decideAgain: (state, image) => this.decideAgain(state, image) },
      {
        decisions: options.decisions,
        clock: this.clock,
        ...(options.onReport === undefined ? {} : { onReport: options.onReport }),
        ...(options.onError === undefined ? {} : { onError: options.onError }),
      },
    );
  }

  /** Gathers the image's facts from the log, decides (through the cache) and records the decision unless dryRun. */
  async decide(request: DecideRequest): Promise<DecideResult> {
    return this.decideWith(await this.snapshot(), request);
  }

  /**
   * The policies in force and the versions of everything decisions depend on, refreshed. Everything but the
   * advisories is in the append-only log, so while its size and the advisory revision are unchanged the previous
   * snapshot is still exact: the common case costs two reads instead of a search per kind of entry.
   */
  async snapshot(): Promise<RuntimeSnapshot> {
    const [info, advisories] = await Promise.all([this.options.log.info(), this.advisoryState.snapshot()]);
    const known = this.fresh;
    if (known !== undefined && known.log.size === info.size && known.advisories === advisories) return known;
    const [current, revocations, reputation, audits] = await Promise.all([
      this.policies(),
      this.watermark('revocations', { kind: 'revocation' }),
      this.watermark('reputation', { predicateType: REPUTATION_EVENT_PREDICATE_TYPE }),
      this.watermark('audits', { kind: 'audit' }),
    ]);
    const snapshot: RuntimeSnapshot = {
      versions: { policies: current.version, advisories: advisories.version, revocations, reputation },
      policies: policySetOf(current, this.noMatch),
      current,
      advisories,
      // The searches ran after the size was read, so they saw at least that much of the log.
      log: { size: info.size, audits },
    };
    if (this.fresh === undefined || info.size >= this.fresh.log.size) this.fresh = snapshot;
    return snapshot;
  }

  /** The policies in force, re-read when a newer policy entry is in the log. */
  async policies(): Promise<CurrentPolicies> {
    const known = this.current;
    if (known !== undefined && (await newestIndex(this.options.log, { predicateType: POLICY_PREDICATE_TYPE }, known.searchedTo)) === known.searchedTo) return known;
    return this.reloadPolicies();
  }

  /** Validates and appends the policies of `yamlText` that changed, then re-evaluates. Errors: POLICY_INVALID, the log's. */
  async applyPolicies(yamlText: string, origin?: string): Promise<ApplyResult> {
    return this.changePolicies(() => applyPolicies(this.options.log, this.options.signer, yamlText, this.trust, origin));
  }

  /** Appends a deletion of each named policy, then re-evaluates. Errors: POLICY_NOT_FOUND, the log's. */
  async deletePolicies(names: readonly string[]): Promise<ApplyResult> {
    return this.changePolicies(() => deletePolicies(this.options.log, this.options.signer, names, this.trust));
  }

  /**
   * Validates every record as OSV (all or nothing: OSV_MALFORMED with `details.index`), stores them and, when
   * anything was inserted or replaced, re-evaluates.
   */
  async addAdvisories(records: readonly JsonValue[]): Promise<AdvisoryPutResult> {
    const result = await this.advisoryState.add(records);
    if (result.inserted + result.replaced > 0) this.reevaluation.trigger('advisories');
    return result;
  }

  /** The advisory data's count, revision and version, cheaply (the index is built when a decision needs it). */
  advisoryVersion(): ReturnType<AdvisoryState['version']> {
    return this.advisoryState.version();
  }

  reports(): readonly ReevaluationReport[] {
    return this.reevaluation.reports();
  }

  runNow(trigger: ReevaluationTrigger): Promise<ReevaluationReport> {
    return this.reevaluation.runNow(trigger);
  }

  watch(intervalMs: number): { stop(): Promise<void> } {
    return this.reevaluation.watch(intervalMs);
  }

  /** Stops the watches and waits for re-evaluations under way; the log and stores stay open (the caller's). */
  async close(): Promise<void> {
    await this.reevaluation.close();
    await this.writer.drain();
  }

  /** Decisions recorded and the transactions they took (group commit). */
  writerStats(): ReturnType<DecisionWriter['stats']> {
    return this.writer.stats();
  }

  cacheStats(): ReturnType<DecisionCache['stats']> {
    return this.cache.stats();
  }

  private async changePolicies(change: () => Promise<ApplyResult>): Promise<ApplyResult> {
    // One change at a time, so two applies never both append the next version of a name.
    const done = this.applying.then(change);
    this.applying = done.catch(() => undefined);
    const result = await done;
    if (result.applied.length > 0) {
      await this.reloadPolicies();
      this.reevaluation.trigger('policies');
    }
    return result;
  }

  private reloadPolicies(): Promise<CurrentPolicies> {
    // Reloads run one after another, so a slower, older read never replaces a newer one.
    const load = this.policyLoads.then(async () => {
      const fresh = await currentPolicies(this.options.log, this.trust);
      if (this.current === undefined || (fresh.searchedTo ?? -1n) >= (this.current.searchedTo ?? -1n)) this.current = fresh;
      return this.current;
    });
    this.policyLoads = load.catch(() => undefined);
    return load;
  }

  /** The newest log index of entries of a kind, as a version string ("none" before the first). */
  private async watermark(which: 'revocations' | 'reputation' | 'audits', query: { kind?: string; predicateType?: string }): Promise<string> {
    const seen = this.seen.get(which);
    const newest = await newestIndex(this.options.log, query, seen);
    const latest = seen === undefined || (newest !== undefined && newest > seen) ? newest : seen;
    if (latest === undefined) return 'none';
    this.seen.set(which, latest);
    return latest.toString();
  }

  private async decideWith(state: RuntimeSnapshot, request: DecideRequest): Promise<DecideResult> {
    const image = imageRefOf(request.reference, request.digest);
    const facts = await this.facts.of(image, { logSize: state.log.size, revocations: state.versions.revocations, audits: state.log.audits });
    const context: RequestContext = {
      ...(request.namespace === undefined ? {} : { namespace: request.namespace }),
      ...(request.namespaceLabels === undefined ? {} : { namespaceLabels: request.namespaceLabels }),
      ...(request.kind === undefined ? {} : { kind: request.kind }),
      at: this.clock().toISOString(),
    };
    const reputation = await this.reputation.scores(state.policies, facts, context.at, `${state.versions.reputation}/${state.versions.revocations}`);
    const input: EvaluationInput = {
      facts,
      policies: state.policies,
      data: {
        advisories: state.advisories.index,
        advisoriesVersion: state.advisories.version,
        reputation,
        reputationVersion: state.versions.reputation,
        revocationAuthorities: this.options.trustedKeys,
      },
      context,
    };
    const key = decisionKeyOf(input);
    const hit = this.cache.get(key, context.at);
    const decision = hit ?? evaluate(input);
    if (hit === undefined) this.cache.set(key, decision);
    if (request.dryRun === true) return { decision, cached: hit !== undefined };
    const body = recordedBody(decision, context);
    const recordId = await this.writer.record({
      imageDigest: image.digest,
      reference: request.reference,
      namespace: request.namespace ?? null,
      source: request.source,
      policyVersion: decision.policyVersion,
      dataVersion: decision.dataVersion,
      outcome: decision.outcome,
      decidedAt: Date.parse(context.at),
      decision: body,
    });
    return { decision, cached: hit !== undefined, recordId };
  }

  private async decideAgain(state: RuntimeSnapshot, image: AdmittedImage): Promise<Decision> {
    const { namespaceLabels, kind } = storedContext(image.lastDecision.decision);
    const { decision } = await this.decideWith(state, {
      reference: image.reference,
      digest: image.imageDigest,
      ...(image.namespace === null ? {} : { namespace: image.namespace }),
      ...(namespaceLabels === undefined ? {} : { namespaceLabels }),
      ...(kind === undefined ? {} : { kind }),
      source: 'reevaluation',
    });
    return decision;
  }
}
