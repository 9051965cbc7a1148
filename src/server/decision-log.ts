// The structured log line written for every decision the service makes (admission, gate, API).
import type { Decision } from '../policy/decision.js';

/** One structured log line per decision: what was decided about which digest, under which versions, and why. */
export function decisionLine(decision: Decision, request: { source: string; namespace?: string; kind?: string; dryRun?: boolean }, cached: boolean): Record<string, unknown> {
  return {
    source: request.source,
    outcome: decision.outcome,
    reference: decision.image.reference,
    digest: decision.image.digest,
    namespace: request.namespace ?? null,
    kind: request.kind ?? null,
    dryRun: request.dryRun === true,
    cached,
    policyVersion: decision.policyVersion,
    dataVersion: decision.dataVersion,
    reasons: decision.reasons.slice(0, 5),
  };
}
