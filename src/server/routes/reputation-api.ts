// Provider reputation over HTTP (docs/reputation.md): reporters post signed events, which are verified against the
// keys the service trusts for reputation and appended to the log as attestation entries; anyone who may read the
// log may ask for a provider's score, explained event by event. The service never signs an event itself.
import type { FastifyInstance } from 'fastify';
import { decodeBase64 } from '../../core/bytes.js';
import { isProvenantError, ProvenantError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { Verifier } from '../../crypto/index.js';
import { envelopeFromJsonObject, verifyEnvelope } from '../../formats/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../formats/intoto.js';
import { proposeAttestation } from '../../log/entries/index.js';
import { isUtcTimestamp } from '../../log/entries/strict-object.js';
import type { LogService } from '../../log/service.js';
import { DEFAULT_HALF_LIFE_DAYS, readReputationStatement, ReputationBook, reputationJson } from '../../reputation/index.js';
import { decimalSchema, describe, digestSchema, querySchema } from '../wire.js';
import { appendWire } from './log-api.js';

export const REPUTATION_EVENTS_PATH = '/api/v1/reputation/events';
export const REPUTATION_PROVIDERS_PATH = '/api/v1/reputation/providers/';

const TAGS = ['reputation'];
// A signed event is under 2 KiB; the envelope of anything much larger is not one.
const MAX_EVENT_BODY_BYTES = 64 * 1024;

export interface ReputationRouteOptions {
  readonly log: LogService;
  /** The keys whose events the service accepts and counts; from the service's configuration. */
  readonly trustedKeys: readonly Verifier[];
}

const appendedSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'leafHash', 'entryDigest', 'duplicate', 'checkpoint', 'provider', 'type', 'signer'],
  properties: {
    index: decimalSchema,
    leafHash: { type: 'string' },
    entryDigest: digestSchema,
    duplicate: describe({ type: 'boolean' }, 'True when the same event entry was already logged.'),
    checkpoint: { type: 'string' },
    provider: { type: 'string' },
    type: { type: 'string' },
    signer: describe(digestSchema, 'The trusted key that signed the event.'),
  },
} as const;

const numberSchema = { type: 'number' } as const;

const scoreSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'at', 'halfLifeDays', 'score', 'positive', 'negative', 'events', 'ignored', 'trustedSigners'],
  properties: {
    provider: { type: 'string' },
    at: describe({ type: 'string' }, 'The instant scored (RFC 3339 UTC).'),
    halfLifeDays: numberSchema,
    score: describe(numberSchema, '100 * (R + 1) / (R + S + 2): 50 without evidence.'),
    positive: describe(numberSchema, 'R: the sum of weight * r over the events.'),
    negative: describe(numberSchema, 'S: the sum of weight * s over the events.'),
    events: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['logIndex', 'entryDigest', 'type', 'r', 's', 'weight', 'contribution', 'reason'],
        properties: {
          logIndex: decimalSchema,
          entryDigest: digestSchema,
          type: { type: 'string' },
          r: numberSchema,
          s: numberSchema,
          weight: numberSchema,
          contribution: describe(numberSchema, 'weight * (r - s).'),
          reason: { type: 'string' },
        },
      },
    },
    ignored: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['logIndex', 'reason'],
        properties: { logIndex: decimalSchema, entryDigest: digestSchema, reason: { type: 'string' } },
      },
    },
    trustedSigners: { type: 'array', items: digestSchema },
  },
} as const;

/** The routes as a plugin for buildServer's `extraRoutes`. */
export function reputationApiRoutes(options: ReputationRouteOptions): (app: FastifyInstance) => Promise<void> {
  return (app) => reputationApiPlugin(app, options);
}

