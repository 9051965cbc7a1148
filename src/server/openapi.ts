// The OpenAPI 3.1 description of the service, built from the JSON schemas the routes register (an onRoute hook
// sees each one), so the document cannot drift from what the server validates. OpenAPI 3.1 schemas are JSON
// Schema 2020-12; the route schemas use only keywords whose meaning is the same in draft-07, which AJV checks.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ERROR_CODES } from '../core/errors.js';
import { errorBodySchema } from './error-replies.js';

type Schema = Record<string, unknown>;

declare module 'fastify' {
  interface FastifySchema {
    /** OpenAPI operation fields, carried in the route schema; fastify ignores them. */
    summary?: string;
    description?: string;
    tags?: string[];
    /** Media types of the body when it is not application/json (documentation only). */
    consumes?: string[];
  }
}

interface RouteSchema {
  summary?: string;
  description?: string;
  tags?: string[];
  params?: Schema;
  querystring?: Schema;
  body?: Schema;
  response?: Record<string, Schema>;
  /** Media type of the body when it is not JSON (documentation only). */
  consumes?: string[];
}

interface CollectedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: RouteSchema;
  readonly access: string;
}

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

export type OpenApiDocument = Record<string, unknown>;

/** Collects routes as they are registered; `document()` renders what was collected. */
export class OpenApiCollector {
  private readonly routes: CollectedRoute[] = [];

  /** `readAuth` decides whether read routes are documented as needing a token. */
  constructor(private readonly readAuth: 'open' | 'token') {}

  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => this.collect(route));
  }

  private collect(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      // HEAD routes are the GET routes again, added by fastify.
      if (method === 'HEAD') continue;
      this.routes.push({
        method: method.toLowerCase(),
        url: route.url,
        schema: (route.schema ?? {}) as RouteSchema,
        access: route.config?.access ?? 'public',
      });
    }
  }

  document(info: OpenApiInfo): OpenApiDocument {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of [...this.routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))) {
      const { path, wildcard } = openApiPath(route.url);
      paths[path] ??= {};
      paths[path][route.method] = operation(route, wildcard, this.readAuth);
    }
    return {
      openapi: '3.1.0',
      info,
      jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
      paths,
      components: {
        schemas: { Error: errorBodySchema },
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (pvt_...) with the read or write scope.' } },
      },
    };
  }
}

/** Fastify's `:name` parameters become `{name}`; the trailing `*` wildcard becomes a `{path}` parameter. */
function openApiPath(url: string): { path: string; wildcard: boolean } {
  const wildcard = url.endsWith('*');
  const path = (wildcard ? `${url.slice(0, -1)}{path}` : url).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return { path, wildcard };
}

function operation(route: CollectedRoute, wildcard: boolean, readAuth: 'open' | 'token'): Record<string, unknown> {
  const { schema } = route;
  const parameters = [
    ...parametersOf(schema.params, 'path'),
    ...parametersOf(schema.querystring, 'query'),
    ...(wildcard
      ? [{ name: 'path', in: 'path', required: true, description: 'The rest of the path; it may hold several segments.', schema: { type: 'string' } }]
      : []),
  ];
  const op: Record<string, unknown> = {
    operationId: `${route.method}${route.url.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    responses: responsesOf(schema.response ?? {}),
  };
  if (schema.summary !== undefined) op.summary = schema.summary;
  if (schema.description !== undefined) op.description = schema.description;
  if (schema.tags !== undefined) op.tags = schema.tags;
  if (parameters.length > 0) op.parameters = parameters;
  if (schema.body !== undefined) {
    const types = schema.consumes ?? ['application/json'];
    op.requestBody = { required: true, content: Object.fromEntries(types.map((t) => [t, { schema: schema.body }])) };
  }
  const needsToken = route.access === 'write' || (route.access === 'read' && readAuth === 'token');
  op.security = needsToken ? [{ bearer: [route.access] }] : [];
  return op;
}

function parametersOf(object: Schema | undefined, where: 'path' | 'query'): Record<string, unknown>[] {
  const properties = (object?.properties ?? {}) as Record<string, Schema>;
  const required = new Set((object?.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function responsesOf(response: Record<string, Schema>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(response)) {
    const description = typeof schema.description === 'string' ? schema.description : statusDescription(status);
    if ('content' in schema) {
      out[status] = { description, content: schema.content };
    } else {
      const body = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'description'));
      out[status] = { description, content: { 'application/json': { schema: body } } };
    }
  }
  out.default = {
    description: `An error: {code, message, details?}; the status is the code's (${Object.keys(ERROR_CODES).length} codes, see docs/errors.md).`,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  };
  return out;
}

function statusDescription(status: string): string {
  const known: Record<string, string> = { '200': 'OK', '201': 'Created', '204': 'No content', '503': 'Unavailable' };
  return known[status] ?? status;
}
