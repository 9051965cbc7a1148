// The transport of the log service client: one request at a time over node:http or node:https, with the
// service's private CA if given, a bearer token, timeouts on connect and on the whole answer, and a size
// limit on every body read. Errors the service reports come back as the ProvenantError it described.
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { rootCertificates } from 'node:tls';
import { ERROR_CODES, ProvenantError, isProvenantError, type ErrorCode } from '../../core/errors.js';
import { isJsonObject, parseJson, type JsonObject } from '../../core/json.js';
import { parseCaBundle } from '../../oci/registry/http.js';

export interface ServiceEndpoint {
  /** The service's base URL, e.g. https://log.example:8443/ (a path prefix is kept). */
  readonly url: URL;
  readonly token?: string;
  /** PEM CA certificates trusted in addition to the system roots. */
  readonly caBundle?: string;
  readonly timeoutMs?: number;
}

export interface ServiceResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: Buffer;
}

export interface ServiceRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path below the base URL, without a leading slash: "api/v1/log". */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly json?: unknown;
  readonly maxBytes: number;
  /** Statuses returned to the caller instead of being turned into errors (e.g. 404 for a tile not yet made). */
  readonly passStatuses?: readonly number[];
}

const ERROR_BODY_LIMIT = 64 * 1024;
const TLS_CODE_RE = /^(?:ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

export class ServiceHttp {
  readonly base: URL;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent: https.Agent;

  constructor(endpoint: ServiceEndpoint) {
    if (endpoint.url.protocol !== 'http:' && endpoint.url.protocol !== 'https:') {
      throw new ProvenantError('USAGE', `--server must be an http:// or https:// URL, not ${endpoint.url.protocol}`);
    }
    this.base = new URL(endpoint.url.href.endsWith('/') ? endpoint.url.href : `${endpoint.url.href}/`);
    this.base.search = '';
    this.base.hash = '';
    this.token = endpoint.token;
    this.timeoutMs = endpoint.timeoutMs ?? 60_000;
    const ca = endpoint.caBundle === undefined ? undefined : [...rootCertificates, ...parseCaBundle(endpoint.caBundle)];
    this.httpsAgent = new https.Agent({ keepAlive: true, ...(ca === undefined ? {} : { ca }) });
  }

  /** Sends the request; a status outside 2xx (and `passStatuses`) becomes the error the service described. */
  async send(req: ServiceRequest): Promise<ServiceResponse> {
    const url = new URL(req.path, this.base);
    for (const [name, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    const body = req.json === undefined ? undefined : Buffer.from(JSON.stringify(req.json), 'utf8');
    const headers: Record<string, string> = { accept: 'application/json, */*', 'user-agent': 'provenant' };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(body.length);
    }
    const res = await this.exchange(req.method, url, headers, body, req.maxBytes);
    if ((res.status >= 200 && res.status < 300) || req.passStatuses?.includes(res.status) === true) return res;
    throw serviceError(res, url);
  }

  /** GET of a JSON object. */
  async getJson(path: string, query: Readonly<Record<string, string | undefined>>, maxBytes: number): Promise<JsonObject> {
    return jsonBody(await this.send({ method: 'GET', path, query, maxBytes }), path);
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private exchange(method: string, url: URL, headers: Record<string, string>, body: Buffer | undefined, maxBytes: number): Promise<ServiceResponse> {
    const tls = url.protocol === 'https:';
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: ProvenantError | undefined, value?: ServiceResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err !== undefined) reject(err);
        else resolve(value as ServiceResponse);
      };
      const req = (tls ? https : http).request(url, { method, headers, agent: tls ? this.httpsAgent : this.httpAgent });
      // One deadline for the whole exchange: connect, headers and body; a service that trickles is cut off.
      const timer = setTimeout(() => {
        const err = new ProvenantError('SERVICE_UNREACHABLE', `${origin(url)} did not answer within ${this.timeoutMs} ms`, {
          details: { url: origin(url), phase: 'timeout' },
        });
        req.destroy(err);
        finish(err);
      }, this.timeoutMs);
      req.on('error', (e) => finish(networkError(e, url, tls)));
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        const limit = status >= 200 && status < 300 ? maxBytes : Math.min(maxBytes, ERROR_BODY_LIMIT);
        const declared = Number(res.headers['content-length'] ?? '0');
        if (declared > limit) {
          res.destroy();
          finish(tooLarge(url, limit));
          return;
        }
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > limit) {
            res.destroy();
            finish(tooLarge(url, limit));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (e) => finish(networkError(e, url, tls)));
        res.on('end', () => finish(undefined, { status, contentType: res.headers['content-type'], body: Buffer.concat(chunks, total) }));
      });
      req.end(body);
    });
  }
}

