// `provenant policy test|apply|list|history|delete`: evaluate a policy file against an image offline, and manage the
// policy versions kept in the log (each version a signed entry, docs/policy-runtime.md).
import type { Command } from 'commander';
import { addLogOptions } from '../log-session.js';
import { addAccessOptions, collect } from '../options.js';
import { decideWithPolicyFile, FACT_SOURCES, NO_MATCH, reportDecision, type PolicyFileOptions } from '../policy-decide.js';
import type { Io } from '../run.js';
import { installPolicyStore } from './policy-store.js';

interface TestOptions extends PolicyFileOptions {
  json?: boolean;
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
    reportDecision(await decideWithPolicyFile(image, opts, io), opts.json === true, io);
  });
  installPolicyStore(policy, io);
}
