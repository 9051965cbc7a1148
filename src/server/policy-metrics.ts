// Prometheus metrics of the policy engine, on the service's registry: decisions by outcome and source, the
// decision cache, the decision log's writes and commits, re-evaluation runs and the images the last run found newly denied. Labels are bounded
// (outcomes, sources, triggers): no per-image label.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Outcome } from '../policy/decision.js';
import type { ReevaluationReport } from '../policy/runtime/index.js';
import type { DecisionSource } from '../store/policy-ports.js';

const PREFIX = 'provenant_';

export class PolicyMetrics {
  private readonly decisions: Counter<'outcome' | 'source'>;
  private readonly cache: Counter<'result'>;
  private readonly runs: Counter<'trigger'>;
  private readonly nowFailing: Gauge;
  private readonly changed: Gauge;
  private readonly recorded: Counter;
  private readonly commits: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.decisions = new Counter({ name: `${PREFIX}policy_decisions_total`, help: 'Policy decisions made, by outcome and by who asked.', labelNames: ['outcome', 'source'], registers });
    this.cache = new Counter({ name: `${PREFIX}policy_decision_cache_total`, help: 'Decisions served from the decision cache (hit) or evaluated (miss).', labelNames: ['result'], registers });
    this.runs = new Counter({ name: `${PREFIX}reevaluation_runs_total`, help: 'Re-evaluations of the admitted images, by what triggered them.', labelNames: ['trigger'], registers });
    this.nowFailing = new Gauge({ name: `${PREFIX}reevaluation_images_now_failing`, help: 'Admitted images the last re-evaluation found denied under the current policies and data.', registers });
    this.changed = new Gauge({ name: `${PREFIX}reevaluation_images_changed`, help: 'Admitted images whose outcome the last re-evaluation changed.', registers });
    this.recorded = new Counter({ name: `${PREFIX}decision_log_decisions_total`, help: 'Decisions written to the decision log.', registers });
    this.commits = new Counter({ name: `${PREFIX}decision_log_commits_total`, help: 'Transactions the decision log was written in (decisions arriving together share one).', registers });
    for (const outcome of ['allow', 'warn', 'deny', 'sandbox']) this.decisions.inc({ outcome, source: 'api' }, 0);
  }

  decided(outcome: Outcome, source: DecisionSource, cached: boolean): void {
    this.decisions.inc({ outcome, source });
    this.cache.inc({ result: cached ? 'hit' : 'miss' });
  }

  committed(decisions: number): void {
    this.recorded.inc(decisions);
    this.commits.inc();
  }

  reported(report: ReevaluationReport): void {
    for (const trigger of report.trigger) this.runs.inc({ trigger });
    this.nowFailing.set(report.nowFailing.length);
    this.changed.set(report.changed.length);
  }
}
