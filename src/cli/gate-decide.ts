// How the deploy gate and the Docker authorization plugin reach a decision about an image: locally with a policy
// file (as `provenant policy test` does), or by resolving the image to its digest here and asking a running
// service (`POST /api/v1/decisions`, recorded with source "gate"). One decider serves many images, so the plugin
// keeps one connection pool to the service for its whole life.
import { ProvenantError } from '../core/errors.js';
import { openImage } from '../oci/open-image.js';
import { resolveImage } from '../oci/resolve.js';
import type { Decision } from '../policy/decision.js';
import { withSource } from './commands/with-source.js';
import { platformOption, registryAccess } from './options.js';
import { decideWithPolicyFile, requestContext, type PolicyFileOptions } from './policy-decide.js';
import { decisionFromAnswer } from './gate-answer.js';
import { registryReferenceOf } from './policy-inputs.js';
import { jsonBody, ServiceHttp } from './remote/service-http.js';
import type { Io } from './run.js';
import { serviceEndpoint } from './store-access.js';

export interface GateDeciderOptions extends Omit<PolicyFileOptions, 'policy'> {
  policy?: string;
}

export interface GateDecider {
  /** `image` as deployed; `as` the reference it runs as, for an oci: or docker-archive: image. */
  decide(image: string, as?: string): Promise<Decision>;
  close(): void;
}

const MAX_DECISION_ANSWER_BYTES = 16 * 1024 * 1024;

/** A decider for the options: --policy decides here, otherwise --server is asked. Errors: USAGE, the endpoint's. */
export async function openGateDecider(opts: GateDeciderOptions, io: Io, timeoutMs?: number): Promise<GateDecider> {
  const policy = opts.policy;
  if (policy !== undefined) {
    return { decide: (image, as) => decideWithPolicyFile(image, { ...opts, policy, ...(as === undefined ? {} : { as }) }, io), close: () => undefined };
  }
  if (opts.server === undefined) throw new ProvenantError('USAGE', 'give --policy FILE to decide here, or --server URL to ask the service');
  const endpoint = await serviceEndpoint({ ...opts, server: opts.server }, io);
  const http = new ServiceHttp(timeoutMs === undefined ? endpoint : { ...endpoint, timeoutMs });
  return {
    decide: async (image, as) => {
      const reference = as ?? registryReferenceOf(image);
      const digest = await withSource(openImage(image, await registryAccess(opts, io)), async (source) => (await resolveImage(source, platformOption(opts))).top.digest);
      // The service decides as of its own clock; only the request's namespace, labels and kind travel.
      const context = requestContext('', opts);
      const body = {
        reference,
        digest,
        source: 'gate',
        ...(context.namespace === undefined ? {} : { namespace: context.namespace }),
        ...(context.namespaceLabels === undefined ? {} : { namespaceLabels: context.namespaceLabels }),
        ...(context.kind === undefined ? {} : { kind: context.kind }),
      };
      const res = await http.send({ method: 'POST', path: 'api/v1/decisions', json: body, maxBytes: MAX_DECISION_ANSWER_BYTES });
      return decisionFromAnswer(jsonBody(res, 'the decision request'), digest);
    },
    close: () => http.close(),
  };
}

