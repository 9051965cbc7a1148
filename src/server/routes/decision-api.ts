// The policy engine over HTTP: advisory data in (OSV records, all or nothing), decisions about an image digest
// (recorded in the decision log unless dryRun), the decision log, and the re-evaluation reports.
import type { FastifyInstance } from 'fastify';
import { ProvenantError } from '../../core/errors.js';
import { parseJson, type JsonValue } from '../../core/json.js';
import { parseImageReference } from '../../oci/reference.js';
import type { PolicyRuntime } from '../../policy/runtime/index.js';
import type { DecisionStore } from '../../store/policy-ports.js';
import type { PolicyMetrics } from '../policy-metrics.js';
import { decisionLine } from '../decision-log.js';
import { describe, digestSchema, querySchema } from '../wire.js';
import { toWire } from '../../core/wire-values.js';

export const ADVISORIES_PATH = '/api/v1/advisories';
export const DECISIONS_PATH = '/api/v1/decisions';
export const REEVALUATIONS_PATH = '/api/v1/reevaluations';
const NDJSON = 'application/x-ndjson';
const MAX_ADVISORY_BODY_BYTES = 64 * 1024 * 1024;
const MAX_ADVISORIES_PER_REQUEST = 50_000;

export interface DecisionRouteOptions {
  readonly runtime: PolicyRuntime;
  readonly decisions: DecisionStore;
  readonly metrics: PolicyMetrics;
}

const anyObject = { type: 'object', additionalProperties: true } as const;
const labelsSchema = { type: 'object', maxProperties: 256, additionalProperties: { type: 'string', maxLength: 1024 } } as const;

const decideBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reference'],
  properties: {
    reference: describe({ type: 'string', minLength: 1, maxLength: 2048 }, 'The image reference as deployed.'),
    digest: describe(digestSchema, 'The manifest digest the reference resolved to; required unless the reference pins one.'),
    namespace: { type: 'string', minLength: 1, maxLength: 253 },
    namespaceLabels: labelsSchema,
    kind: { type: 'string', minLength: 1, maxLength: 64 },
    dryRun: describe({ type: 'boolean' }, 'Decide without recording the decision.'),
    source: describe({ type: 'string', enum: ['api', 'gate'] }, 'Who asks: "gate" for a deploy gate (recorded as such); default "api".'),
  },
} as const;

interface DecideBody {
  reference: string;
  digest?: string;
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  kind?: string;
  dryRun?: boolean;
  source?: 'api' | 'gate';
}

export function decisionApiRoutes(options: DecisionRouteOptions): (app: FastifyInstance) => Promise<void> {
  return (app) => decisionApiPlugin(app, options);
}

