// One error body for every failure the service reports: {code, message, details?} with the HTTP status of the code
// in ERROR_CODES. Fastify's own failures (body limits, media types, schema validation, unknown routes) are given
// our codes; anything unexpected becomes INTERNAL with a fixed message, and the real error goes only to the log.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, ProvenantError, type ErrorBody } from '../core/errors.js';

/** The realm named in WWW-Authenticate challenges (RFC 6750 section 3). */
export const AUTH_REALM = 'provenant';

/** Validation failures reported per request, enough to fix it and bounded so a reply stays small. */
const MAX_REPORTED_VALIDATION_ERRORS = 8;

/** The ProvenantError a failure is reported as. */
export function toReportedError(error: unknown): { error: ProvenantError; internal: boolean } {
  if (error instanceof ProvenantError) {
    // An INTERNAL error may wrap anything (a driver message, a path); its text stays in the log.
    if (error.code === 'INTERNAL') return { error: new ProvenantError('INTERNAL', 'internal error'), internal: true };
    return { error, internal: false };
  }
  const fe = error as Partial<FastifyError> | null;
  if (fe !== null && typeof fe === 'object' && Array.isArray(fe.validation)) {
    const errors = fe.validation.slice(0, MAX_REPORTED_VALIDATION_ERRORS).map((v) => ({
      path: v.instancePath,
      keyword: v.keyword,
      message: v.message ?? v.keyword,
    }));
    const where = fe.validationContext ?? 'request';
    return {
      error: new ProvenantError('SCHEMA_INVALID', `the request ${where} does not match the route schema: ${errors.map((e) => `${e.path || where} ${e.message}`).join('; ')}`, {
        details: { in: where, errors },
      }),
      internal: false,
    };
  }
  const code = fe !== null && typeof fe === 'object' && typeof fe.code === 'string' ? fe.code : undefined;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: new ProvenantError('INPUT_TOO_LARGE', 'the request body is larger than the server accepts'), internal: false };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        error: new ProvenantError('CONTENT_TYPE_UNSUPPORTED', 'the request body has a Content-Type this route does not accept; send application/json'),
        internal: false,
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { error: new ProvenantError('JSON_MALFORMED', 'the request body is not valid JSON'), internal: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { error: new ProvenantError('USAGE', 'the request body length differs from its Content-Length'), internal: false };
    case undefined:
      break;
  }
  const status = fe !== null && typeof fe === 'object' ? fe.statusCode : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // A client error fastify or Node raised that has no code of ours (bad URL encoding, ...): the request was wrong.
    return { error: new ProvenantError('USAGE', 'the request is not well formed', { details: { reason: code ?? 'client error' } }), internal: false };
  }
  return { error: new ProvenantError('INTERNAL', 'internal error'), internal: true };
}

/** The WWW-Authenticate challenge that goes with an auth failure (RFC 6750 section 3), if any. */
export function authChallenge(error: ProvenantError): string | undefined {
  if (error.code === 'UNAUTHENTICATED') {
    return error.details?.reason === 'invalid'
      ? `Bearer realm="${AUTH_REALM}", error="invalid_token"`
      : `Bearer realm="${AUTH_REALM}"`;
  }
  if (error.code === 'FORBIDDEN') {
    const scope = typeof error.details?.scope === 'string' ? error.details.scope : undefined;
    return `Bearer realm="${AUTH_REALM}", error="insufficient_scope"${scope === undefined ? '' : `, scope="${scope}"`}`;
  }
  return undefined;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, failure: unknown): FastifyReply {
  const { error, internal } = toReportedError(failure);
  const status = ERROR_CODES[error.code].status;
  if (internal) {
    request.log.error({ err: failure }, 'request failed');
  } else if (status >= 500) {
    request.log.warn({ code: error.code, err: failure }, 'request failed');
  } else {
    request.log.info({ code: error.code }, 'request refused');
  }
  const challenge = authChallenge(error);
  if (challenge !== undefined) void reply.header('www-authenticate', challenge);
  const body: ErrorBody = error.toBody();
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Installs the error and not-found handlers on the root instance (child plugins inherit them). */
export function installErrorReplies(app: FastifyInstance): void {
  app.setErrorHandler((failure, request, reply) => sendError(request, reply, failure));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new ProvenantError('ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?', 1)[0]}`, {
        details: { method: request.method },
      }),
    ),
  );
}

/** The JSON schema of an error body, for route response schemas and the OpenAPI document. */
export const errorBodySchema = {
  type: 'object',
  required: ['code', 'message'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    message: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  },
} as const;
