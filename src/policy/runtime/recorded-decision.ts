// The body a decision is recorded with in the decision log: the decision and the request context it was made for,
// as canonical JSON; and reading that context back when an admitted image is decided again.
import { canonicalJsonWith, canonicalMembers, isJsonObject, parseJsonObject, type CanonicalMembers, type JsonValue } from '../../core/json.js';
import type { Decision, RequestContext } from '../decision.js';

/** The body recorded for a decision: the decision, and the request context it was made for. */
export type RecordedDecision = Decision & { readonly context: RequestContext };

/** Each decision's members serialised once: cached decisions are recorded again and again with new contexts. */
const members = new WeakMap<Decision, CanonicalMembers>();

/** The canonical JSON of `{ ...decision, context }`. */
export function recordedBody(decision: Decision, context: RequestContext): Buffer {
  let known = members.get(decision);
  if (known === undefined) members.set(decision, (known = canonicalMembers(decision as unknown as Record<string, unknown>)));
  return Buffer.from(canonicalJsonWith(known, { context } satisfies Pick<RecordedDecision, 'context'>), 'utf8');
}

/** The labels and workload kind a recorded decision was made for; absent parts are left out. */
export function storedContext(body: Buffer): { namespaceLabels?: Record<string, string>; kind?: string } {
  let context: JsonValue | undefined;
  try {
    context = parseJsonObject(body, 'recorded decision').context;
  } catch {
    // A body this runtime did not write carries no context: the image is decided again without one.
    return {};
  }
  if (!isJsonObject(context)) return {};
  const out: { namespaceLabels?: Record<string, string>; kind?: string } = {};
  const labels = context.namespaceLabels;
  if (isJsonObject(labels) && Object.values(labels).every((v) => typeof v === 'string')) out.namespaceLabels = labels as Record<string, string>;
  if (typeof context.kind === 'string') out.kind = context.kind;
  return out;
}
