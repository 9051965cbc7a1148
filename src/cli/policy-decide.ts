// A decision from a policy file, as `provenant policy test` and `provenant gate --policy` make it: the policies
// of the file, the image's facts (from the log, or from its attachments verified with the policies' keys), advisory
// data and reputation; and the decision printed, with deny ending the command with POLICY_DENIED.
import { ProvenantError } from '../core/errors.js';
import type { Decision, RequestContext } from '../policy/decision.js';
import { evaluate } from '../policy/evaluate/index.js';
import type { PolicySet } from '../policy/policy.js';
import { utcInstant } from '../vuln/scan-filters.js';
import { withLog, type LogOptions } from './log-session.js';
import { loadVerifierFiles, type AccessOptions } from './options.js';
import { osvSourceOf } from './osv-source.js';
import { advisoryData, imageUnderTest, readPolicySet, reputationData } from './policy-inputs.js';
import { formatDecision } from './policy-output.js';
import { printJson, type Io } from './run.js';

export const NO_MATCH = ['allow', 'warn', 'deny'] as const;
export const FACT_SOURCES = ['log', 'attachments'] as const;

export interface PolicyFileOptions extends LogOptions, AccessOptions {
  policy: string;
  as?: string;
  db?: string;
  facts: string;
  namespace?: string;
  label?: string[];
  kind?: string;
  at?: string;
  unmatched: string;
  reputationKey?: string[];
  quiet?: boolean;
}

/** Errors: USAGE, POLICY_INVALID, and those of the image, the log and the advisory data. */
export async function decideWithPolicyFile(image: string, opts: PolicyFileOptions, io: Io): Promise<Decision> {
  if (!(NO_MATCH as readonly string[]).includes(opts.unmatched)) throw new ProvenantError('USAGE', `--unmatched must be one of ${NO_MATCH.join(', ')}`);
  if (!(FACT_SOURCES as readonly string[]).includes(opts.facts)) throw new ProvenantError('USAGE', `--facts must be ${FACT_SOURCES.join(' or ')}`);
  const at = opts.at === undefined ? new Date().toISOString() : utcInstant(opts.at);
  if (at === undefined) throw new ProvenantError('USAGE', `--at must be an RFC 3339 time or YYYY-MM-DD, not ${JSON.stringify(opts.at)}`);
  const policies = await readPolicySet(opts.policy, opts.unmatched as PolicySet['noMatch']);
  const db = opts.db === undefined ? undefined : await osvSourceOf(opts.db, '--db');
  const advisories = await advisoryData(db, policies);
  const reporters = opts.reputationKey === undefined ? [] : (await loadVerifierFiles(opts.reputationKey)).map((v) => v.keyId);
  const context = requestContext(at, opts);
  const decide = async (log: Parameters<typeof reputationData>[0]) => {
    const target = await imageUnderTest(image, opts.as, policies, log, opts, io);
    const reputation = await reputationData(log, reporters, policies, target.facts, at);
    return evaluate({ facts: target.facts, policies, context, data: { ...advisories, ...reputation, revocationAuthorities: reporters } });
  };
  return opts.facts === 'log' ? withLog(opts, io, { mode: 'read' }, ({ log }) => decide(log)) : decide(undefined);
}

/** Prints the decision (text or JSON); a deny then ends the command with POLICY_DENIED (exit 1). */
export function reportDecision(decision: Decision, json: boolean, io: Io): void {
  if (json) printJson(io, decision);
  else io.stdout.write(formatDecision(decision));
  if (decision.outcome === 'deny') {
    throw new ProvenantError('POLICY_DENIED', `${decision.image.reference} is denied: ${decision.reasons[0] ?? 'no policy allows it'}`, {
      details: { digest: decision.image.digest, reasons: [...decision.reasons] },
    });
  }
}

export function requestContext(at: string, opts: { namespace?: string; label?: string[]; kind?: string }): RequestContext {
  return {
    at,
    ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
    ...(opts.label === undefined ? {} : { namespaceLabels: labels(opts.label) }),
    ...(opts.kind === undefined ? {} : { kind: opts.kind }),
  };
}

function labels(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ProvenantError('USAGE', `--label takes key=value, not ${JSON.stringify(pair)}`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