async function decisionApiPlugin(app: FastifyInstance, { runtime, decisions, metrics }: DecisionRouteOptions): Promise<void> {
  app.addContentTypeParser(NDJSON, { parseAs: 'buffer', bodyLimit: MAX_ADVISORY_BODY_BYTES }, (_request, body, done) => {
    try {
      done(null, ndjsonRecords(body as Buffer));
    } catch (e) {
      done(e as Error);
    }
  });

  app.post<{ Body: JsonValue }>(ADVISORIES_PATH, {
    config: { access: 'write' },
    bodyLimit: MAX_ADVISORY_BODY_BYTES,
    schema: {
      tags: ['advisories'],
      summary: 'Add or update OSV advisories (needs a write token).',
      description:
        'The body is NDJSON (application/x-ndjson, one OSV record per line) or a JSON array of records. All or nothing: one malformed record is ' +
        '400 OSV_MALFORMED with details.index. A record replaces the stored one of its id when its `modified` is later. Anything new re-evaluates the admitted images.',
      response: { 200: anyObject },
    },
    handler: async (request) => {
      const records = request.body;
      if (!Array.isArray(records)) throw new ProvenantError('SCHEMA_INVALID', 'the body must be a JSON array of OSV records, or NDJSON');
      if (records.length > MAX_ADVISORIES_PER_REQUEST) {
        throw new ProvenantError('INPUT_TOO_LARGE', `at most ${MAX_ADVISORIES_PER_REQUEST} advisories per request`, { details: { records: records.length } });
      }
      const result = await runtime.addAdvisories(records);
      return toWire({ ...result, version: (await runtime.advisoryVersion()).version });
    },
  });

  app.get(ADVISORIES_PATH, {
    config: { access: 'read' },
    schema: { tags: ['advisories'], summary: 'The advisory data in force: count and version.', response: { 200: anyObject } },
    handler: async () => toWire(await runtime.advisoryVersion()),
  });

  app.post<{ Body: DecideBody }>(DECISIONS_PATH, {
    config: { access: 'write' },
    schema: {
      tags: ['decisions'],
      summary: 'Decide about an image (needs a write token: the decision is recorded unless dryRun).',
      body: decideBody,
      response: { 200: describe(anyObject, '{ decision, cached, recordId? }') },
    },
    handler: async (request) => {
      const body = request.body;
      const digest = digestOf(body.reference, body.digest);
      const result = await runtime.decide({
        reference: body.reference,
        digest,
        source: body.source ?? 'api',
        ...(body.namespace === undefined ? {} : { namespace: body.namespace }),
        ...(body.namespaceLabels === undefined ? {} : { namespaceLabels: body.namespaceLabels }),
        ...(body.kind === undefined ? {} : { kind: body.kind }),
        ...(body.dryRun === true ? { dryRun: true } : {}),
      });
      metrics.decided(result.decision.outcome, body.source ?? 'api', result.cached);
      request.log.info({ decision: decisionLine(result.decision, { source: body.source ?? 'api', ...body }, result.cached) }, 'decision');
      return toWire(result);
    },
  });

  app.get<{ Querystring: { digest: string; limit?: string } }>(DECISIONS_PATH, {
    config: { access: 'read' },
    schema: {
      tags: ['decisions'],
      summary: 'The recorded decisions about an image digest, newest first.',
      querystring: querySchema({ digest: digestSchema, limit: { type: 'string', pattern: '^[1-9][0-9]{0,3}$' } }, ['digest']),
      response: { 200: anyObject },
    },
    handler: async (request) => {
      const limit = request.query.limit === undefined ? 100 : Math.min(1000, Number(request.query.limit));
      const rows = await decisions.decisionsFor(request.query.digest, limit);
      return toWire({ decisions: rows.map(({ decision, ...row }) => ({ ...row, decision: parseJson(decision, 'stored decision') })) });
    },
  });

  app.get(REEVALUATIONS_PATH, {
    config: { access: 'read' },
    schema: { tags: ['decisions'], summary: 'The latest re-evaluation reports, newest last.', response: { 200: anyObject } },
    handler: async () => toWire({ reports: runtime.reports() }),
  });

  app.post(REEVALUATIONS_PATH, {
    config: { access: 'write' },
    schema: { tags: ['decisions'], summary: 'Re-evaluate every admitted image now and return the report (needs a write token).', response: { 200: anyObject } },
    handler: async () => toWire(await runtime.runNow('manual')),
  });
}

/** The digest asked about: the one given (the runtime refuses one that differs from a pinned reference), or the pinned one. */
function digestOf(reference: string, digest: string | undefined): string {
  if (digest !== undefined) return digest;
  const pinned = parseImageReference(reference).digest;
  if (pinned === undefined) throw new ProvenantError('SCHEMA_INVALID', 'give the digest the reference resolved to, or a reference that pins one');
  return pinned;
}

function ndjsonRecords(body: Buffer): JsonValue[] {
  const records: JsonValue[] = [];
  let line = 0;
  for (const text of body.toString('utf8').split('\n')) {
    line++;
    if (text.trim() === '') continue;
    try {
      records.push(parseJson(text, `NDJSON line ${line}`));
    } catch (e) {
      if (e instanceof ProvenantError) throw new ProvenantError(e.code, `line ${line}: ${e.message}`, { details: { line }, cause: e });
      throw e;
    }
  }
  return records;
}
