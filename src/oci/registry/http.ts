// The HTTP transport of the registry client, on node:http and node:https. It owns connection reuse, TLS
// trust, timeouts (no request can hang), retries of idempotent requests, and redirects (blob downloads are
// redirected to storage). It never interprets distribution semantics; that is the session's job.
import http from 'node:http';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ProvenantError, isProvenantError } from '../../core/errors.js';
import { discard, redactUrl, type HttpResponse } from './body.js';
import { isRetryableStatus, parseRetryAfter, retryDelay, retryPolicy, sleep, type RetryPolicy } from './retry.js';

export type { HttpResponse } from './body.js';
export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpOptions {
  /** PEM bundle of CA certificates trusted in addition to Node's built-in roots. */
  caBundle?: string | Uint8Array;
  /** TCP connect plus TLS handshake. Default 15 s. */
  connectTimeoutMs?: number;
  /** Until the response headers arrive, the longest silence while a body streams, and a whole bounded body. Default 60 s. */
  responseTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Redirect hops followed for requests that allow redirects. Default 5. */
  maxRedirects?: number;
  userAgent?: string;
}

export interface HttpRequest {
  method: HttpMethod;
  url: URL;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Follow 301/302/303/307/308. Authorization is dropped once a redirect leaves the origin; https→http is refused. */
  followRedirects?: boolean;
  /** Retry on 408/429/5xx and connection resets. Default: true for the idempotent GET, HEAD, PUT and DELETE. */
  retry?: boolean;
}

