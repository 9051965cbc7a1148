// Request bodies are parsed by the same strict parser as every other untrusted JSON (src/core/json.ts): a
// duplicate key is JSON_DUPLICATE_KEY, deep nesting JSON_TOO_DEEP. Fastify's default parsers are removed, so a body
// of any other media type is CONTENT_TYPE_UNSUPPORTED (415) rather than silently accepted as text.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJson, type JsonValue } from '../core/json.js';

export const JSON_MEDIA_TYPE = 'application/json';
/** Nesting allowed in a request body; proposed entries are a few levels deep. */
const MAX_BODY_DEPTH = 64;

/** A fastify content-type parser (parseAs: 'buffer') that parses strictly; reusable for other JSON media types. */
export function strictJsonParser(maxBodyBytes: number) {
  return (_request: FastifyRequest, body: Buffer | string, done: (err: Error | null, body?: JsonValue) => void): void => {
    try {
      done(null, parseJson(body, 'request body', { maxDepth: MAX_BODY_DEPTH, maxLength: maxBodyBytes }));
    } catch (e) {
      done(e as Error);
    }
  };
}

/**
 * Replaces fastify's body parsers with the strict JSON one for application/json. A route module that takes
 * another JSON media type (such as registry notifications) adds it in its own plugin with the same parser:
 * `app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit }, strictJsonParser(bodyLimit))`.
 */
export function installJsonBody(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'buffer', bodyLimit: maxBodyBytes }, strictJsonParser(maxBodyBytes));
}
