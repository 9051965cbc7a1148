// `lineage`, `audit` and `revocation` entries: small DSSE-signed in-toto v1 statements of Provenant's own
// predicate types, stored in full (envelope and key) so each entry re-verifies on its own. Their statements are
// read more strictly than third-party attestations: no unknown fields anywhere, exactly one sha256 subject.
import { digestFromHex, digestHex, type Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { parseFormatJson } from '../../formats/format-json.js';
import { STATEMENT_TYPE_V1 } from '../../formats/intoto.js';
import { indexTerms, type EntrySubject, type KindOutcome } from './entry-description.js';
import { MAX_PROPOSAL_BYTES, RECORD_PREDICATE_TYPES, type RecordKind } from './kinds.js';
import { parseAuditPredicate, parseLineagePredicate, parseRevocationPredicate } from './predicates.js';
import { StrictObject } from './strict-object.js';
import { envelopeJsonObject, verifyEntryEnvelope, type VerifiedEntryEnvelope } from './signed-envelope.js';

const SHA256_HEX_RE = /^[0-9a-f]{64}$/;
const MAX_SUBJECT_NAME = 1024;

/** Proposal and stored spec alike: { envelope, publicKey }. */
export function prepareRecord(kind: RecordKind, spec: unknown): KindOutcome {
  const s = StrictObject.read(spec, `${kind} entry spec`, 'ENTRY_MALFORMED', ['envelope', 'publicKey']);
  const verified = verifyEntryEnvelope(s, MAX_PROPOSAL_BYTES);
  const { subject, predicate } = readStatement(kind, verified.payload);
  const stored = { envelope: envelopeJsonObject(verified.envelope), publicKey: verified.key.pem };
  const signer = verified.key.keyId;
  const facts = { signer, publicKey: verified.key.pem, predicateType: RECORD_PREDICATE_TYPES[kind], signaturesChecked: true };
  switch (kind) {
    case 'lineage': {
      const p = parseLineagePredicate(predicate);
      if (subject.name !== p.artifact.name) mismatch(kind, 'the subject name must be the artifact name');
      return {
        kind,
        spec: stored,
        terms: indexTerms([['kind', kind], ['line', p.line], ['subject', subject.digest], ['signer', signer], ['target', p.previous]]),
        blobs: [],
        description: { kind, ...facts, subjects: [subject], target: p.previous, line: p.line, predicate: p },
      };
    }
    case 'audit': {
      const p = parseAuditPredicate(predicate);
      return {
        kind,
        spec: stored,
        terms: indexTerms([['kind', kind], ['target', p.record], ['line', p.line], ['subject', subject.digest], ['signer', signer]]),
        blobs: [],
        description: { kind, ...facts, subjects: [subject], target: p.record, line: p.line, predicate: p },
      };
    }
    case 'revocation': {
      const p = parseRevocationPredicate(predicate);
      if (subject.name !== 'entry' || digestHex(subject.digest) !== digestHex(p.target)) {
        mismatch(kind, 'the subject must be { name: "entry", digest: { sha256: <hex of the target> } }');
      }
      return {
        kind,
        spec: stored,
        terms: indexTerms([['kind', kind], ['target', p.target], ['signer', signer]]),
        blobs: [],
        description: { kind, ...facts, subjects: [subject], target: p.target, line: null, predicate: p },
      };
    }
  }
}

function readStatement(kind: RecordKind, payload: VerifiedEntryEnvelope['payload']): { subject: EntrySubject & { name: string; digest: Digest }; predicate: unknown } {
  const what = `${kind} statement`;
  const obj = parseFormatJson(payload, 'STATEMENT_MALFORMED', what, { maxBytes: MAX_PROPOSAL_BYTES, maxDepth: 16 });
  const st = StrictObject.read(obj, what, 'STATEMENT_MALFORMED', ['_type', 'subject', 'predicateType', 'predicate']);
  st.literal('_type', [STATEMENT_TYPE_V1]);
  const predicateType = st.raw('predicateType');
  if (predicateType !== RECORD_PREDICATE_TYPES[kind]) {
    throw new ProvenantError('ENTRY_MALFORMED', `a ${kind} entry must carry predicateType ${RECORD_PREDICATE_TYPES[kind]}`, {
      details: { predicateType: typeof predicateType === 'string' ? predicateType : null },
    });
  }
  const [first] = st.array('subject', 1, 1);
  const subject = StrictObject.read(first, `${what} subject[0]`, 'STATEMENT_MALFORMED', ['name', 'digest']);
  const name = subject.string('name', MAX_SUBJECT_NAME);
  const digestSet = StrictObject.read(subject.raw('digest'), `${what} subject[0].digest`, 'STATEMENT_MALFORMED', ['sha256']);
  const hex = digestSet.string('sha256', 64, 64, SHA256_HEX_RE);
  return { subject: { name, digest: digestFromHex(hex) }, predicate: st.raw('predicate') };
}

function mismatch(kind: RecordKind, message: string): never {
  throw new ProvenantError('PREDICATE_MALFORMED', `${kind} statement: ${message}`);
}
