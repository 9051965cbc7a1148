// A decision as `provenant policy test` prints it: the outcome, then every rule evaluated with its reason and the
// log entries or attestations behind it, so a reader can check each claim against the log.
import type { Decision, RuleResult } from '../policy/decision.js';
import type { Evidence } from '../policy/facts.js';

export function formatDecision(decision: Decision): string {
  const lines: string[] = [];
  lines.push(`${decision.outcome.toUpperCase()}  ${decision.image.reference} (${decision.image.digest})`);
  lines.push(`  policy set ${decision.policyVersion}; data ${decision.dataVersion}; decided for ${decision.decidedAt}`);
  if (decision.validUntil !== undefined) lines.push(`  valid until ${decision.validUntil}`);
  for (const p of decision.policies) {
    lines.push(`  policy ${p.policy} (${p.mode}): ${p.matched ? `matched, ${p.outcome}` : 'not matched'} — ${p.matchReason}`);
  }
  for (const r of decision.rules) lines.push(...ruleLines(r));
  if (decision.sandbox !== undefined) lines.push(`  sandbox changes: ${JSON.stringify(decision.sandbox)}`);
  for (const w of decision.warnings) lines.push(`  warning: ${w}`);
  if (decision.rules.length === 0) for (const reason of decision.reasons) lines.push(`  ${reason}`);
  return `${lines.map(clean).join('\n')}\n`;
}

function ruleLines(r: RuleResult): string[] {
  const verdict = r.passed ? 'PASS' : 'FAIL';
  const effect = r.effect === undefined ? '' : ` [${r.effect}]`;
  const out = [`  ${verdict} ${r.policy}/${r.rule}${effect}: ${r.reason}`];
  if (r.evidence.length > 0) out.push(`       evidence: ${r.evidence.map(evidenceText).join(', ')}`);
  return out;
}

function evidenceText(e: Evidence): string {
  return e.logIndex === undefined ? `${e.kind} ${e.digest}` : `${e.kind} at log index ${e.logIndex} (${e.digest})`;
}

/** Facts come from signed but foreign documents: no control characters reach the terminal. */
function clean(line: string): string {
  return line.replace(/\p{Cc}/gu, '?');
}
