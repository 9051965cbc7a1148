// Bearer-token access control (RFC 6750). Every route declares its access in its config: 'public' (health,
// metrics, the API description), 'read' (the log's contents; open unless the server runs with readAuth 'token')
// or 'write' (appends). A missing or unknown token is UNAUTHENTICATED (401 with a WWW-Authenticate challenge), a
// known token without the scope is FORBIDDEN (403). Checks run in onRequest, before the body is read.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { ProvenantError } from '../core/errors.js';
import type { TokenRecord, TokenScope, TokenStore } from './tokens.js';

export type RouteAccess = 'public' | TokenScope;
export type ReadAuth = 'open' | 'token';
export type AuthFailureReason = 'missing' | 'malformed' | 'invalid' | 'scope';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route of the service sets it. */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** The name of the token the request authenticated with, if any (never the token itself). */
    tokenName?: string;
  }
}

/** The token text of an `Authorization: Bearer <token>` header, or why there is none. */
export function bearerToken(header: string | undefined): { token: string } | { reason: 'missing' | 'malformed' } {
  if (header === undefined || header === '') return { reason: 'missing' };
  const m = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return m === null ? { reason: 'malformed' } : { token: m[1]! };
}

function grants(record: TokenRecord, scope: TokenScope): boolean {
  // A write token may also read: whoever can append to the log can see it.
  return record.scopes.includes(scope) || (scope === 'read' && record.scopes.includes('write'));
}

/**
 * An onRequest hook that admits only requests carrying a token with `scope`. Exported for route modules that are
 * registered outside the `config.access` convention; `onFailure` sees each refusal (for metrics).
 */
export function requireScope(
  tokens: TokenStore,
  scope: TokenScope,
  onFailure: (reason: AuthFailureReason) => void = () => undefined,
): onRequestHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const bearer = bearerToken(request.headers.authorization);
    if ('reason' in bearer) {
      onFailure(bearer.reason);
      throw new ProvenantError('UNAUTHENTICATED', `this route needs a bearer token with the ${scope} scope`, {
        details: { reason: bearer.reason },
      });
    }
    const record = await tokens.lookup(bearer.token);
    if (record === null) {
      onFailure('invalid');
      throw new ProvenantError('UNAUTHENTICATED', 'the bearer token is not one this server knows', { details: { reason: 'invalid' } });
    }
    request.tokenName = record.name;
    if (!grants(record, scope)) {
      onFailure('scope');
      throw new ProvenantError('FORBIDDEN', `the token "${record.name}" does not have the ${scope} scope`, { details: { scope } });
    }
  };
}

/**
 * Adds the access check of each route's `config.access` as it is registered (also for routes of child plugins
 * registered afterwards). A route without `access` is refused at startup, so none is left open by omission.
 */
export function installAccessControl(
  app: FastifyInstance,
  options: { tokens: TokenStore; readAuth: ReadAuth; onFailure?: (reason: AuthFailureReason) => void },
): void {
  const hooks: Record<TokenScope, onRequestHookHandler> = {
    read: requireScope(options.tokens, 'read', options.onFailure),
    write: requireScope(options.tokens, 'write', options.onFailure),
  };
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined) {
      throw new ProvenantError('INTERNAL', `route ${String(route.method)} ${route.url} declares no config.access`);
    }
    if (access === 'public' || (access === 'read' && options.readAuth === 'open')) return;
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [hooks[access], ...existing];
  });
}
