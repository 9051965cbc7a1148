// What operators and orchestrators poll: liveness, readiness, Prometheus metrics and the API description.
import type { FastifyInstance } from 'fastify';
import { ProvenantError } from '../../core/errors.js';
import type { ServerMetrics } from '../metrics.js';
import type { OpenApiCollector, OpenApiInfo } from '../openapi.js';

const TAGS = ['operations'];

export interface OperationsOptions {
  readonly metrics: ServerMetrics;
  readonly openApi: OpenApiCollector;
  readonly info: OpenApiInfo;
  /** True while the service accepts work: false once shutdown began. */
  readonly accepting: () => boolean;
  /** True when the store answers. */
  readonly storeReady: () => Promise<boolean>;
}

const statusSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok', 'ready'] } },
} as const;

export async function operationsRoutes(app: FastifyInstance, opts: OperationsOptions): Promise<void> {
  app.get('/healthz', {
    config: { access: 'public', whileDraining: true },
    schema: { tags: TAGS, summary: 'Liveness: the process is up and answering.', response: { 200: statusSchema } },
    handler: async () => ({ status: 'ok' }),
  });

  app.get('/readyz', {
    config: { access: 'public', whileDraining: true },
    schema: {
      tags: TAGS,
      summary: 'Readiness: the store answers and the service is not shutting down (else 503 SERVICE_UNAVAILABLE).',
      response: { 200: statusSchema },
    },
    handler: async () => {
      if (!opts.accepting()) throw new ProvenantError('SERVICE_UNAVAILABLE', 'the service is shutting down');
      let ready = false;
      try {
        ready = await opts.storeReady();
      } catch {
        ready = false;
      }
      if (!ready) throw new ProvenantError('SERVICE_UNAVAILABLE', 'the store does not answer');
      return { status: 'ready' };
    },
  });

  app.get('/metrics', {
    config: { access: 'public' },
    schema: {
      tags: TAGS,
      summary: 'Prometheus metrics (text exposition format 0.0.4).',
      response: { 200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } } },
    },
    handler: async (_request, reply) => reply.type(opts.metrics.contentType).header('cache-control', 'no-store').send(await opts.metrics.text()),
  });

  app.get('/openapi.json', {
    config: { access: 'public' },
    schema: {
      tags: TAGS,
      summary: 'This API described as OpenAPI 3.1, generated from the route schemas.',
      response: { 200: { description: 'OpenAPI document', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
    handler: async (_request, reply) => reply.type('application/json; charset=utf-8').send(JSON.stringify(opts.openApi.document(opts.info))),
  });
}
