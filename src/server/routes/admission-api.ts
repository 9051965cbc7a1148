// The Kubernetes admission webhooks (docs/kubernetes.md): `POST /admission/validate` and `POST /admission/mutate`
// take an AdmissionReview and always answer HTTP 200 with an AdmissionReview response naming the request's uid,
// as the API server expects, even for a review that cannot be read (then refused, with the uid when readable).
// Every image of the workload is resolved to its digest and decided within the time budget; the validating
// webhook allows, warns or denies, the mutating one also records the digests and applies sandbox changes.
import type { FastifyInstance } from 'fastify';
import { isProvenantError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import {
  admissionResponse,
  errorResponse,
  parseAdmissionReview,
  workloadImages,
  workloadPatch,
  type AdmissionRequest,
  type AdmissionVerdictOut,
} from '../../intercept/admission/index.js';
import type { AdmissionVerdict, ImageAdmission } from '../../intercept/image-admission.js';
import type { AdmissionMetrics } from '../admission-metrics.js';

export const VALIDATE_PATH = '/admission/validate';
export const MUTATE_PATH = '/admission/mutate';

export interface AdmissionRouteOptions {
  readonly admission: ImageAdmission;
  readonly metrics: AdmissionMetrics;
  /** Rewrite tags to the digests decided on (mutating webhook). Default false: GitOps tools see their own spec. */
  readonly pinDigests: boolean;
}

type Webhook = 'validate' | 'mutate';

export function admissionApiRoutes(options: AdmissionRouteOptions): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    for (const [path, webhook] of [[VALIDATE_PATH, 'validate'], [MUTATE_PATH, 'mutate']] as const) {
      app.post<{ Body: unknown }>(path, {
        // The API server authenticates the webhook by its TLS certificate; it sends no bearer token.
        config: { access: 'public' },
        // Every admission is logged once, as its decision line (policy-wiring.ts); the per-request lines of the HTTP
        // layer would add two more lines per review at thousands of reviews a second. Warnings and errors stay.
        logLevel: 'warn',
        schema: {
          tags: ['admission'],
          summary: `Kubernetes ${webhook === 'validate' ? 'validating' : 'mutating'} admission webhook (AdmissionReview v1 or v1beta1).`,
          response: { 200: { type: 'object', additionalProperties: true } },
        },
        handler: async (request) => {
          const started = process.hrtime.bigint();
          try {
            return await answer(request.body, webhook, options);
          } finally {
            options.metrics.observe(webhook, Number(process.hrtime.bigint() - started) / 1e9);
          }
        },
      });
    }
  };
}

async function answer(body: unknown, webhook: Webhook, options: AdmissionRouteOptions): Promise<JsonObject> {
  let req: AdmissionRequest;
  try {
    req = parseAdmissionReview(body);
  } catch (e) {
    if (!isProvenantError(e)) throw e;
    const uid = typeof e.details?.uid === 'string' ? e.details.uid : undefined;
    const apiVersion = typeof (body as { apiVersion?: unknown } | null)?.apiVersion === 'string' && (body as { apiVersion: string }).apiVersion === 'admission.k8s.io/v1beta1' ? 'admission.k8s.io/v1beta1' : 'admission.k8s.io/v1';
    options.metrics.failed('malformed', undefined);
    return errorResponse(uid, apiVersion, 400, `${e.code}: ${e.message}`);
  }
  let workload;
  try {
    workload = workloadImages(req);
  } catch (e) {
    if (!isProvenantError(e)) throw e;
    options.metrics.failed('malformed', req.namespace);
    return admissionResponse(req, { allowed: false, code: 400, reason: 'BadRequest', message: `${e.code}: ${e.message}` });
  }
  if (workload.workloadKind === null || workload.images.length === 0) return admissionResponse(req, { allowed: true });

  const verdict = await options.admission.admit(
    workload.images.map((i) => i.image),
    {
      source: 'admission',
      dryRun: req.dryRun,
      kind: workload.workloadKind,
      ...(req.namespace === undefined ? {} : { namespace: req.namespace }),
    },
  );
  options.metrics.decided(verdict.outcome);
  return admissionResponse(req, outcomeOf(verdict, webhook, req, workload, options.pinDigests));
}

function outcomeOf(verdict: AdmissionVerdict, webhook: Webhook, req: AdmissionRequest, workload: ReturnType<typeof workloadImages>, pinDigests: boolean): AdmissionVerdictOut {
  const digests = new Map(verdict.images.flatMap((i) => (i.digest === undefined ? [] : [[i.reference, i.digest] as const])));
  const auditAnnotations = {
    decision: verdict.outcome,
    'resolved-images': JSON.stringify(Object.fromEntries(workload.images.map((i) => [i.container, digests.get(i.image) ?? 'unresolved']))),
  };
  if (verdict.outcome === 'deny') {
    return { allowed: false, code: 403, reason: 'Forbidden', message: `denied by Provenant: ${verdict.reasons.join('; ') || 'no reason given'}`, warnings: verdict.warnings, auditAnnotations };
  }
  const warnings = [...verdict.warnings, ...verdict.reasons.map((r) => `warn: ${r}`)];
  if (webhook === 'validate') {
    if (verdict.outcome === 'sandbox') warnings.push('sandboxed: the mutating webhook applies the sandbox changes');
    return { allowed: true, warnings, auditAnnotations };
  }
  // Pinned: every image when the service says so, else the images whose decision an enforced policy asked to pin.
  const pin = new Set(verdict.images.filter((i) => i.digest !== undefined && (pinDigests || i.decision?.pinDigest === true)).map((i) => i.reference));
  const patch = workloadPatch({ object: req.object, workload, digests, outcome: verdict.outcome, pin, ...(verdict.sandbox === undefined ? {} : { sandbox: verdict.sandbox }) });
  return { allowed: true, warnings, patch, auditAnnotations };
}
