// `signature` entries: a cosign signature over a simple-signing payload (containers-signature(5) as cosign
// writes it). The signature is over the payload bytes themselves, so the payload is stored as given.
import { decodeBase64, encodeBase64 } from '../../core/bytes.js';
import { ProvenantError } from '../../core/errors.js';
import { parseSimpleSigningPayload } from '../../formats/simple-signing.js';
import { indexTerms, type KindOutcome } from './entry-description.js';
import { entryKey } from './entry-key.js';
import { MAX_PROPOSAL_BYTES } from './kinds.js';
import { StrictObject } from './strict-object.js';

const PROPOSAL_FIELDS = ['payload', 'signature', 'publicKey'] as const;
// ECDSA P-256 DER signatures are at most 72 bytes, Ed25519 64.
const MAX_SIGNATURE_CHARS = 1024;

/** Proposal spec { payload, signature, publicKey }. */
export function prepareSignature(spec: unknown): KindOutcome {
  return signatureOutcome(StrictObject.read(spec, 'signature entry spec', 'ENTRY_MALFORMED', PROPOSAL_FIELDS));
}

/** Stored spec: the proposal fields plus subject and signer, which are recomputed (the caller compares bytes). */
export function describeSignature(spec: unknown): KindOutcome {
  return signatureOutcome(StrictObject.read(spec, 'stored signature entry spec', 'ENTRY_MALFORMED', [...PROPOSAL_FIELDS, 'subject', 'signer']));
}

function signatureOutcome(s: StrictObject): KindOutcome {
  const payloadText = s.raw('payload');
  const signatureText = s.raw('signature');
  const publicKey = s.raw('publicKey');
  if (typeof payloadText !== 'string') s.fail('payload', 'must be base64 text');
  if (typeof signatureText !== 'string' || signatureText.length > MAX_SIGNATURE_CHARS) s.fail('signature', 'must be base64 text');
  const size = payloadText.length + signatureText.length + (typeof publicKey === 'string' ? publicKey.length : 0);
  if (size > MAX_PROPOSAL_BYTES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `${s.what} is about ${size} bytes, over the limit of ${MAX_PROPOSAL_BYTES}`, { details: { limit: MAX_PROPOSAL_BYTES } });
  }
  const payload = decodeBase64(payloadText, 'signature payload');
  const signature = decodeBase64(signatureText, 'signature');
  const parsed = parseSimpleSigningPayload(payload, { maxBytes: MAX_PROPOSAL_BYTES });
  const key = entryKey(publicKey, s.what);
  if (!key.verifier.verify(payload, signature)) {
    throw new ProvenantError('SIGNATURE_INVALID', 'the signature does not verify over the payload with the given key', { details: { keyId: key.keyId } });
  }
  return {
    kind: 'signature',
    spec: {
      payload: encodeBase64(payload),
      signature: encodeBase64(signature),
      publicKey: key.pem,
      subject: parsed.digest,
      signer: key.keyId,
    },
    terms: indexTerms([
      ['kind', 'signature'],
      ['subject', parsed.digest],
      ['signer', key.keyId],
      ['repository', parsed.dockerReference],
    ]),
    blobs: [],
    description: {
      kind: 'signature',
      signer: key.keyId,
      publicKey: key.pem,
      subjects: [{ name: parsed.dockerReference, digest: parsed.digest }],
      predicateType: null,
      target: null,
      line: null,
      signaturesChecked: true,
      repository: parsed.dockerReference,
    },
  };
}
