// audit: for each named auditor, its latest unrevoked audit (of the rule's type, when given) is its verdict; the
// rule passes when one auditor's latest verdict is `pass` and, with maxAge, no older than that. A newer failing
// audit supersedes an older pass of the same auditor.
import type { UsedFact } from '../../decision.js';
import type { AuditFact, Evidence } from '../../facts.js';
import { listSome, type EvaluationScope, type RuleOf, type RuleVerdict } from '../evaluation-scope.js';
import { ageSeconds, flipAfter, instantMs } from '../instant.js';
import { sortNewest } from '../newest.js';
import { describeRevocation, ignoredRevocationFacts, splitRevocations } from '../revocations.js';

export function auditRule(rule: RuleOf<'audit'>, scope: EvaluationScope): RuleVerdict {
  const facts: UsedFact[] = [];
  const evidence: Evidence[] = [];
  const verdicts: string[] = [];
  const passes: string[] = [];
  let flipsAt: number | undefined;
  const kind = rule.type === undefined ? 'audit' : `${rule.type} audit`;
  const auditors = [...new Set(rule.auditors)].sort();
  for (const auditor of auditors) {
    const audits = sortNewest(
      scope.facts.audits.filter((a) => a.auditor === auditor && (rule.type === undefined || a.type === rule.type)),
      (a) => a.createdAt,
    );
    const notes: string[] = [];
    let latest: AuditFact | undefined;
    for (const audit of audits) {
      const split = splitRevocations(audit, scope.authorities);
      facts.push(...ignoredRevocationFacts(audit, split));
      const revocation = split.effective[0];
      if (revocation === undefined) {
        latest = audit;
        break;
      }
      notes.push(describeRevocation(audit, revocation));
      evidence.push(audit.evidence, ...split.effective.map((r) => r.evidence));
    }
    const revokedNote = notes.length === 0 ? '' : ` (${notes.join('; ')})`;
    if (latest === undefined) {
      verdicts.push(`${auditor}: no ${kind}${revokedNote}`);
      continue;
    }
    evidence.push(latest.evidence);
    facts.push({ name: `audit.${auditor}`, value: `${latest.result} ${latest.type} at ${latest.createdAt}` });
    const created = instantMs(latest.createdAt);
    const tooOld = rule.maxAge !== undefined && (created === undefined || scope.atMs - created > rule.maxAge * 1000);
    if (latest.result === 'pass' && !tooOld) {
      passes.push(`${auditor} (${latest.type}, ${latest.createdAt}, ${latest.evidence.digest})`);
      if (rule.maxAge !== undefined && created !== undefined) {
        // The rule holds while any passing auditor's verdict is young enough: until the youngest one ages out.
        const expiry = flipAfter(created + rule.maxAge * 1000);
        flipsAt = flipsAt === undefined ? expiry : Math.max(flipsAt, expiry);
      }
      continue;
    }
    const age = created === undefined ? 'an unreadable time' : `${ageSeconds(scope.atMs, created)} s ago`;
    verdicts.push(
      latest.result === 'pass'
        ? `${auditor}: latest ${latest.type} audit passed ${age}, older than ${rule.maxAge} s${revokedNote}`
        : `${auditor}: latest ${latest.type} audit (${latest.evidence.digest}, ${latest.createdAt}) failed${revokedNote}`,
    );
  }
  const passed = passes.length > 0;
  const age = rule.maxAge === undefined ? '' : ` within ${rule.maxAge} s`;
  const reason = passed
    ? `passing audit by ${passes.join(', ')}`
    : `requires a passing ${kind}${age} by one of ${auditors.join(', ')}; found ${listSome(verdicts)}`;
  return { passed, reason, facts, evidence, ...(passed && flipsAt !== undefined ? { flipsAt } : {}) };
}
