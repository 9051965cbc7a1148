// Registry failures to Provenant codes. The status decides first; the distribution error body
// ({"errors":[{"code","message","detail"}]}, distribution-spec "Error Codes") refines it. The body is
// attacker-controlled text, so only a bounded, sanitised summary of it is kept in the error details.
import { ProvenantError, type ErrorCode } from '../../core/errors.js';
import { isJsonObject, parseJsonObject } from '../../core/json.js';
import { ERROR_BODY_LIMIT, discard, readErrorBody, redactUrl, type HttpResponse } from './body.js';

/** What was asked for, which decides what a bare 404 means. */
export type ResourceKind = 'manifest' | 'blob' | 'upload' | 'tags' | 'referrers' | 'token';

export interface DistributionError {
  code: string;
  message: string;
}

const MAX_ERRORS = 10;
const MAX_TEXT = 200;

export function parseDistributionErrors(body: Uint8Array): DistributionError[] {
  if (body.length === 0 || body.length > ERROR_BODY_LIMIT) return [];
  let list: unknown;
  try {
    list = parseJsonObject(body, 'error body', { maxDepth: 16 }).errors;
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  const out: DistributionError[] = [];
  for (const entry of list.slice(0, MAX_ERRORS)) {
    if (!isJsonObject(entry) || typeof entry.code !== 'string') continue;
    out.push({ code: clean(entry.code), message: typeof entry.message === 'string' ? clean(entry.message) : '' });
  }
  return out;
}

function clean(text: string): string {
  return text.replace(/\p{Cc}/gu, ' ').slice(0, MAX_TEXT);
}

/** The ProvenantError for a status and the registry's error codes (pure, so every branch is testable). */
export function errorForStatus(status: number, errors: DistributionError[], kind: ResourceKind, what: string, url?: URL): ProvenantError {
  const codes = new Set(errors.map((e) => e.code));
  const code = codeFor(status, codes, kind);
  const summary = errors.length === 0 ? '' : `: ${errors.map((e) => `${e.code}${e.message === '' ? '' : ` (${e.message})`}`).join('; ')}`;
  const details: Record<string, unknown> = { status };
  if (url !== undefined) details.url = redactUrl(url);
  if (errors.length > 0) details.registryErrors = errors;
  return new ProvenantError(code, `${what}: the registry answered ${status}${summary}`, { details });
}

function codeFor(status: number, codes: Set<string>, kind: ResourceKind): ErrorCode {
  if (status === 401) return 'REGISTRY_UNAUTHORIZED';
  if (status === 403) return 'REGISTRY_FORBIDDEN';
  if (status === 429 || codes.has('TOOMANYREQUESTS')) return 'REGISTRY_RATE_LIMITED';
  if (status >= 500 && status <= 599) return 'REGISTRY_SERVER_ERROR';
  if (status === 404) return notFoundCode(codes, kind);
  if (status === 405 || codes.has('UNSUPPORTED')) return 'UNSUPPORTED';
  if (status === 413) return 'INPUT_TOO_LARGE';
  if (status >= 400 && status <= 499) {
    if (codes.has('DIGEST_INVALID')) return 'DIGEST_MISMATCH';
    if (codes.has('MANIFEST_BLOB_UNKNOWN') || codes.has('BLOB_UNKNOWN')) return 'BLOB_NOT_FOUND';
    if (codes.has('MANIFEST_INVALID') || codes.has('MANIFEST_UNVERIFIED')) return 'MANIFEST_MALFORMED';
    if (codes.has('NAME_INVALID') || codes.has('TAG_INVALID')) return 'REFERENCE_INVALID';
  }
  return 'REGISTRY_PROTOCOL';
}

function notFoundCode(codes: Set<string>, kind: ResourceKind): ErrorCode {
  if (codes.has('BLOB_UNKNOWN')) return 'BLOB_NOT_FOUND';
  if (codes.has('MANIFEST_UNKNOWN') || codes.has('NAME_UNKNOWN')) return 'MANIFEST_NOT_FOUND';
  switch (kind) {
    case 'blob':
      return 'BLOB_NOT_FOUND';
    case 'manifest':
    case 'tags':
    case 'referrers':
      return 'MANIFEST_NOT_FOUND';
    case 'upload':
    case 'token':
      return 'REGISTRY_PROTOCOL';
  }
}

/** Reads (a bounded part of) the error body and maps the answer. */
export async function registryError(res: HttpResponse, kind: ResourceKind, what: string): Promise<ProvenantError> {
  let body: Buffer = Buffer.alloc(0);
  if (res.status >= 400) body = await readErrorBody(res);
  else discard(res);
  return errorForStatus(res.status, parseDistributionErrors(body), kind, what, res.url);
}

/** The registry's error codes of a 404 body, e.g. to tell NAME_UNKNOWN from MANIFEST_UNKNOWN. */
export async function notFoundCodes(res: HttpResponse): Promise<Set<string>> {
  return new Set(parseDistributionErrors(await readErrorBody(res)).map((e) => e.code));
}
