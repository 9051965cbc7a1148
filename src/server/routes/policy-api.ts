// Policies over HTTP (docs/api.md, docs/policy-runtime.md): apply a YAML text (each changed document becomes a
// new version in the log, signed by the service key), delete one, list the set in force and every version of a
// name. A change takes effect on the next decision and re-evaluates the admitted images.
import type { FastifyInstance } from 'fastify';
import { ProvenantError } from '../../core/errors.js';
import { isJsonObject, type JsonValue } from '../../core/json.js';
import type { LogService } from '../../log/service.js';
import { isPolicyName } from '../../policy/document/index.js';
import { readPolicyVersions, type PolicyRuntime, type PolicyVersion } from '../../policy/runtime/index.js';
import { describe, paramsSchema } from '../wire.js';
import { toWire } from '../../core/wire-values.js';

export const POLICIES_PATH = '/api/v1/policies';
const TAGS = ['policies'];
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];
/** The parser's own bound on one YAML text (src/policy/document). */
const MAX_POLICY_BODY_BYTES = 4 * 1024 * 1024;

export interface PolicyRouteOptions {
  readonly runtime: PolicyRuntime;
  readonly log: LogService;
  /** Key ids whose policy versions count: the service key and the configured policy keys. */
  readonly trustedSigners: readonly string[];
}

const anyObject = { type: 'object', additionalProperties: true } as const;
const nameParams = paramsSchema({ name: { type: 'string', minLength: 1, maxLength: 253 } });

export function policyApiRoutes(options: PolicyRouteOptions): (app: FastifyInstance) => Promise<void> {
  return (app) => policyApiPlugin(app, options);
}

async function policyApiPlugin(app: FastifyInstance, { runtime, log, trustedSigners }: PolicyRouteOptions): Promise<void> {
  for (const type of YAML_TYPES) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: MAX_POLICY_BODY_BYTES }, (_request, body, done) => done(null, body));
  }

  app.post<{ Body: string | JsonValue }>(POLICIES_PATH, {
    config: { access: 'write' },
    bodyLimit: MAX_POLICY_BODY_BYTES,
    schema: {
      tags: TAGS,
      summary: 'Apply policies (needs a write token).',
      description:
        'The body is the YAML text (application/yaml) or {"document": "<yaml>"} (application/json): ProvenancePolicy and ClusterImagePolicy ' +
        'documents. Each document that differs from the version in force of its name is appended as a new version; an invalid one is ' +
        '400 POLICY_INVALID with details.line, column and field, and nothing is appended.',
      response: { 200: describe(anyObject, 'What was applied and what was unchanged, with versions and log indices') },
    },
    handler: async (request) => {
      const text = policyText(request.body);
      return toWire(await runtime.applyPolicies(text, 'request body'));
    },
  });

  app.delete<{ Params: { name: string } }>(`${POLICIES_PATH}/:name`, {
    config: { access: 'write' },
    schema: {
      tags: TAGS,
      summary: 'Delete a policy: appends a deletion version (needs a write token).',
      params: nameParams,
      response: { 200: anyObject },
    },
    handler: async (request) => toWire(await runtime.deletePolicies([checkedName(request.params.name)])),
  });

  app.get(POLICIES_PATH, {
    config: { access: 'read' },
    schema: { tags: TAGS, summary: 'The policies in force and the policy set version.', response: { 200: anyObject } },
    handler: async () => {
      const current = await runtime.policies();
      return toWire({
        version: current.version,
        policies: current.policies.map(versionSummary),
        problems: current.problems,
      });
    },
  });

  app.get<{ Params: { name: string } }>(`${POLICIES_PATH}/:name/versions`, {
    config: { access: 'read' },
    schema: { tags: TAGS, summary: 'Every version of one policy, oldest first, with its log index and previous version.', params: nameParams, response: { 200: anyObject } },
    handler: async (request) => {
      const name = checkedName(request.params.name);
      const history = await readPolicyVersions(log, { trustedSigners });
      const versions = history.versions.filter((v) => v.name === name);
      if (versions.length === 0) throw new ProvenantError('POLICY_NOT_FOUND', `no policy named ${JSON.stringify(name)} was ever applied`, { details: { name } });
      return toWire({ name, versions: versions.map((v) => ({ ...versionSummary(v), document: v.document })) });
    },
  });
}

function policyText(body: string | JsonValue): string {
  if (typeof body === 'string') return body;
  if (isJsonObject(body) && Object.keys(body).length === 1 && typeof body.document === 'string') return body.document;
  throw new ProvenantError('SCHEMA_INVALID', 'a JSON body must be {"document": "<YAML text>"}; or send the YAML itself as application/yaml');
}

function checkedName(name: string): string {
  if (!isPolicyName(name)) throw new ProvenantError('SCHEMA_INVALID', `${JSON.stringify(name)} is not a policy name`, { details: { name } });
  return name;
}

function versionSummary(v: PolicyVersion): Record<string, unknown> {
  return {
    name: v.name,
    format: v.format,
    version: v.version,
    previous: v.previous,
    logIndex: v.logIndex,
    entryDigest: v.entryDigest,
    originDigest: v.originDigest,
    integratedAt: v.integratedAt,
    signer: v.signer,
    state: v.content.kind,
    ...(v.content.kind === 'policy' ? { mode: v.content.policy.mode, rules: v.content.policy.rules.length } : {}),
    ...(v.content.kind === 'invalid' ? { problem: v.content.reason } : {}),
  };
}
