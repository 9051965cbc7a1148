// The service's answer to `POST /api/v1/decisions` as the gate trusts it: a decision whose every field the gate
// prints or acts on has its type, about the digest the gate resolved. Anything else is SERVICE_PROTOCOL, so a
// broken or foreign answer can never read as "allow" (the gate fails closed).
import { ProvenantError } from '../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import type { Decision, Outcome } from '../policy/decision.js';

const OUTCOMES: readonly Outcome[] = ['allow', 'warn', 'deny', 'sandbox'];

/** The decision of the answer. Errors: SERVICE_PROTOCOL (wrong shape, or about another digest than `digest`). */
export function decisionFromAnswer(answer: JsonObject, digest: string): Decision {
  const d = answer.decision;
  if (!isJsonObject(d)) return malformed('no decision object');
  if (typeof d.outcome !== 'string' || !(OUTCOMES as readonly string[]).includes(d.outcome)) return malformed('an unknown outcome');
  const image = d.image;
  if (!isJsonObject(image) || typeof image.reference !== 'string' || typeof image.digest !== 'string') return malformed('no image reference and digest');
  if (image.digest !== digest) {
    throw new ProvenantError('SERVICE_PROTOCOL', `the service decided about ${image.digest}, not ${digest}`, { details: { asked: digest, answered: image.digest } });
  }
  for (const field of ['policyVersion', 'dataVersion', 'decidedAt'] as const) if (typeof d[field] !== 'string') return malformed(`no ${field}`);
  if (d.validUntil !== undefined && typeof d.validUntil !== 'string') return malformed('a validUntil that is not a string');
  if (!strings(d.reasons) || !strings(d.warnings)) return malformed('reasons or warnings that are not strings');
  if (!everyObject(d.policies, policyShaped) || !everyObject(d.rules, ruleShaped)) return malformed('policy or rule results of the wrong shape');
  if (d.sandbox !== undefined && !isJsonObject(d.sandbox)) return malformed('sandbox changes that are not an object');
  return d as unknown as Decision;
}

function malformed(what: string): never {
  throw new ProvenantError('SERVICE_PROTOCOL', `the service answered the decision request with ${what}`);
}

function strings(v: JsonValue | undefined): boolean {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function everyObject(v: JsonValue | undefined, shaped: (o: JsonObject) => boolean): boolean {
  return Array.isArray(v) && v.every((o) => isJsonObject(o) && shaped(o));
}

function policyShaped(p: JsonObject): boolean {
  return typeof p.policy === 'string' && typeof p.mode === 'string' && typeof p.matched === 'boolean' && typeof p.matchReason === 'string' && typeof p.outcome === 'string';
}

function ruleShaped(r: JsonObject): boolean {
  const evidence = r.evidence;
  return (
    typeof r.policy === 'string' &&
    typeof r.rule === 'string' &&
    typeof r.passed === 'boolean' &&
    typeof r.reason === 'string' &&
    (r.effect === undefined || typeof r.effect === 'string') &&
    Array.isArray(evidence) &&
    evidence.every((e) => isJsonObject(e) && typeof e.kind === 'string' && typeof e.digest === 'string' && (e.logIndex === undefined || typeof e.logIndex === 'string'))
  );
}
