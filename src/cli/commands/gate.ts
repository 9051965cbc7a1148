// `provenant gate`: the deploy gate for CI and serverless releases (before `kubectl apply`, `aws lambda
// update-function-code`, ...). With --policy it decides locally, as `policy test` does; otherwise it resolves the
// image to its digest here and asks the service (`POST /api/v1/decisions`, recorded with source "gate"). Exit 0
// admits the release (allow, warn, and sandbox, whose changes a gate cannot apply: they are printed), exit 1
// (POLICY_DENIED) refuses it, and any failure to decide is another non-zero status: the gate never opens by error.
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import type { Decision } from '../../policy/decision.js';
import { openImage } from '../../oci/open-image.js';
import { resolveImage } from '../../oci/resolve.js';
import { addLogOptions } from '../log-session.js';
import { addAccessOptions, collect, platformOption, registryAccess } from '../options.js';
import { decideWithPolicyFile, FACT_SOURCES, reportDecision, type PolicyFileOptions } from '../policy-decide.js';
import { jsonBody, ServiceHttp } from '../remote/service-http.js';
import type { Io } from '../run.js';
import { serviceEndpoint } from '../store-access.js';
import { withSource } from './with-source.js';

interface GateOptions extends Omit<PolicyFileOptions, 'policy'> {
  policy?: string;
  json?: boolean;
  failOnWarn?: boolean;
}

export function installGate(program: Command, io: Io): void {
  addAccessOptions(
    addLogOptions(
      program
        .command('gate')
        .description('decide whether a release may deploy IMAGE: exit 0 to go ahead, 1 (POLICY_DENIED) to stop it')
        .argument('<image>', 'registry reference, oci:DIR[:TAG] or docker-archive:FILE[:REF]')
        .option('-p, --policy <file>', 'decide here with these policies (otherwise ask the service given with --server)')
        .option('--as <reference>', 'the registry reference the image runs as (required for oci: and docker-archive: images)')
        .option('--facts <source>', `with --policy: where the provenance is read, ${FACT_SOURCES.join(' or ')}`, 'attachments')
        .option('--db <path>', 'with --policy: OSV advisories (directory, .ndjson or all.zip)')
        .option('--namespace <ns>', 'the namespace the release deploys to')
        .option('--label <key=value>', 'a label of that namespace (repeatable)', collect)
        .option('--kind <kind>', 'the workload kind (Deployment, Function, ...)')
        .option('--unmatched <outcome>', 'with --policy: the outcome when no policy matches', 'deny')
        .option('--fail-on-warn', 'stop the release on a warn decision too')
        .option('--json', 'print the decision as JSON')
        .option('-q, --quiet', 'no progress display'),
    ),
  ).action(async (image: string, opts: GateOptions) => {
    let decision: Decision;
    if (opts.policy !== undefined) decision = await decideWithPolicyFile(image, { ...opts, policy: opts.policy }, io);
    else if (opts.server !== undefined) decision = await askService(image, opts, io);
    else throw new ProvenantError('USAGE', 'give --policy FILE to decide here, or --server URL to ask the service');
    if (decision.outcome === 'sandbox' && opts.json !== true) io.stderr.write('note: sandbox decision: a gate cannot apply its changes; the admission webhook does\n');
    reportDecision(decision, opts.json === true, io);
    if (decision.outcome === 'warn' && opts.failOnWarn === true) {
      throw new ProvenantError('POLICY_DENIED', `${decision.image.reference}: a warn decision and --fail-on-warn`, { details: { digest: decision.image.digest } });
    }
  });
}

export async function askService(image: string, opts: GateOptions & { server?: string }, io: Io): Promise<Decision> {
  const reference = opts.as ?? (/^(oci|docker-archive):/.test(image) ? undefined : image.replace(/^docker:\/\//, ''));
  if (reference === undefined) throw new ProvenantError('USAGE', 'give the reference the image runs as with --as REGISTRY/REPOSITORY[:TAG]');
  const digest = await withSource(openImage(image, await registryAccess(opts, io)), async (source) => (await resolveImage(source, platformOption(opts))).top.digest);
  const http = new ServiceHttp(await serviceEndpoint({ ...opts, server: opts.server! }, io));
  const body = {
    reference,
    digest,
    source: 'gate',
    ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
    ...(opts.kind === undefined ? {} : { kind: opts.kind }),
  };
  const answer = jsonBody(await http.send({ method: 'POST', path: 'api/v1/decisions', json: body, maxBytes: 16 * 1024 * 1024 }), 'decision');
  return answer.decision as unknown as Decision;
}