export async function reputationApiPlugin(app: FastifyInstance, options: ReputationRouteOptions): Promise<void> {
  const { log, trustedKeys } = options;
  const trustedSigners = trustedKeys.map((k) => k.keyId);

  app.post<{ Body: JsonObject }>(REPUTATION_EVENTS_PATH, {
    config: { access: 'write' },
    bodyLimit: MAX_EVENT_BODY_BYTES,
    schema: {
      tags: TAGS,
      summary: 'Append a signed reputation event (needs a write token).',
      description:
        'The body is the DSSE envelope of an in-toto statement of a reputation event, signed by a key the service trusts for reputation ' +
        '(422 REPUTATION_SIGNER_UNTRUSTED otherwise). It is appended as an attestation entry; the same entry again is answered with 200.',
      body: { type: 'object', additionalProperties: true },
      response: { 200: describe(appendedSchema, 'Already logged'), 201: describe(appendedSchema, 'Appended') },
    },
    handler: async (request, reply) => {
      const envelope = envelopeFromJsonObject(request.body);
      if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
        throw new ProvenantError('PAYLOAD_MALFORMED', `the envelope's payloadType must be ${IN_TOTO_PAYLOAD_TYPE}`);
      }
      const key = trustedSigner(envelope, trustedKeys);
      const event = readReputationStatement(decodeBase64(envelope.payload, 'DSSE payload'));
      const result = await log.append(proposeAttestation(envelope, key.publicKeyPem()));
      return reply.code(result.duplicate ? 200 : 201).send({ ...appendWire(result), provider: event.provider, type: event.type, signer: key.keyId });
    },
  });

  app.get<{ Params: { '*': string }; Querystring: { at?: string; halfLifeDays?: string } }>(`${REPUTATION_PROVIDERS_PATH}*`, {
    config: { access: 'read' },
    schema: {
      tags: TAGS,
      summary: "A provider's score and the events behind it.",
      description:
        'The path names the provider (percent-encoded where needed: "#" as %23): a registry namespace, key:sha256:<hex> or identity:<issuer>#<subject>. ' +
        'Only events signed by the keys the service trusts count; the others found are listed as ignored.',
      querystring: querySchema({
        at: describe({ type: 'string', maxLength: 40 }, 'Score as of this instant (RFC 3339 UTC); default now.'),
        halfLifeDays: describe({ type: 'string', pattern: '^[0-9]{1,5}(\\.[0-9]{1,6})?$' }, `Days after which an event weighs half; default ${DEFAULT_HALF_LIFE_DAYS}.`),
      }),
      response: { 200: scoreSchema },
    },
    handler: async (request) => {
      const { at, halfLifeDays } = request.query;
      if (at !== undefined && !isUtcTimestamp(at)) throw new ProvenantError('SCHEMA_INVALID', 'at must be an RFC 3339 UTC timestamp', { details: { at } });
      const rep = await new ReputationBook(log, { trustedSigners }).score(request.params['*'], {
        at: at ?? new Date(),
        ...(halfLifeDays === undefined ? {} : { halfLifeDays: Number(halfLifeDays) }),
      });
      return { ...reputationJson(rep), trustedSigners };
    },
  });
}

/** The trusted key one of the envelope's signatures verifies with. Errors: REPUTATION_SIGNER_UNTRUSTED, DSSE_MALFORMED. */
function trustedSigner(envelope: ReturnType<typeof envelopeFromJsonObject>, trustedKeys: readonly Verifier[]): Verifier {
  if (trustedKeys.length > 0) {
    try {
      const verified = verifyEnvelope(envelope, trustedKeys);
      const key = trustedKeys.find((k) => k.keyId === verified.verifiedBy[0]);
      if (key !== undefined) return key;
    } catch (e) {
      if (!isProvenantError(e, 'SIGNATURE_INVALID')) throw e;
    }
  }
  throw new ProvenantError('REPUTATION_SIGNER_UNTRUSTED', 'no key the service trusts for reputation events verifies a signature of the envelope', {
    details: { trustedSigners: trustedKeys.length },
  });
}
