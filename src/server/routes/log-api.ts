// The JSON API of the log: its head, appends, entries and Merkle proofs (RFC 6962 section 2.1). Bigints travel as
// decimal strings and hashes as lowercase hex, the shapes src/log/service.ts defines.
import type { FastifyInstance } from 'fastify';
import { ProvenantError } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { AppendResult, LogEntryView, LogService } from '../../log/service.js';
import { base64Schema, decimalSchema, describe, digestSchema, hexHashSchema, optionalU64, paramsSchema, parseU64, querySchema } from '../wire.js';

const TAGS = ['log'];

const infoSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', 'size', 'rootHash', 'checkpoint', 'verifierKey'],
  properties: {
    origin: describe({ type: 'string' }, 'The checkpoint origin line: the name of the log.'),
    size: describe(decimalSchema, 'Leaves in the latest checkpoint.'),
    rootHash: describe(hexHashSchema, 'Root hash of the latest checkpoint.'),
    checkpoint: describe({ type: 'string' }, 'The latest checkpoint, a C2SP signed note.'),
    verifierKey: describe({ type: 'string' }, 'The note verifier key: <name>+<hex key id>+<base64 key>.'),
  },
} as const;

const appendSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'leafHash', 'entryDigest', 'duplicate', 'checkpoint'],
  properties: {
    index: decimalSchema,
    leafHash: hexHashSchema,
    entryDigest: describe(digestSchema, 'sha256 of the canonical entry bytes.'),
    duplicate: describe({ type: 'boolean' }, 'True when an identical entry was already logged; index is that one.'),
    checkpoint: describe({ type: 'string' }, 'A signed checkpoint whose tree contains the entry.'),
  },
} as const;

export const entryViewSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'leafHash', 'entryDigest', 'entryBytes', 'entry', 'integratedAt'],
  properties: {
    index: decimalSchema,
    leafHash: hexHashSchema,
    entryDigest: digestSchema,
    entryBytes: describe(base64Schema, 'The canonical entry bytes (base64); the leaf hash is SHA-256(0x00 || bytes).'),
    entry: describe({ type: 'object', additionalProperties: true }, 'The entry parsed, for reading; verify from entryBytes.'),
    integratedAt: describe({ type: 'string' }, 'When the entry was integrated (RFC 3339).'),
  },
} as const;

const inclusionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'size', 'leafHash', 'hashes', 'checkpoint'],
  properties: {
    index: decimalSchema,
    size: decimalSchema,
    leafHash: hexHashSchema,
    hashes: { type: 'array', items: hexHashSchema },
    checkpoint: describe({ type: 'string' }, 'The signed checkpoint of `size` the proof leads to.'),
  },
} as const;

const consistencySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'hashes'],
  properties: { from: decimalSchema, to: decimalSchema, hashes: { type: 'array', items: hexHashSchema } },
} as const;

export function appendWire(r: AppendResult): Record<string, unknown> {
  return { index: r.index.toString(), leafHash: r.leafHash, entryDigest: r.entryDigest, duplicate: r.duplicate, checkpoint: r.checkpoint };
}

export function entryWire(v: LogEntryView): Record<string, unknown> {
  return {
    index: v.index.toString(),
    leafHash: v.leafHash,
    entryDigest: v.entryDigest,
    entryBytes: v.entryBytes.toString('base64'),
    entry: v.entry,
    integratedAt: v.integratedAt,
  };
}

export interface LogApiHooks {
  /** Called after each append the log acknowledged (for metrics). */
  onAppend?: (result: AppendResult) => void;
}

export async function logApiRoutes(app: FastifyInstance, opts: { log: LogService } & LogApiHooks): Promise<void> {
  const { log } = opts;

  app.get('/api/v1/log', {
    config: { access: 'read' },
    schema: { tags: TAGS, summary: 'The log head: origin, size, root hash, signed checkpoint and verifier key.', response: { 200: infoSchema } },
    handler: async () => {
      const info = await log.info();
      return { ...info, size: info.size.toString() };
    },
  });

  app.post<{ Body: JsonObject }>('/api/v1/log/entries', {
    config: { access: 'write' },
    schema: {
      tags: TAGS,
      summary: 'Append a proposed entry (needs a write token).',
      description: 'The body is a proposed entry as built by the entry layer; it is verified and then sequenced. An identical entry already in the log is answered with 200 and duplicate: true.',
      body: { type: 'object', additionalProperties: true },
      response: { 200: describe(appendSchema, 'Already logged'), 201: describe(appendSchema, 'Appended') },
    },
    handler: async (request, reply) => {
      if (!isJsonObject(request.body)) throw new ProvenantError('SCHEMA_INVALID', 'the body must be a JSON object');
      const result = await log.append(request.body);
      opts.onAppend?.(result);
      return reply.code(result.duplicate ? 200 : 201).send(appendWire(result));
    },
  });

  app.get<{ Params: { index: string } }>('/api/v1/log/entries/:index', {
    config: { access: 'read' },
    schema: {
      tags: TAGS,
      summary: 'The entry at an index.',
      params: paramsSchema({ index: describe(decimalSchema, 'Leaf index.') }),
      response: { 200: entryViewSchema },
    },
    handler: async (request) => entryWire(await log.entry(parseU64(request.params.index, 'index'))),
  });

  app.get<{ Querystring: { leafHash: string } }>('/api/v1/log/entries', {
    config: { access: 'read' },
    schema: {
      tags: TAGS,
      summary: 'The entry with a leaf hash.',
      querystring: querySchema({ leafHash: describe(hexHashSchema, 'SHA-256(0x00 || entry bytes), lowercase hex.') }, ['leafHash']),
      response: { 200: entryViewSchema },
    },
    handler: async (request) => entryWire(await log.entryByLeafHash(request.query.leafHash)),
  });

  app.get<{ Querystring: { index: string; size?: string } }>('/api/v1/log/proof/inclusion', {
    config: { access: 'read' },
    schema: {
      tags: TAGS,
      summary: 'Inclusion proof of a leaf (RFC 6962 section 2.1.1).',
      querystring: querySchema(
        { index: describe(decimalSchema, 'Leaf index.'), size: describe(decimalSchema, 'Tree size; default: the latest checkpoint.') },
        ['index'],
      ),
      response: { 200: inclusionSchema },
    },
    handler: async (request) => {
      const proof = await log.inclusionProof(parseU64(request.query.index, 'index'), optionalU64(request.query.size, 'size'));
      return { ...proof, index: proof.index.toString(), size: proof.size.toString() };
    },
  });

  app.get<{ Querystring: { from: string; to: string } }>('/api/v1/log/proof/consistency', {
    config: { access: 'read' },
    schema: {
      tags: TAGS,
      summary: 'Consistency proof between two tree sizes (RFC 6962 section 2.1.2).',
      querystring: querySchema({ from: describe(decimalSchema, 'The older size.'), to: describe(decimalSchema, 'The newer size.') }, ['from', 'to']),
      response: { 200: consistencySchema },
    },
    handler: async (request) => {
      const proof = await log.consistencyProof(parseU64(request.query.from, 'from'), parseU64(request.query.to, 'to'));
      return { from: proof.from.toString(), to: proof.to.toString(), hashes: proof.hashes };
    },
  });
}
