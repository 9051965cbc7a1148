// AdmissionReview requests as the Kubernetes API server sends them to webhooks (admission.k8s.io/v1, and v1beta1
// from older servers; k8s.io/api/admission/v1 types.go). Only what gating needs is read, strictly; the objects are
// kept as JSON for the image walk and patches. A malformed review is ADMISSION_MALFORMED, with the uid when one
// could be read, so the answer can still name the request.
import { ProvenantError } from '../../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';

export const ADMISSION_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type AdmissionApiVersion = (typeof ADMISSION_API_VERSIONS)[number];
export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface AdmissionRequest {
  readonly apiVersion: AdmissionApiVersion;
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource: { readonly group: string; readonly version: string; readonly resource: string };
  readonly subResource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly operation: Operation;
  readonly dryRun: boolean;
  readonly object: JsonValue;
  readonly oldObject: JsonValue;
  readonly username?: string;
}

const MAX_UID = 256;
const MAX_NAME = 253;

/** Reads an AdmissionReview. Errors: ADMISSION_MALFORMED (details.uid when the request had a readable one). */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isJsonObject(body as JsonValue)) throw malformed('the body is not an AdmissionReview object');
  const review = body as JsonObject;
  if (review.kind !== 'AdmissionReview') throw malformed('kind must be AdmissionReview');
  const apiVersion = review.apiVersion;
  if (typeof apiVersion !== 'string' || !(ADMISSION_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw malformed(`apiVersion must be one of ${ADMISSION_API_VERSIONS.join(', ')}`);
  }
  return parseAdmissionRequest(review.request, apiVersion as AdmissionApiVersion, review.dryRun === true);
}

/**
 * Reads the `request` member of a review (also the shape policy engines such as Kubewarden hand to policies).
 * `topLevelDryRun` honours reviews that carry dryRun beside the request.
 */
export function parseAdmissionRequest(value: unknown, apiVersion: AdmissionApiVersion = 'admission.k8s.io/v1', topLevelDryRun = false): AdmissionRequest {
  if (!isJsonObject(value as JsonValue)) throw malformed('request must be an object');
  const r = value as JsonObject;
  const uid = typeof r.uid === 'string' && r.uid.length > 0 && r.uid.length <= MAX_UID ? r.uid : undefined;
  const fail = (problem: string): never => {
    throw malformed(problem, uid);
  };
  if (uid === undefined) fail('request.uid must be a non-empty string');
  const kind = gvk(r.kind, 'request.kind', fail);
  const resource = object(r.resource, 'request.resource', fail);
  const operation = r.operation;
  if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation)) fail(`request.operation must be one of ${OPERATIONS.join(', ')}`);
  const namespace = optionalName(r.namespace, 'request.namespace', fail);
  const name = optionalName(r.name, 'request.name', fail);
  const subResource = optionalName(r.subResource, 'request.subResource', fail);
  if (r.dryRun !== undefined && r.dryRun !== null && typeof r.dryRun !== 'boolean') fail('request.dryRun must be a boolean');
  const userInfo = r.userInfo;
  const username = isJsonObject(userInfo ?? null) && typeof (userInfo as JsonObject).username === 'string' ? ((userInfo as JsonObject).username as string) : undefined;
  return {
    apiVersion,
    uid: uid!,
    kind,
    resource: {
      group: text(resource.group, 'request.resource.group', fail, true),
      version: text(resource.version, 'request.resource.version', fail),
      resource: text(resource.resource, 'request.resource.resource', fail),
    },
    ...(subResource === undefined ? {} : { subResource }),
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
    operation: operation as Operation,
    dryRun: r.dryRun === true || topLevelDryRun,
    object: r.object ?? null,
    oldObject: r.oldObject ?? null,
    ...(username === undefined ? {} : { username }),
  };
}

function malformed(problem: string, uid?: string): ProvenantError {
  return new ProvenantError('ADMISSION_MALFORMED', `not a valid AdmissionReview: ${problem}`, { details: { problem, ...(uid === undefined ? {} : { uid }) } });
}

type Fail = (problem: string) => never;

function object(value: JsonValue | undefined, path: string, fail: Fail): JsonObject {
  if (value === undefined || !isJsonObject(value)) return fail(`${path} must be an object`);
  return value;
}

function text(value: JsonValue | undefined, path: string, fail: Fail, emptyAllowed = false): string {
  if (typeof value !== 'string' || (!emptyAllowed && value === '') || value.length > MAX_NAME) return fail(`${path} must be a string of at most ${MAX_NAME} characters`);
  return value;
}

function optionalName(value: JsonValue | undefined, path: string, fail: Fail): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return text(value, path, fail);
}

function gvk(value: JsonValue | undefined, path: string, fail: Fail): GroupVersionKind {
  const o = object(value, path, fail);
  return { group: text(o.group, `${path}.group`, fail, true), version: text(o.version, `${path}.version`, fail), kind: text(o.kind, `${path}.kind`, fail) };
}
