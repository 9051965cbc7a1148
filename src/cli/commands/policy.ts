// `provenant policy test|apply|list|history|delete`: evaluate a policy file against an image offline, and manage the
// policy versions kept in the log (each version a signed entry, docs/policy-runtime.md).
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import type { RequestContext } from '../../policy/decision.js';
import { evaluate } from '../../policy/evaluate/index.js';
import type { PolicySet } from '../../policy/policy.js';
import { utcInstant } from '../../vuln/scan-filters.js';
import { addLogOptions, withLog, type LogOptions } from '../log-session.js';
import { addAccessOptions, collect, loadVerifierFiles, type AccessOptions } from '../options.js';
import { advisoryData, imageUnderTest, readPolicySet, reputationData } from '../policy-inputs.js';
import { formatDecision } from '../policy-output.js';
import { osvSourceOf } from '../osv-source.js';
import { printJson, type Io } from '../run.js';
import { installPolicyStore } from './policy-store.js';

const NO_MATCH = ['allow', 'warn', 'deny'] as const;
const FACT_SOURCES = ['log', 'attachments'] as const;

interface TestOptions extends LogOptions, AccessOptions {
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
  json?: boolean;
  quiet?: boolean;
}

export function installPolicy(program: Command, io: Io): void {
  const policy = program.command('policy').description('test policies against images, and manage the policy versions kept in the log');
  addAccessOptions(
    addLogOptions(
      policy
        .command('test')
        .description('evaluate a policy file against an image and print the decision with the rule and evidence behind it')
        .argument('<image>', 'registry reference, oci:DIR[:TAG] or docker-archive:FILE[:REF]')
        .requiredOption('-p, --policy <file>', 'YAML: ProvenancePolicy and/or ClusterImagePolicy documents')
        .option('--as <reference>', 'the registry reference the image runs as (required for oci: and docker-archive: images)')
        .option('--facts <source>', `where the image's provenance is read: ${FACT_SOURCES.join(' or ')} (its attached signatures and attestations, verified with the policy's keys)`, 'log')
        .option('--db <path>', 'OSV advisories: a directory of JSON records, an .ndjson file or an osv.dev all.zip')
        .option('--namespace <ns>', 'the Kubernetes namespace of the request')
        .option('--label <key=value>', 'a label of that namespace (repeatable)', collect)
        .option('--kind <kind>', 'the workload kind (Pod, Deployment, CronJob, ...)')
        .option('--at <time>', 'decide as of this instant (RFC 3339 or YYYY-MM-DD; default now)')
        .option('--unmatched <outcome>', `the outcome when no policy matches: ${NO_MATCH.join(', ')}`, 'deny')
        .option('--reputation-key <pem>', 'a trusted reporter of reputation events (repeatable)', collect)
        .option('--json', 'print the decision as JSON')
        .option('-q, --quiet', 'no progress display'),
    ),
  ).action(async (image: string, opts: TestOptions) => {
    if (!(NO_MATCH as readonly string[]).includes(opts.unmatched)) throw new ProvenantError('USAGE', `--unmatched must be one of ${NO_MATCH.join(', ')}`);
    if (!(FACT_SOURCES as readonly string[]).includes(opts.facts)) throw new ProvenantError('USAGE', `--facts must be ${FACT_SOURCES.join(' or ')}`);
    const at = opts.at === undefined ? new Date().toISOString() : utcInstant(opts.at);
    if (at === undefined) throw new ProvenantError('USAGE', `--at must be an RFC 3339 time or YYYY-MM-DD, not ${JSON.stringify(opts.at)}`);
    const policies = await readPolicySet(opts.policy, opts.unmatched as PolicySet['noMatch']);
    const db = opts.db === undefined ? undefined : await osvSourceOf(opts.db, '--db');
    const advisories = await advisoryData(db, policies);
    const reporters = opts.reputationKey === undefined ? [] : (await loadVerifierFiles(opts.reputationKey)).map((v) => v.keyId);
    const context: RequestContext = {
      at,
      ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
      ...(opts.label === undefined ? {} : { namespaceLabels: labels(opts.label) }),
      ...(opts.kind === undefined ? {} : { kind: opts.kind }),
    };
    const decide = async (log: Parameters<typeof reputationData>[0]) => {
      const target = await imageUnderTest(image, opts.as, policies, log, opts, io);
      const reputation = await reputationData(log, reporters, policies, target.facts, at);
      return evaluate({ facts: target.facts, policies, context, data: { ...advisories, ...reputation, revocationAuthorities: reporters } });
    };
    const decision = opts.facts === 'log' ? await withLog(opts, io, { mode: 'read' }, ({ log }) => decide(log)) : await decide(undefined);
    if (opts.json === true) printJson(io, decision);
    else io.stdout.write(formatDecision(decision));
    if (decision.outcome === 'deny') {
      throw new ProvenantError('POLICY_DENIED', `${decision.image.reference} is denied: ${decision.reasons[0] ?? 'no policy allows it'}`, {
        details: { digest: decision.image.digest, reasons: [...decision.reasons] },
      });
    }
  });
  installPolicyStore(policy, io);
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
