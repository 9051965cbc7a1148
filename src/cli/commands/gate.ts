// `provenant gate`: the deploy gate for CI and serverless releases (before `kubectl apply`, `aws lambda
// update-function-code`, ...). With --policy it decides locally, as `policy test` does; otherwise it resolves the
// image to its digest here and asks the service (`POST /api/v1/decisions`, recorded with source "gate"). Exit 0
// admits the release (allow; warn unless --fail-on warn; sandbox, whose changes a gate cannot apply, so they are
// printed), GATE_DENIED refuses it, and any failure to decide is another non-zero status: the gate never opens
// by error (docs/gate.md).
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import type { Decision, Outcome } from '../../policy/decision.js';
import { openGateDecider, type GateDeciderOptions } from '../gate-decide.js';
import { addLogOptions } from '../log-session.js';
import { addAccessOptions, collect } from '../options.js';
import { FACT_SOURCES } from '../policy-decide.js';
import { formatDecision } from '../policy-output.js';
import { printJson, type Io } from '../run.js';

const FAIL_ON = ['deny', 'warn'] as const;

interface GateOptions extends GateDeciderOptions {
  json?: boolean;
  failOn: string;
}

export function installGate(program: Command, io: Io): void {
  addAccessOptions(
    addLogOptions(
      program
        .command('gate')
        .description('decide whether a release may deploy IMAGE: exit 0 to go ahead, GATE_DENIED to stop it, any other status when no decision was made')
        .argument('<image>', 'registry reference, oci:DIR[:TAG] or docker-archive:FILE[:REF]')
        .option('-p, --policy <file>', 'decide here with these policies (otherwise ask the service given with --server)')
        .option('--as <reference>', 'the registry reference the image runs as (required for oci: and docker-archive: images)')
        .option('--facts <source>', `with --policy: where the provenance is read, ${FACT_SOURCES.join(' or ')}`, 'attachments')
        .option('--db <path>', 'with --policy: OSV advisories (directory, .ndjson or all.zip)')
        .option('--namespace <ns>', 'the namespace the release deploys to')
        .option('--label <key=value>', 'a label of that namespace (repeatable)', collect)
        .option('--kind <kind>', 'the workload kind (Deployment, Function, ...)')
        .option('--at <time>', 'with --policy: decide as of this instant (RFC 3339 or YYYY-MM-DD; default now)')
        .option('--unmatched <outcome>', 'with --policy: the outcome when no policy matches (allow, warn, deny)', 'deny')
        .option('--reputation-key <pem>', 'with --policy: a trusted reporter of reputation events (repeatable)', collect)
        .option('--fail-on <outcome>', `the least severe outcome that stops the release: ${FAIL_ON.join(' or ')}`, 'deny')
        .option('--json', 'print the decision as JSON')
        .option('-q, --quiet', 'no progress display'),
    ),
  ).action(async (image: string, opts: GateOptions) => {
    if (!(FAIL_ON as readonly string[]).includes(opts.failOn)) throw new ProvenantError('USAGE', `--fail-on must be ${FAIL_ON.join(' or ')}`);
    const decider = await openGateDecider(opts, io);
    let decision: Decision;
    try {
      decision = await decider.decide(image, opts.as);
    } finally {
      decider.close();
    }
    if (opts.json === true) printJson(io, decision);
    else io.stdout.write(formatDecision(decision));
    if (decision.outcome === 'sandbox') io.stderr.write('note: sandbox decision: a gate cannot apply its changes (the admission webhook does); the release goes ahead\n');
    if (stops(decision.outcome, opts.failOn as (typeof FAIL_ON)[number])) {
      throw new ProvenantError('GATE_DENIED', `${decision.image.reference} may not deploy: ${decision.reasons[0] ?? decision.warnings[0] ?? decision.outcome}`, {
        details: { outcome: decision.outcome, digest: decision.image.digest, reasons: [...decision.reasons], warnings: [...decision.warnings] },
      });
    }
  });
}

function stops(outcome: Outcome, failOn: (typeof FAIL_ON)[number]): boolean {
  switch (outcome) {
    case 'deny':
      return true;
    case 'warn':
      return failOn === 'warn';
    case 'allow':
    case 'sandbox':
      return false;
  }
}
