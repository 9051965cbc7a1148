// The HTTP service of `provenant serve`: the log's JSON API, the C2SP tlog-tiles read API, health, metrics and the
// OpenAPI description, with bearer-token access control, strict JSON bodies and one error body everywhere.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { ProvenantError } from '../core/errors.js';
import type { RegistryIngest } from '../ingest/index.js';
import type { TransparencyLog } from '../log/transparency-log.js';
import { installAccessControl, type ReadAuth } from './auth.js';
import { DrainState } from './draining.js';
import { installErrorReplies } from './error-replies.js';
import { installJsonBody } from './json-body.js';
import { ServerMetrics } from './metrics.js';
import { OpenApiCollector } from './openapi.js';
import { logApiRoutes } from './routes/log-api.js';
import { operationsRoutes } from './routes/operations.js';
import { registryNotificationRoutes } from './routes/registry-notifications.js';
import { searchApiRoutes } from './routes/search-api.js';
import { tileRoutes } from './routes/tiles.js';
import type { TokenStore } from './tokens.js';

export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
const API_VERSION = '1';

export interface ServerOptions {
  /** The log served; stop() closes it (src/log/transparency-log.ts). */
  readonly log: TransparencyLog;
  /** Accepted bearer tokens (src/server/tokens.ts); appends need a 'write' token. */
  readonly tokens: TokenStore;
  /** 'open': anyone may read; 'token': reads need a 'read' or 'write' token. */
  readonly readAuth: ReadAuth;
  /** Largest request body accepted; larger is 413 INPUT_TOO_LARGE. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  /** Serve HTTPS with this certificate chain and private key (PEM text). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** pino options for fastify's logger, or false for none. Default: pino at info on stdout (see loggerOptions). */
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * The registry ingest (src/ingest/) behind POST /api/v1/registry/notifications (write token). Without it the route
   * does not exist. stop() drains it (its queued pushes are recorded) before closing the log.
   */
  readonly registryNotifications?: RegistryIngest;
  /** Further route plugins, registered after the built-in routes; each route must set config.access. */
  readonly extraRoutes?: readonly ((app: FastifyInstance) => Promise<void>)[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Shutdown state; startServer's stop() drains through it. */
    readonly drain: DrainState;
    readonly servedLog: TransparencyLog;
    readonly registryIngest: RegistryIngest | null;
    /** The Prometheus registry /metrics serves, for route plugins that add metrics of their own. */
    readonly metricsRegistry: ServerMetrics['registry'];
  }
}

/** Builds the service, ready to listen (see src/server/lifecycle.ts for listening and graceful shutdown). */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new ProvenantError('USAGE', `maxBodyBytes must be a positive integer, not ${maxBodyBytes}`);
  }
  const app = createFastify(options, maxBodyBytes);
  const drain = new DrainState();
  const ingest = options.registryNotifications;
  const metrics = new ServerMetrics(() => options.log.stats(), ingest === undefined ? undefined : () => ingest.stats());
  const openApi = new OpenApiCollector(options.readAuth);
  app.decorate('drain', drain);
  app.decorate('servedLog', options.log);
  app.decorate('registryIngest', ingest ?? null);
  app.decorate('metricsRegistry', metrics.registry);

  installErrorReplies(app);
  installJsonBody(app, maxBodyBytes);
  // Route hooks first, so every route registered below is collected, counted and guarded.
  openApi.install(app);
  installAccessControl(app, { tokens: options.tokens, readAuth: options.readAuth, onFailure: (reason) => metrics.authFailed(reason) });
  drain.install(app);
  metrics.install(app);
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.header('x-request-id', request.id);
    return payload;
  });

  await app.register(operationsRoutes, {
    metrics,
    openApi,
    info: { title: 'Provenant transparency log', version: API_VERSION },
    accepting: () => drain.accepting,
    storeReady: () => options.log.ping(),
  });
  await app.register(logApiRoutes, { log: options.log });
  await app.register(searchApiRoutes, { log: options.log });
  await app.register(tileRoutes, { log: options.log });
  if (ingest !== undefined) await app.register(registryNotificationRoutes({ ingest }));
  for (const routes of options.extraRoutes ?? []) await app.register(routes);
  await app.ready();
  return app;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

function createFastify(options: ServerOptions, maxBodyBytes: number): FastifyInstance {
  const common = {
    logger: loggerOptions(options.logger),
    bodyLimit: maxBodyBytes,
    // Draining is ours (DrainState), so requests on open connections get our error body, not fastify's.
    return503OnClosing: false,
    forceCloseConnections: 'idle' as const,
    requestTimeout: 120_000,
    // A caller's request id is kept when it is a plain token, so logs correlate across services.
    genReqId: (req: IncomingMessage): string => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
    ajv: {
      // Validation only: no coercion ("12abc" is not a number), no defaults, no silent removal of unknown fields.
      customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false },
    },
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  };
  if (options.tls === undefined) return Fastify(common);
  try {
    const app = Fastify({ ...common, https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' } });
    return app as unknown as FastifyInstance;
  } catch (cause) {
    throw new ProvenantError('TLS_CONFIG_INVALID', 'the TLS certificate or key cannot be used', { cause });
  }
}

/** Default logging: pino at info, request ids, never the Authorization header; bodies are never logged. */
export function loggerOptions(logger: ServerOptions['logger']): FastifyServerOptions['logger'] {
  if (logger === false) return false;
  const base = logger === undefined || logger === true ? { level: 'info' } : logger;
  if (typeof base !== 'object') return base;
  const redact = ['req.headers.authorization', 'req.headers.cookie'];
  return { ...base, redact: { paths: redact, censor: '[redacted]' } } as FastifyServerOptions['logger'];
}
