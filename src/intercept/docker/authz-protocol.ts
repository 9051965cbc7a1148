// Docker's authorization plugin protocol (docs.docker.com/engine/extend/plugins_authorization; moby
// pkg/authorization/api.go): the daemon posts every API request to /AuthZPlugin.AuthZReq with the keys `User`,
// `UserAuthNMethod`, `RequestMethod`, `RequestUri`, `RequestHeaders` and `RequestBody` (base64), and the answer is
// {"Allow", "Msg", "Err"}. Only container creation is gated, on the image it names; it fails closed when the body
// is missing, empty, unreadable or over the limit, the way CVE-2024-41110 bypassed plugins (the daemon forwarded a
// create request without its body).
import { isJsonObject, parseJson, type JsonObject } from '../../core/json.js';

export interface AuthzAnswer {
  readonly Allow: boolean;
  readonly Msg?: string;
  readonly Err?: string;
}

export type AuthzRequestView =
  | { readonly kind: 'other' }
  | { readonly kind: 'create'; readonly image: string }
  | { readonly kind: 'refuse'; readonly reason: string };

export const DEFAULT_MAX_CREATE_BODY = 1024 * 1024;
// "/containers/create", with or without an API version prefix ("/v1.43/containers/create") and a query string.
const CREATE_PATH = /^(?:\/v[0-9]+(?:\.[0-9]+)?)?\/containers\/create(?:\?.*)?$/;

/** What an AuthZReq asks. Never throws: anything it cannot read about a create request is a refusal. */
export function readAuthzRequest(body: unknown, maxCreateBody = DEFAULT_MAX_CREATE_BODY): AuthzRequestView {
  if (!isJsonObject(body as never)) return { kind: 'refuse', reason: 'the authorization request is not a JSON object' };
  const req = body as JsonObject;
  const method = typeof req.RequestMethod === 'string' ? req.RequestMethod.toUpperCase() : '';
  const uri = typeof req.RequestUri === 'string' ? req.RequestUri : '';
  if (method !== 'POST' || !CREATE_PATH.test(uri)) {
    // A create request whose path is disguised (encoded, doubled slashes) is refused rather than waved through.
    if (method === 'POST' && /containers.*create/i.test(decodeSafely(uri))) return { kind: 'refuse', reason: `unrecognised container create path ${JSON.stringify(uri.slice(0, 200))}` };
    return { kind: 'other' };
  }
  const encoded = req.RequestBody;
  if (typeof encoded !== 'string' || encoded === '') return { kind: 'refuse', reason: 'container create without a request body (fail closed)' };
  if (encoded.length > Math.ceil((maxCreateBody * 4) / 3) + 4) return { kind: 'refuse', reason: `container create body over ${maxCreateBody} bytes (fail closed)` };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return { kind: 'refuse', reason: 'container create body is not base64 (fail closed)' };
  let config: unknown;
  try {
    config = parseJson(Buffer.from(encoded, 'base64'), 'container create body', { maxLength: maxCreateBody, maxDepth: 64 });
  } catch {
    return { kind: 'refuse', reason: 'container create body is not JSON (fail closed)' };
  }
  const image = isJsonObject(config as never) ? (config as JsonObject).Image : undefined;
  if (typeof image !== 'string' || image === '') return { kind: 'refuse', reason: 'container create names no image (fail closed)' };
  return { kind: 'create', image };
}

function decodeSafely(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}
