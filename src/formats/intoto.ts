// in-toto attestation Statement layer (in-toto/attestation spec/v1/statement.md), plus reading of the
// v0.1 Statement that cosign still emits. Building always produces v1.
import { digestHex, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { canonicalJsonBytes, isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { parseFormatJson } from './format-json.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1';
export const STATEMENT_TYPE_V01 = 'https://in-toto.io/Statement/v0.1';
export type StatementType = typeof STATEMENT_TYPE_V1 | typeof STATEMENT_TYPE_V01;

/** The ResourceDescriptor fields Provenant reads from a subject; other descriptor fields are dropped on parse. */
export interface Subject {
  name?: string;
  /** DigestSet: algorithm name to lowercase hex. */
  digest: Record<string, string>;
}

export interface Statement {
  _type: StatementType;
  subject: Subject[];
  predicateType: string;
  /** v1: a JSON object when present. v0.1 statements from cosign may carry any JSON value (e.g. SPDX text). */
  predicate?: JsonValue;
}

export interface BuildStatementInput {
  subjects: { name: string; digest: Digest }[];
  predicateType: string;
  predicate: JsonObject;
}

export interface ParseStatementOptions {
  /** Default 32 MiB: SBOM predicates are large. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;
const MAX_SUBJECTS = 10_000;
const MAX_URI_CHARS = 2048;
const MAX_DIGEST_VALUE_CHARS = 512;
const MAX_NAME_CHARS = 4096;
const SHA256_HEX_RE = /^[0-9a-f]{64}$/;
// RFC 3986 absolute URI: a scheme, ":", then no whitespace, controls or characters that are never legal.
const URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s\p{Cc}"<>\\^`{|}]+$/u;

export function isTypeUri(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_URI_CHARS && URI_RE.test(value);
}

/** Builds a v1 statement. Errors: USAGE for no subjects or a predicateType that is not a URI. */
export function buildStatement(input: BuildStatementInput): Statement {
  if (input.subjects.length === 0) throw new ProvenantError('USAGE', 'a statement needs at least one subject');
  if (!isTypeUri(input.predicateType)) {
    throw new ProvenantError('USAGE', `predicateType must be a URI, got ${JSON.stringify(input.predicateType)}`);
  }
  const statement: Statement = {
    _type: STATEMENT_TYPE_V1,
    subject: input.subjects.map((s) => ({ name: s.name, digest: { sha256: digestHex(s.digest) } })),
    predicateType: input.predicateType,
    predicate: input.predicate,
  };
  validateStatement(statement);
  return statement;
}

/** The bytes to put in a DSSE payload: RFC 8785 canonical JSON. */
export function statementToBytes(statement: Statement): Buffer {
  validateStatement(statement);
  return canonicalJsonBytes(statement);
}

/**
 * Parses a v1 or v0.1 statement. Unknown fields are ignored as the attestation spec's parsing rules require,
 * but the known ones are checked. Errors: STATEMENT_MALFORMED, INPUT_TOO_LARGE.
 */
export function parseStatement(input: string | Uint8Array, options: ParseStatementOptions = {}): Statement {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return statementFromJson(parseFormatJson(input, 'STATEMENT_MALFORMED', 'in-toto statement', { maxBytes }));
}

export function statementFromJson(obj: JsonObject): Statement {
  const statement: Statement = {
    _type: obj._type as StatementType,
    subject: obj.subject as unknown as Subject[],
    predicateType: obj.predicateType as string,
  };
  if (obj.predicate !== undefined) statement.predicate = obj.predicate;
  validateStatement(statement);
  statement.subject = statement.subject.map((s) => (s.name === undefined ? { digest: { ...s.digest } } : { name: s.name, digest: { ...s.digest } }));
  return statement;
}

/** True when some subject names `digest` by its sha256 value. */
export function statementCoversDigest(statement: Statement, digest: Digest): boolean {
  const hex = digestHex(digest);
  return statement.subject.some((s) => Object.hasOwn(s.digest, 'sha256') && s.digest.sha256 === hex);
}

function validateStatement(st: Statement): void {
  if (st._type !== STATEMENT_TYPE_V1 && st._type !== STATEMENT_TYPE_V01) {
    malformed(`_type must be ${STATEMENT_TYPE_V1} or ${STATEMENT_TYPE_V01}`);
  }
  if (!isTypeUri(st.predicateType)) malformed('predicateType must be a URI');
  if (st._type === STATEMENT_TYPE_V1 && st.predicate !== undefined && !isJsonObject(st.predicate)) {
    malformed('predicate must be a JSON object in a v1 statement');
  }
  if (!Array.isArray(st.subject) || st.subject.length === 0) malformed('subject must be a non-empty array');
  if (st.subject.length > MAX_SUBJECTS) {
    throw new ProvenantError('INPUT_TOO_LARGE', `statement has ${st.subject.length} subjects, over ${MAX_SUBJECTS}`);
  }
  st.subject.forEach((s, i) => validateSubject(s as unknown, i, st._type === STATEMENT_TYPE_V01));
}

function validateSubject(s: unknown, i: number, nameRequired: boolean): void {
  if (!isJsonObject(s)) malformed(`subject[${i}] must be an object`);
  if (s.name !== undefined && (typeof s.name !== 'string' || s.name.length > MAX_NAME_CHARS)) {
    malformed(`subject[${i}].name must be a string`);
  }
  if (nameRequired && typeof s.name !== 'string') malformed(`subject[${i}].name is required in a v0.1 statement`);
  const digest = s.digest;
  if (!isJsonObject(digest)) malformed(`subject[${i}].digest must be an object`);
  const algorithms = Object.keys(digest);
  if (algorithms.length === 0) malformed(`subject[${i}].digest is empty`);
  for (const alg of algorithms) {
    const value = digest[alg];
    if (alg.length === 0 || typeof value !== 'string' || value.length === 0 || value.length > MAX_DIGEST_VALUE_CHARS) {
      malformed(`subject[${i}].digest.${alg} must be a non-empty string`);
    }
    if (alg === 'sha256' && !SHA256_HEX_RE.test(value)) malformed(`subject[${i}].digest.sha256 must be 64 lowercase hex digits`);
  }
}

function malformed(message: string): never {
  throw new ProvenantError('STATEMENT_MALFORMED', `in-toto statement: ${message}`);
}
