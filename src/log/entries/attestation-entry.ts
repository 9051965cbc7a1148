// `attestation` entries: a DSSE envelope over an in-toto Statement. As Rekor's dsse type does, the entry keeps
// only digests, subjects and signatures, so it stays small whatever the predicate size; the full envelope is a
// blob named by its digest, and re-verifying the entry needs that blob.
import { decodeBase64, encodeBase64 } from '../../core/bytes.js';
import { assertDigest, digestFromHex, sha256Digest, type Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import { parseFormatJson } from '../../formats/format-json.js';
import { IN_TOTO_PAYLOAD_TYPE, isTypeUri, parseStatement, type Statement } from '../../formats/intoto.js';
import { indexTerms, type EntrySubject, type KindOutcome } from './entry-description.js';
import { entryKey } from './entry-key.js';
import { DSSE_ENVELOPE_MEDIA_TYPE, isRecordPredicateType, MAX_ATTESTATION_PROPOSAL_BYTES } from './kinds.js';
import { StrictObject } from './strict-object.js';
import { envelopeJsonObject, verifyEntryEnvelope } from './signed-envelope.js';

const STORED_FIELDS = ['envelopeDigest', 'payloadType', 'payloadDigest', 'payloadSize', 'predicateType', 'subjects', 'signatures', 'signer', 'publicKey'];
const MAX_SUBJECTS = 10_000;
const MAX_SIGNATURES = 64;
const MAX_SUBJECT_NAME = 4096;

/** Proposal spec { envelope, publicKey }. */
export function prepareAttestation(spec: unknown): KindOutcome {
  const s = StrictObject.read(spec, 'attestation entry spec', 'ENTRY_MALFORMED', ['envelope', 'publicKey']);
  const verified = verifyEntryEnvelope(s, MAX_ATTESTATION_PROPOSAL_BYTES);
  const statement = parseStatement(verified.payload, { maxBytes: MAX_ATTESTATION_PROPOSAL_BYTES });
  if (isRecordPredicateType(statement.predicateType)) {
    throw new ProvenantError('ENTRY_MALFORMED', `predicateType ${statement.predicateType} is appended as its own entry kind, not as an attestation`, {
      details: { predicateType: statement.predicateType },
    });
  }
  const subjects = sha256Subjects(statement);
  // Byte for byte what envelopeToJson writes for this envelope, built from the already decoded payload.
  const envelope = envelopeJsonObject(verified.envelope);
  const envelopeBytes = Buffer.from(JSON.stringify(envelope), 'utf8');
  const envelopeDigest = sha256Digest(envelopeBytes);
  const stored: JsonObject = {
    envelopeDigest,
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payloadDigest: sha256Digest(verified.payload),
    payloadSize: verified.payload.length,
    predicateType: statement.predicateType,
    subjects: subjects.map(subjectJson),
    signatures: envelope.signatures,
    signer: verified.key.keyId,
    publicKey: verified.key.pem,
  };
  return outcome(stored, envelopeDigest, subjects, statement.predicateType, verified.key.keyId, verified.key.pem, true, [
    { digest: envelopeDigest, mediaType: DSSE_ENVELOPE_MEDIA_TYPE, data: envelopeBytes },
  ]);
}

/**
 * A stored attestation spec. With the envelope blob, the entry is rebuilt from it (signatures verified over
 * PAE, digests recomputed) for the caller to compare; without it, only the shape is checked.
 * Errors: ENTRY_MALFORMED, DIGEST_MISMATCH (a blob that is not the named envelope), and those of prepareAttestation.
 */
export function describeAttestation(spec: unknown, blob?: (digest: Digest) => Buffer | undefined): KindOutcome {
  const s = StrictObject.read(spec, 'stored attestation entry spec', 'ENTRY_MALFORMED', STORED_FIELDS);
  const envelopeDigest = s.digest('envelopeDigest');
  const data = blob?.(envelopeDigest);
  if (data !== undefined) {
    assertDigest(data, envelopeDigest, 'attestation envelope blob');
    const envelope = parseFormatJson(data, 'DSSE_MALFORMED', 'DSSE envelope', { maxBytes: 2 * MAX_ATTESTATION_PROPOSAL_BYTES, maxDepth: 8 });
    return prepareAttestation({ envelope, publicKey: s.raw('publicKey') ?? null });
  }
  s.literal('payloadType', [IN_TOTO_PAYLOAD_TYPE]);
  s.digest('payloadDigest');
  s.integer('payloadSize', 0, MAX_ATTESTATION_PROPOSAL_BYTES);
  const predicateType = s.string('predicateType', 2048);
  if (!isTypeUri(predicateType) || isRecordPredicateType(predicateType)) s.fail('predicateType', 'must be the URI of an attestation predicate');
  const subjects = s.array('subjects', 1, MAX_SUBJECTS).map((value, i): EntrySubject => {
    const subject = StrictObject.read(value, `${s.what} subjects[${i}]`, 'ENTRY_MALFORMED', ['digest'], ['name']);
    const name = subject.raw('name');
    if (name !== undefined && (typeof name !== 'string' || name.length > MAX_SUBJECT_NAME)) subject.fail('name', 'must be a string');
    const digest = subject.digest('digest');
    return typeof name === 'string' ? { name, digest } : { digest };
  });
  s.array('signatures', 1, MAX_SIGNATURES).forEach((value, i) => {
    const sig = StrictObject.read(value, `${s.what} signatures[${i}]`, 'ENTRY_MALFORMED', ['sig'], ['keyid']);
    const text = sig.raw('sig');
    if (typeof text !== 'string' || encodeBase64(decodeBase64(text, 'DSSE signature')) !== text) sig.fail('sig', 'must be padded standard base64');
    if (sig.has('keyid') && typeof sig.raw('keyid') !== 'string') sig.fail('keyid', 'must be a string');
  });
  const key = entryKey(s.raw('publicKey'), s.what);
  if (s.raw('publicKey') !== key.pem) s.fail('publicKey', 'must be canonical SPKI PEM');
  if (s.raw('signer') !== key.keyId) s.fail('signer', 'must be the key id of publicKey');
  return outcome(s.fields, envelopeDigest, subjects, predicateType, key.keyId, key.pem, false, []);
}

function outcome(
  spec: JsonObject,
  envelopeDigest: Digest,
  subjects: readonly EntrySubject[],
  predicateType: string,
  signer: string,
  publicKey: string,
  signaturesChecked: boolean,
  blobs: KindOutcome['blobs'],
): KindOutcome {
  return {
    kind: 'attestation',
    spec,
    terms: indexTerms([['kind', 'attestation'], ...subjects.map((s) => ['subject', s.digest] as const), ['predicateType', predicateType], ['signer', signer]]),
    blobs,
    description: { kind: 'attestation', signer, publicKey, subjects, predicateType, target: null, line: null, signaturesChecked, envelopeDigest },
  };
}

/** The subjects named by a sha256 digest; other algorithms are not indexed (Provenant addresses content by sha256). */
function sha256Subjects(statement: Statement): EntrySubject[] {
  const subjects: EntrySubject[] = [];
  for (const s of statement.subject) {
    const hex = Object.hasOwn(s.digest, 'sha256') ? s.digest.sha256 : undefined;
    if (hex === undefined) continue;
    const digest = digestFromHex(hex);
    subjects.push(s.name === undefined ? { digest } : { name: s.name, digest });
  }
  if (subjects.length === 0) throw new ProvenantError('UNSUPPORTED', 'no subject of the statement has a sha256 digest');
  return subjects;
}

function subjectJson(s: EntrySubject): JsonObject {
  return s.name === undefined ? { digest: s.digest } : { name: s.name, digest: s.digest };
}