const IDEMPOTENT = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const TLS_CODE_RE = /^(?:ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;
const MAX_CA_BUNDLE = 4 * 1024 * 1024;
/** Failures of a connection that a retry may cure (the server reset it), as opposed to refusals and timeouts. */
const retryable = new WeakSet<object>();

export class HttpTransport {
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent: https.Agent;
  private readonly connectTimeoutMs: number;
  private readonly responseTimeoutMs: number;
  private readonly maxRedirects: number;
  private readonly retry: RetryPolicy;
  private readonly userAgent: string;

  constructor(options: HttpOptions = {}) {
    this.connectTimeoutMs = positive(options.connectTimeoutMs ?? 15_000, 'connectTimeoutMs');
    this.responseTimeoutMs = positive(options.responseTimeoutMs ?? 60_000, 'responseTimeoutMs');
    this.maxRedirects = options.maxRedirects ?? 5;
    this.retry = retryPolicy(options.retry);
    this.userAgent = options.userAgent ?? 'provenant';
    const ca = options.caBundle === undefined ? undefined : [...rootCertificates, ...parseCaBundle(options.caBundle)];
    this.httpsAgent = new https.Agent({ keepAlive: true, ...(ca === undefined ? {} : { ca }) });
  }

  /** Sends a request, retrying and following redirects as asked; any status is returned, only transport failures throw. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const canRetry = req.retry ?? IDEMPOTENT.has(req.method);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const last = !canRetry || attempt >= this.retry.maxAttempts;
      let res: HttpResponse;
      try {
        res = await this.withRedirects(req);
      } catch (e) {
        const wait = retryDelay(this.retry, attempt);
        if (last || !retryable.has(e as object) || Date.now() - started + wait > this.retry.maxTotalMs) throw e;
        await sleep(wait);
        continue;
      }
      if (last || !isRetryableStatus(res.status)) return res;
      const wait = parseRetryAfter(res.headers['retry-after']) ?? retryDelay(this.retry, attempt);
      if (Date.now() - started + wait > this.retry.maxTotalMs) return res;
      discard(res);
      await sleep(wait);
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private async withRedirects(req: HttpRequest): Promise<HttpResponse> {
    let { method, url, body } = req;
    let headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers };
    for (let hop = 0; ; hop++) {
      const res = await this.once(method, url, headers, body);
      if (req.followRedirects !== true || !REDIRECTS.has(res.status)) return res;
      discard(res);
      if (hop >= this.maxRedirects) {
        throw new ProvenantError('REGISTRY_PROTOCOL', `more than ${this.maxRedirects} redirects`, { details: { url: redactUrl(req.url) } });
      }
      const next = redirectTarget(url, res.headers.location);
      if (next.origin !== url.origin) headers = withoutAuthorization(headers);
      if (res.status === 303 && method !== 'HEAD') {
        method = 'GET';
        body = undefined;
      }
      url = next;
    }
  }

  private once(method: HttpMethod, url: URL, headers: Record<string, string>, body: Uint8Array | undefined): Promise<HttpResponse> {
    const tls = url.protocol === 'https:';
    const outgoing = body === undefined ? headers : { ...headers, 'content-length': String(body.byteLength) };
    return new Promise((resolve, reject) => {
      let response: IncomingMessage | undefined;
      const fail = (phase: string) => new ProvenantError('REGISTRY_TIMEOUT', `${redactUrl(url)}: no ${phase} within the timeout`, {
        details: { url: redactUrl(url), phase },
      });
      const req: ClientRequest = (tls ? https : http).request(url, {
        method,
        headers: outgoing,
        agent: tls ? this.httpsAgent : this.httpAgent,
        timeout: this.responseTimeoutMs,
      });
      const connectTimer = setTimeout(() => req.destroy(fail('connection')), this.connectTimeoutMs);
      // Started once the request is sent, so a slow upload of a large blob is bounded by the idle timeout instead.
      let headersTimer: NodeJS.Timeout | undefined;
      req.once('finish', () => {
        if (response === undefined) headersTimer = setTimeout(() => req.destroy(fail('response')), this.responseTimeoutMs);
      });
      req.once('socket', (socket: Socket) => {
        if (!socket.connecting) clearTimeout(connectTimer);
        else socket.once(tls ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      });
      req.on('timeout', () => {
        const err = fail(response === undefined ? 'response' : 'data');
        if (response === undefined) req.destroy(err);
        else response.destroy(err);
      });
      req.on('error', (e) => {
        clearTimeout(connectTimer);
        clearTimeout(headersTimer);
        reject(networkError(e, url, tls));
      });
      req.on('response', (res: IncomingMessage) => {
        clearTimeout(connectTimer);
        clearTimeout(headersTimer);
        response = res;
        // Every consumer listens for errors itself; this keeps a body nobody reads from crashing the process.
        res.on('error', () => undefined);
        if (method === 'HEAD') res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, url, body: res, timeoutMs: this.responseTimeoutMs });
      });
      req.end(body === undefined ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    });
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new ProvenantError('USAGE', `${name} must be a positive number of milliseconds`);
  return value;
}

/** The certificates of a PEM bundle; anything unreadable is refused rather than silently trusted or skipped. */
export function parseCaBundle(bundle: string | Uint8Array): string[] {
  const text = typeof bundle === 'string' ? bundle : Buffer.from(bundle).toString('utf8');
  if (text.length > MAX_CA_BUNDLE) throw new ProvenantError('TLS_CONFIG_INVALID', 'the CA bundle is larger than 4 MiB');
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  const begins = text.match(/-----BEGIN [A-Z0-9 ]+-----/g) ?? [];
  if (blocks.length === 0 || begins.length !== blocks.length) {
    throw new ProvenantError('TLS_CONFIG_INVALID', 'the CA bundle must hold PEM certificates and nothing else');
  }
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (cause) {
      throw new ProvenantError('TLS_CONFIG_INVALID', `certificate ${index + 1} of the CA bundle is not readable`, { cause });
    }
  }
  return blocks;
}

function redirectTarget(from: URL, location: string | undefined): URL {
  let next: URL;
  try {
    if (location === undefined || location === '') throw new Error('no Location');
    next = new URL(location, from);
  } catch (cause) {
    throw new ProvenantError('REGISTRY_PROTOCOL', `redirect from ${redactUrl(from)} without a usable Location`, { cause });
  }
  if (next.protocol !== 'https:' && next.protocol !== 'http:') {
    throw new ProvenantError('REGISTRY_PROTOCOL', `redirect to a ${next.protocol} URL`, { details: { url: redactUrl(from) } });
  }
  if (from.protocol === 'https:' && next.protocol === 'http:') {
    throw new ProvenantError('REGISTRY_PROTOCOL', 'redirect from HTTPS to plain HTTP refused', { details: { url: redactUrl(from) } });
  }
  return next;
}

function withoutAuthorization(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'));
}

function networkError(e: unknown, url: URL, tls: boolean): ProvenantError {
  if (isProvenantError(e)) return e;
  const code = typeof (e as { code?: unknown } | null)?.code === 'string' ? (e as { code: string }).code : '';
  const details = { url: redactUrl(url), cause: code };
  if (code.startsWith('HPE_')) return new ProvenantError('REGISTRY_PROTOCOL', `${details.url}: malformed HTTP response`, { details, cause: e });
  if (TLS_CODE_RE.test(code) || (tls && code === 'EPROTO')) {
    return new ProvenantError('REGISTRY_TLS_FAILED', `${details.url}: TLS failed (${code})`, { details, cause: e });
  }
  const err = new ProvenantError('REGISTRY_UNREACHABLE', `${details.url}: ${code || 'connection failed'}`, { details, cause: e });
  if (RESET_CODES.has(code)) retryable.add(err);
  return err;
}
