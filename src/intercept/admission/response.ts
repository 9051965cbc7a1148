// AdmissionReview responses (k8s.io/api/admission/v1 AdmissionResponse): the request's uid and apiVersion, allowed
// or not with a metav1.Status, warnings as kubectl shows them, a JSONPatch for a mutating webhook, and audit
// annotations the API server records under the webhook's name.
import type { JsonObject } from '../../core/json.js';
import type { JsonPatchOp } from './patch.js';
import type { AdmissionApiVersion } from './review.js';

export type AdmissionVerdictOut =
  | { readonly allowed: true; readonly warnings?: readonly string[]; readonly patch?: readonly JsonPatchOp[]; readonly auditAnnotations?: Readonly<Record<string, string>> }
  | {
      readonly allowed: false;
      readonly code: number;
      readonly reason: string;
      readonly message: string;
      readonly warnings?: readonly string[];
      readonly auditAnnotations?: Readonly<Record<string, string>>;
    };

const MAX_WARNINGS = 20;
const MAX_WARNING_LENGTH = 256;
const MAX_MESSAGE_LENGTH = 4_096;
// Audit annotation keys are qualified names without a prefix; the API server adds "<webhook name>/".
const AUDIT_KEY = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

export function admissionResponse(req: { readonly apiVersion: AdmissionApiVersion; readonly uid: string }, verdict: AdmissionVerdictOut): JsonObject {
  const response: JsonObject = { uid: req.uid, allowed: verdict.allowed };
  if (!verdict.allowed) response.status = { code: verdict.code, reason: verdict.reason, message: bounded(verdict.message, MAX_MESSAGE_LENGTH) };
  const warnings = (verdict.warnings ?? []).slice(0, MAX_WARNINGS).map((w) => bounded(w, MAX_WARNING_LENGTH));
  if (warnings.length > 0) response.warnings = warnings;
  if (verdict.allowed && verdict.patch !== undefined && verdict.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(verdict.patch), 'utf8').toString('base64');
  }
  const audit = Object.entries(verdict.auditAnnotations ?? {}).filter(([k]) => AUDIT_KEY.test(k));
  if (audit.length > 0) response.auditAnnotations = Object.fromEntries(audit.map(([k, v]) => [k, bounded(v, MAX_MESSAGE_LENGTH)]));
  return { apiVersion: req.apiVersion, kind: 'AdmissionReview', response };
}

/** The answer to a review that could not be read: refused, with the uid when one was readable. */
export function errorResponse(uid: string | undefined, apiVersion: AdmissionApiVersion, code: number, message: string): JsonObject {
  return admissionResponse({ apiVersion, uid: uid ?? '' }, { allowed: false, code, reason: code >= 500 ? 'InternalError' : 'BadRequest', message });
}

function bounded(text: string, max: number): string {
  // Control characters from foreign documents never reach a terminal through kubectl.
  const clean = text.replace(/\p{Cc}/gu, ' ');
  return clean.length <= max ? clean : `${clean.slice(0, max - 1)}…`;
}
