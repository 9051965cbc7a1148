// Search over the log's index terms, and the blobs entries name by digest.
import type { FastifyInstance } from 'fastify';
import { parseDigest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { MAX_SEARCH_LIMIT } from '../../log/entry-reads.js';
import type { EntryQuery, LogService } from '../../log/service.js';
import { decimalSchema, describe, digestSchema, optionalU64, paramsSchema, querySchema } from '../wire.js';
import { IMMUTABLE } from './cache-control.js';

const TAGS = ['search'];

const termSchema = { type: 'string', minLength: 1, maxLength: 512 } as const;
const CRITERIA = ['subject', 'predicateType', 'signer', 'line', 'target', 'kind', 'repository', 'entry'] as const;

type SearchQuerystring = Partial<Record<(typeof CRITERIA)[number] | 'after' | 'limit', string>>;

const searchPageSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['indices'],
  properties: {
    indices: { type: 'array', items: decimalSchema },
    next: describe(decimalSchema, 'Pass as `after` for the next page; absent on the last page.'),
  },
} as const;

/** RFC 6838 type/subtype with optional parameters; anything else is served as octet-stream. */
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(?:\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(?:[A-Za-z0-9!#$&^_.+-]+|"[^"\\\r\n]*"))*$/;

export async function searchApiRoutes(app: FastifyInstance, opts: { log: LogService }): Promise<void> {
  const { log } = opts;

  app.get<{ Querystring: SearchQuerystring }>('/api/v1/search', {
    config: { access: 'read' },
    schema: {
      tags: TAGS,
      summary: 'Indices of the entries matching every given criterion (at least one), ascending.',
      querystring: querySchema({
        subject: describe(digestSchema, 'An artifact digest the entry is about.'),
        predicateType: describe(termSchema, 'An in-toto predicate type URI.'),
        signer: describe(digestSchema, 'A signer key id: sha256 of its DER SubjectPublicKeyInfo.'),
        line: describe(termSchema, 'A lineage line "provider/name".'),
        target: describe(digestSchema, 'The entry digest a revocation or auditor attestation points at.'),
        kind: describe({ type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' }, 'The entry kind.'),
        repository: describe(termSchema, 'A registry repository.'),
        entry: describe(digestSchema, 'The entry digest of the entry itself (sha256 of its canonical bytes).'),
        after: describe(decimalSchema, 'Only indices above this (the `next` of the previous page).'),
        limit: describe({ type: 'string', pattern: '^[1-9][0-9]{0,3}$' }, `Page size, 1 to ${MAX_SEARCH_LIMIT}.`),
      }),
      response: { 200: searchPageSchema },
    },
    handler: async (request) => {
      const q = request.query;
      const query: { -readonly [K in keyof EntryQuery]: EntryQuery[K] } = {};
      if (q.subject !== undefined) query.subject = parseDigest(q.subject, 'subject');
      if (q.target !== undefined) query.target = parseDigest(q.target, 'target');
      if (q.entry !== undefined) query.entry = parseDigest(q.entry, 'entry');
      if (q.predicateType !== undefined) query.predicateType = q.predicateType;
      if (q.signer !== undefined) query.signer = q.signer;
      if (q.line !== undefined) query.line = q.line;
      if (q.kind !== undefined) query.kind = q.kind;
      if (q.repository !== undefined) query.repository = q.repository;
      if (Object.keys(query).length === 0) {
        throw new ProvenantError('USAGE', `search needs at least one of ${CRITERIA.join(', ')}`);
      }
      const limit = q.limit === undefined ? undefined : Number(q.limit);
      if (limit !== undefined && limit > MAX_SEARCH_LIMIT) {
        throw new ProvenantError('SCHEMA_INVALID', `limit is at most ${MAX_SEARCH_LIMIT}`, { details: { limit } });
      }
      const page = await log.search(query, { after: optionalU64(q.after, 'after'), limit });
      return {
        indices: page.indices.map((i) => i.toString()),
        ...(page.next === undefined ? {} : { next: page.next.toString() }),
      };
    },
  });

  app.get<{ Params: { digest: string } }>('/api/v1/blobs/:digest', {
    config: { access: 'read' },
    schema: {
      tags: TAGS,
      summary: 'Content an entry names by digest (such as the full DSSE envelope of an attestation), with its media type.',
      params: paramsSchema({ digest: digestSchema }),
      response: { 200: { description: 'The blob bytes', content: { '*/*': { schema: { type: 'string', contentEncoding: 'binary' } } } } },
    },
    handler: async (request, reply) => {
      const digest = parseDigest(request.params.digest, 'blob digest');
      const blob = await log.blob(digest);
      if (blob === null) throw new ProvenantError('BLOB_NOT_FOUND', `the log holds no blob ${digest}`, { details: { digest } });
      const type = MEDIA_TYPE_RE.test(blob.mediaType) ? blob.mediaType : 'application/octet-stream';
      return reply
        .type(type)
        .header('cache-control', IMMUTABLE)
        .header('etag', `"${digest}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(blob.data);
    },
  });
}
