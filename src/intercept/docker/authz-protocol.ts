// Docker's authorization plugin protocol (docs.docker.com/engine/extend/plugins_authorization; moby
// pkg/authorization/api.go): the daemon posts every API request to /AuthZPlugin.AuthZReq with the keys `User`,
// `UserAuthNMethod`, `RequestMethod`, `RequestUri`, `RequestHeaders` and `RequestBody` (base64), and the answer is
// {"Allow", "Msg", "Err"}. Only container creation is gated, on the image it names; it fails closed when the body
// is missing, empty, unreadable or over the limit, the way CVE-2024-41110 bypassed plugins (the daemon forwarded a
// create request without its body). Pure: the socket server is the CLI's.
import { decodeBase64 } from '../../core/bytes.js';
import { isJsonObject, parseJson } from '../../core/json.js';
import { goFoldedName } from './go-json-names.js';

export interface AuthzAnswer {
  readonly Allow: boolean;
  readonly Msg?: string;
  readonly Err?: string;
}

export type AuthzRequestView =
  | { readonly kind: 'other' }
  | { readonly kind: 'create'; readonly image: string }
  | { readonly kind: 'refuse'; readonly reason: string };

/** The daemon forwards bodies of at most 1 MiB (moby pkg/authorization maxBodySize); a larger one arrives empty. */
export const DEFAULT_MAX_CREATE_BODY = 1024 * 1024;
const MAX_URI = 8192;
// moby api/server/router: routes are served with and without "/v{version:[0-9.]+}" in front.
const CREATE_PATH = /^(?:\/v[0-9.]+)?\/containers\/create$/;

/** What an AuthZReq asks. Never throws: anything it cannot read about a create request is a refusal. */
export function readAuthzRequest(body: unknown, maxCreateBody = DEFAULT_MAX_CREATE_BODY): AuthzRequestView {
  if (!isJsonObject(body)) return { kind: 'refuse', reason: 'the authorization request is not a JSON object' };
  const method = typeof body.RequestMethod === 'string' ? body.RequestMethod.toUpperCase() : '';
  if (typeof body.RequestUri !== 'string' || body.RequestUri.length > MAX_URI) return { kind: 'refuse', reason: 'the authorization request has no readable RequestUri' };
  const path = requestPath(body.RequestUri);
  if (method !== 'POST') return { kind: 'other' };
  if (path === undefined || !CREATE_PATH.test(path)) {
    // The daemon routes on the decoded, cleaned path: a create request spelled otherwise is refused, not waved through.
    const seen = (path ?? body.RequestUri).toLowerCase();
    if (seen.includes('containers') && seen.includes('create')) return { kind: 'refuse', reason: `unrecognised container create path ${JSON.stringify(body.RequestUri.slice(0, 200))}` };
    return { kind: 'other' };
  }
  return createRequest(body.RequestBody, maxCreateBody);
}

function createRequest(encoded: unknown, maxCreateBody: number): AuthzRequestView {
  if (typeof encoded !== 'string' || encoded === '') return { kind: 'refuse', reason: 'container create without a request body (fail closed)' };
  if (encoded.length > Math.ceil(maxCreateBody / 3) * 4 + 4) return { kind: 'refuse', reason: `container create body over ${maxCreateBody} bytes (fail closed)` };
  let config: unknown;
  try {
    const bytes = decodeBase64(encoded, 'RequestBody');
    if (bytes.length > maxCreateBody) return { kind: 'refuse', reason: `container create body over ${maxCreateBody} bytes (fail closed)` };
    config = parseJson(bytes, 'container create body', { maxLength: maxCreateBody, maxDepth: 64 });
  } catch {
    return { kind: 'refuse', reason: 'container create body is not base64 of a JSON document (fail closed)' };
  }
  if (!isJsonObject(config)) return { kind: 'refuse', reason: 'container create body is not a JSON object (fail closed)' };
  // The daemon decodes the body with Go's encoding/json, which matches keys case-insensitively and keeps the last
  // match: {"Image": "signed", "image": "other"} runs "other". Every key the daemon would read as Image counts.
  const images = Object.keys(config).filter((k) => goFoldedName(k) === 'IMAGE');
  if (images.length > 1) return { kind: 'refuse', reason: `container create names its image under ${images.length} keys (fail closed)` };
  const image = images.length === 1 ? config[images[0]!] : undefined;
  if (typeof image !== 'string' || image.trim() === '') return { kind: 'refuse', reason: 'container create names no image (fail closed)' };
  return { kind: 'create', image };
}

/** The path of a request URI, percent-decoded as the daemon's router sees it; undefined when it does not decode. */
function requestPath(uri: string): string | undefined {
  const q = uri.search(/[?#]/);
  const raw = q < 0 ? uri : uri.slice(0, q);
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}
