// The DSSE envelope of a proposed attestation, lineage record, audit or revocation: bounded before any decoding,
// verified with the entry's key over PAE (DSSE protocol.md), and normalised (padded standard base64) so that
// the same signed content always gives the same entry bytes.
import { decodeBase64, encodeBase64 } from '../../core/bytes.js';
import { ProvenantError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import { envelopeFromJsonObject, verifyEnvelope, type Envelope } from '../../formats/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../formats/intoto.js';
import { entryKey, type EntryKey } from './entry-key.js';
import type { StrictObject } from './strict-object.js';

export interface EntrySignature {
  readonly keyid?: string;
  /** Padded standard base64. */
  readonly sig: string;
}

export interface VerifiedEntryEnvelope {
  readonly key: EntryKey;
  readonly payload: Buffer;
  /** The envelope with payload and signatures re-encoded, fields in envelopeToJson order. */
  readonly envelope: { payloadType: string; payload: string; signatures: EntrySignature[] };
}

/**
 * Reads `envelope` and `publicKey` of a proposal spec. Errors: INPUT_TOO_LARGE (over maxBytes), DSSE_MALFORMED,
 * PAYLOAD_MALFORMED (payloadType not in-toto), SIGNATURE_INVALID, and the key errors of entryKey.
 */
export function verifyEntryEnvelope(spec: StrictObject, maxBytes: number): VerifiedEntryEnvelope {
  const env = envelopeFromJsonObject(spec.object('envelope'));
  const publicKey = spec.raw('publicKey');
  const size = envelopeChars(env) + (typeof publicKey === 'string' ? publicKey.length : 0);
  if (size > maxBytes) {
    throw new ProvenantError('INPUT_TOO_LARGE', `${spec.what} is about ${size} bytes, over the limit of ${maxBytes}`, { details: { limit: maxBytes } });
  }
  // Checked before verification: a wrong type must not cost a signature check, and verifyEnvelope would report
  // it only after verifying.
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new ProvenantError('PAYLOAD_MALFORMED', `${spec.what}: payloadType must be ${IN_TOTO_PAYLOAD_TYPE}`, { details: { payloadType: env.payloadType } });
  }
  const key = entryKey(publicKey, spec.what);
  const verified = verifyEnvelope(env, [key.verifier]);
  const signatures = env.signatures.map((s): EntrySignature => {
    const sig = encodeBase64(decodeBase64(s.sig, 'DSSE signature'));
    return s.keyid === undefined ? { sig } : { keyid: s.keyid, sig };
  });
  return { key, payload: verified.payload, envelope: { payloadType: env.payloadType, payload: encodeBase64(verified.payload), signatures } };
}

export function envelopeJsonObject(envelope: VerifiedEntryEnvelope['envelope']): { payloadType: string; payload: string; signatures: JsonObject[] } {
  return {
    payloadType: envelope.payloadType,
    payload: envelope.payload,
    signatures: envelope.signatures.map((s): JsonObject => (s.keyid === undefined ? { sig: s.sig } : { keyid: s.keyid, sig: s.sig })),
  };
}

function envelopeChars(env: Envelope): number {
  let size = env.payloadType.length + env.payload.length;
  for (const s of env.signatures) size += s.sig.length + (s.keyid?.length ?? 0);
  return size;
}