/** Parses a JSON object answer. Errors: SERVICE_PROTOCOL when the body is not one. */
export function jsonBody(res: ServiceResponse, what: string): JsonObject {
  try {
    const value = parseJson(res.body, `answer to ${what}`);
    if (isJsonObject(value)) return value;
  } catch (cause) {
    throw new ProvenantError('SERVICE_PROTOCOL', `the service answered ${what} with something that is not JSON`, { cause });
  }
  throw new ProvenantError('SERVICE_PROTOCOL', `the service answered ${what} with JSON that is not an object`);
}

function origin(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function tooLarge(url: URL, limit: number): ProvenantError {
  return new ProvenantError('SERVICE_PROTOCOL', `${origin(url)} answered with more than ${limit} bytes`, { details: { url: origin(url), limit } });
}

/** The service's error body, {code, message, details?}, when the answer is one with a code Provenant knows. */
export function errorBody(res: ServiceResponse): { code: ErrorCode; message: string; details?: JsonObject } | undefined {
  let body: unknown;
  try {
    body = parseJson(res.body, 'error answer', { maxLength: ERROR_BODY_LIMIT });
  } catch {
    return undefined;
  }
  if (!isJsonObject(body) || typeof body.code !== 'string' || !Object.hasOwn(ERROR_CODES, body.code) || typeof body.message !== 'string') return undefined;
  const code = body.code as ErrorCode;
  return isJsonObject(body.details) ? { code, message: body.message, details: body.details } : { code, message: body.message };
}

/** The error the service described, or one saying it described none. */
function serviceError(res: ServiceResponse, url: URL): ProvenantError {
  const described = errorBody(res);
  if (described !== undefined) {
    return new ProvenantError(described.code, described.message, described.details === undefined ? {} : { details: described.details });
  }
  if (res.status === 401) return new ProvenantError('UNAUTHENTICATED', `${origin(url)} refused the request (401): give a token with --token or PROVENANT_TOKEN`);
  if (res.status === 403) return new ProvenantError('FORBIDDEN', `${origin(url)} denied access (403): the token lacks the scope`);
  return new ProvenantError('SERVICE_PROTOCOL', `${origin(url)} answered ${res.status} without an error description`, {
    details: { url: origin(url), status: res.status },
  });
}

function networkError(e: unknown, url: URL, tls: boolean): ProvenantError {
  if (isProvenantError(e)) return e;
  const code = typeof (e as { code?: unknown } | null)?.code === 'string' ? (e as { code: string }).code : '';
  const details = { url: origin(url), cause: code };
  if (TLS_CODE_RE.test(code) || (tls && code === 'EPROTO')) {
    return new ProvenantError('SERVICE_UNREACHABLE', `${details.url}: TLS failed (${code}); for a private CA give --cacert`, { details, cause: e });
  }
  if (code.startsWith('HPE_')) return new ProvenantError('SERVICE_PROTOCOL', `${details.url}: malformed HTTP response`, { details, cause: e });
  return new ProvenantError('SERVICE_UNREACHABLE', `${details.url}: ${code || (e as Error).message || 'connection failed'}`, { details, cause: e });
}
