// Reading response bodies without trusting their size or pace: bounded reads for JSON and manifests, a
// deadline for the whole body, and draining of bodies nobody wants (so the connection can be reused).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { ProvenantError, isProvenantError } from '../../core/errors.js';

/** What HttpTransport returns: status and headers, and the body still to be read. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: URL;
  body: IncomingMessage;
  /** Deadline for reading a bounded body, from the transport's response timeout. */
  timeoutMs: number;
}

/** Bodies of error answers are read only this far (error JSON is small). */
export const ERROR_BODY_LIMIT = 64 * 1024;
const DISCARD_LIMIT = 64 * 1024;

/** The URL without query or fragment: upload state and signed storage URLs carry secrets there. */
export function redactUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Content-Length as a number, or undefined when absent or not a plain decimal. */
export function contentLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['content-length'];
  if (value === undefined || !/^[0-9]{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/** Maps a failure while a body streams in to a stable code. */
export function bodyStreamError(e: unknown, what: string): ProvenantError {
  if (isProvenantError(e)) return e;
  return new ProvenantError('ARCHIVE_TRUNCATED', `${what}: the connection ended before the body was complete`, { cause: e });
}

/** Reads the whole body; INPUT_TOO_LARGE past `maxBytes`, REGISTRY_TIMEOUT past the response deadline. */
export function readBounded(res: HttpResponse, maxBytes: number, what: string): Promise<Buffer> {
  const body = res.body;
  const tooLarge = () =>
    new ProvenantError('INPUT_TOO_LARGE', `${what} is larger than the limit of ${maxBytes} bytes`, { details: { limit: maxBytes } });
  // A HEAD answer (resumed by the transport) may have ended before anyone asked for its empty body.
  if (body.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (body.destroyed) return Promise.reject(bodyStreamError(new Error('closed'), what));
  const declared = contentLength(res.headers);
  if (declared !== undefined && declared > maxBytes) {
    body.destroy();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (err: ProvenantError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err === undefined) resolve(Buffer.concat(chunks, total));
      else reject(err);
    };
    const timer = setTimeout(() => {
      body.destroy(new ProvenantError('REGISTRY_TIMEOUT', `${what}: the body did not arrive within ${res.timeoutMs} ms`));
    }, res.timeoutMs);
    body.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) body.destroy(tooLarge());
      else chunks.push(chunk);
    });
    body.on('end', () => settle(undefined));
    body.on('error', (e) => settle(bodyStreamError(e, what)));
    body.on('close', () => settle(bodyStreamError(new Error('closed'), what)));
  });
}

/** Throws away a body we do not need; a large one is cut off rather than downloaded. */
export function discard(res: HttpResponse): void {
  const body = res.body;
  if (body.readableEnded || body.destroyed) return;
  let seen = 0;
  body.on('error', () => undefined);
  body.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DISCARD_LIMIT) body.destroy();
  });
  body.resume();
}

/** Reads an error answer's body, best effort: an unreadable body is an empty one. */
export async function readErrorBody(res: HttpResponse): Promise<Buffer> {
  try {
    return await readBounded(res, ERROR_BODY_LIMIT, 'error body');
  } catch {
    return Buffer.alloc(0);
  }
}
