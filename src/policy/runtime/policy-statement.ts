// One version of one policy as the log holds it: an in-toto v1 statement whose one subject is the policy
// ("policy:<name>", with the digest of the policy document as its origin), signed as a DSSE envelope and appended
// as an ordinary `attestation` entry. The predicate carries the document text itself, so every version can be
// re-read and re-validated from the log alone, and chains to the entry of the version it replaces.
import type { Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import type { JsonObject } from '../../core/json.js';
import type { Signer } from '../../crypto/index.js';
import { signEnvelope } from '../../formats/dsse.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, parseStatement, STATEMENT_TYPE_V1, statementToBytes } from '../../formats/intoto.js';
import { proposeAttestation } from '../../log/entries/index.js';
import { StrictObject } from '../../log/entries/strict-object.js';
import { isPolicyName, MAX_POLICY_NAME_LENGTH } from '../document/index.js';
import type { Policy } from '../policy.js';

export const POLICY_PREDICATE_TYPE = 'https://provenant.dev/attestation/policy/v1';
/** A policy document is a few kilobytes; the bound keeps each version well inside one attestation proposal. */
export const MAX_POLICY_DOCUMENT_CHARS = 1024 * 1024;
const MAX_VERSION = Number.MAX_SAFE_INTEGER;
const SUBJECT_PREFIX = 'policy:';

export type PolicyFormat = Policy['origin']['format'];
const FORMATS: readonly PolicyFormat[] = ['ProvenancePolicy', 'ClusterImagePolicy'];

export interface PolicyVersionPredicate {
  readonly name: string;
  readonly format: PolicyFormat;
  /** 1 for the first version of a name, then one more per version (deletions included). */
  readonly version: number;
  /** Entry digest of the version this one replaces; null for version 1. */
  readonly previous: Digest | null;
  /** The YAML text of this one policy document (for a deletion: the document of the version deleted). */
  readonly document: string;
  readonly deleted?: true;
}

/** A policy version statement, read back from a verified payload. */
export interface PolicyStatement {
  readonly predicate: PolicyVersionPredicate;
  /** The subject's digest: the origin digest of the document. */
  readonly originDigest: Digest;
}

export function policySubjectName(name: string): string {
  return SUBJECT_PREFIX + name;
}

export function policyPredicateJson(p: PolicyVersionPredicate): JsonObject {
  return {
    name: p.name,
    format: p.format,
    version: p.version,
    previous: p.previous,
    document: p.document,
    ...(p.deleted === true ? { deleted: true } : {}),
  };
}

/** The canonical statement bytes of a version. Errors: PREDICATE_MALFORMED. */
export function policyStatementBytes(predicate: PolicyVersionPredicate, originDigest: Digest): Buffer {
  const json = policyPredicateJson(predicate);
  readPolicyPredicate(json);
  const statement = buildStatement({
    subjects: [{ name: policySubjectName(predicate.name), digest: originDigest }],
    predicateType: POLICY_PREDICATE_TYPE,
    predicate: json,
  });
  return statementToBytes(statement);
}

/** An `attestation` proposal of one policy version, signed by `signer`. Errors: PREDICATE_MALFORMED. */
export async function proposePolicyVersion(predicate: PolicyVersionPredicate, originDigest: Digest, signer: Signer): Promise<JsonObject> {
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, policyStatementBytes(predicate, originDigest), [signer]);
  return proposeAttestation(envelope, signer.publicKeyPem());
}

/**
 * Reads a version out of a verified statement payload: an in-toto v1 statement of the policy predicate type with
 * one subject named after the policy. Errors: PREDICATE_MALFORMED, STATEMENT_MALFORMED, INPUT_TOO_LARGE.
 */
export function readPolicyStatement(payload: Uint8Array): PolicyStatement {
  const statement = parseStatement(payload, { maxBytes: 2 * MAX_POLICY_DOCUMENT_CHARS + 64 * 1024 });
  if (statement._type !== STATEMENT_TYPE_V1 || statement.predicateType !== POLICY_PREDICATE_TYPE) {
    throw malformed('predicateType', `the statement is not an in-toto v1 statement of ${POLICY_PREDICATE_TYPE}`);
  }
  const predicate = readPolicyPredicate(statement.predicate);
  const [subject, ...rest] = statement.subject;
  const hex = subject !== undefined && Object.hasOwn(subject.digest, 'sha256') ? subject.digest.sha256 : undefined;
  if (subject === undefined || rest.length > 0 || subject.name !== policySubjectName(predicate.name) || hex === undefined) {
    throw malformed('subject', 'the statement must have one subject { name: "policy:<name>", digest: { sha256: <origin digest> } }');
  }
  return { predicate, originDigest: `sha256:${hex}` };
}

/** Errors: PREDICATE_MALFORMED naming the field. */
export function readPolicyPredicate(value: unknown): PolicyVersionPredicate {
  const s: StrictObject = StrictObject.read(value, 'policy version predicate', 'PREDICATE_MALFORMED', ['name', 'format', 'version', 'previous', 'document'], ['deleted']);
  const name = s.string('name', MAX_POLICY_NAME_LENGTH);
  if (!isPolicyName(name)) s.fail('name', 'must be a policy name (a DNS-1123 subdomain)');
  const format = s.literal('format', FORMATS);
  const version = s.integer('version', 1, MAX_VERSION);
  const previous = s.nullableDigest('previous');
  // YAML text holds newlines, so the control-character check of StrictObject#string does not apply.
  const document = s.raw('document');
  if (typeof document !== 'string' || document.length === 0 || document.length > MAX_POLICY_DOCUMENT_CHARS) {
    s.fail('document', `must be the text of a policy document, 1 to ${MAX_POLICY_DOCUMENT_CHARS} characters`);
  }
  if (s.has('deleted') && s.raw('deleted') !== true) s.fail('deleted', 'must be true when present');
  if ((version === 1) !== (previous === null)) s.fail('previous', 'must be null exactly for version 1');
  return { name, format, version, previous, document, ...(s.has('deleted') ? { deleted: true as const } : {}) };
}

function malformed(field: string, message: string): ProvenantError {
  return new ProvenantError('PREDICATE_MALFORMED', `policy version statement: ${message}`, { details: { field } });
}
