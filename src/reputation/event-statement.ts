// A reputation event as the log holds it: an in-toto v1 statement whose one subject is the provider (named, with
// the provider's subject digest, so the log's subject index finds a provider's events in one search), signed as a
// DSSE envelope and appended as an ordinary `attestation` entry.
import { digestHex } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import type { Signer } from '../crypto/index.js';
import { signEnvelope, type Envelope } from '../formats/dsse.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, parseStatement, STATEMENT_TYPE_V1, statementToBytes } from '../formats/intoto.js';
import { proposeAttestation } from '../log/entries/index.js';
import { parseReputationEvent, REPUTATION_EVENT_PREDICATE_TYPE, reputationEventJson, type ReputationEvent } from './events.js';
import { providerSubjectDigest } from './providers.js';

/** An event statement is a few hundred bytes; anything far larger is not one. */
export const MAX_EVENT_STATEMENT_BYTES = 64 * 1024;

/** The canonical statement bytes of an event. Errors: REPUTATION_EVENT_INVALID. */
export function reputationStatementBytes(event: ReputationEvent): Buffer {
  const checked = parseReputationEvent(reputationEventJson(event));
  const statement = buildStatement({
    subjects: [{ name: checked.provider, digest: providerSubjectDigest(checked.provider) }],
    predicateType: REPUTATION_EVENT_PREDICATE_TYPE,
    predicate: reputationEventJson(checked),
  });
  return statementToBytes(statement);
}

/** Signs an event as a DSSE envelope, as a reporter posts it to the service. Errors: REPUTATION_EVENT_INVALID. */
export function signReputationEvent(event: ReputationEvent, signer: Signer): Promise<Envelope> {
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, reputationStatementBytes(event), [signer]);
}

/** An `attestation` proposal of a signed event, ready to append. Errors: REPUTATION_EVENT_INVALID. */
export async function proposeReputationEvent(event: ReputationEvent, signer: Signer): Promise<JsonObject> {
  return proposeAttestation(await signReputationEvent(event, signer), signer.publicKeyPem());
}

/**
 * Reads the event out of a verified statement payload: an in-toto v1 statement of the event predicate type with
 * exactly one subject, the provider the event names. Errors: REPUTATION_EVENT_INVALID, STATEMENT_MALFORMED,
 * INPUT_TOO_LARGE.
 */
export function readReputationStatement(payload: Uint8Array): ReputationEvent {
  const statement = parseStatement(payload, { maxBytes: MAX_EVENT_STATEMENT_BYTES });
  if (statement._type !== STATEMENT_TYPE_V1 || statement.predicateType !== REPUTATION_EVENT_PREDICATE_TYPE) {
    throw invalid('predicateType', `the statement is not an in-toto v1 statement of ${REPUTATION_EVENT_PREDICATE_TYPE}`);
  }
  const event = parseReputationEvent(statement.predicate);
  const [subject, ...rest] = statement.subject;
  const expected = digestHex(providerSubjectDigest(event.provider));
  const digest = subject?.digest ?? {};
  if (
    subject === undefined ||
    rest.length > 0 ||
    subject.name !== event.provider ||
    Object.keys(digest).length !== 1 ||
    !Object.hasOwn(digest, 'sha256') ||
    digest.sha256 !== expected
  ) {
    throw invalid('subject', 'the statement must have one subject { name: <provider>, digest: { sha256: <hex of sha256("provenant-provider:" + provider)> } }');
  }
  return event;
}

function invalid(field: string, message: string): ProvenantError {
  return new ProvenantError('REPUTATION_EVENT_INVALID', message, { details: { field } });
}
