// Builders of proposed entries for the CLI and the registry ingest. The record kinds are signed here: the
// predicate is validated first (so a bad input fails before anything is signed), then wrapped in an in-toto v1
// statement, canonicalised and signed as a DSSE envelope.
import { encodeBase64 } from '../../core/bytes.js';
import type { Digest } from '../../core/digest.js';
import { parseJsonObject, type JsonObject } from '../../core/json.js';
import type { Signer } from '../../crypto/index.js';
import { envelopeToJson, signEnvelope, type Envelope } from '../../formats/dsse.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, statementToBytes } from '../../formats/intoto.js';
import { ENTRY_API_VERSION, RECORD_PREDICATE_TYPES, type EntryKind, type RecordKind } from './kinds.js';
import {
  parseAuditPredicate,
  parseLineagePredicate,
  parseRevocationPredicate,
  predicateJson,
  type ArtifactKind,
  type AuditResult,
  type AuditType,
} from './predicates.js';

export interface LineageRecordInput {
  readonly line: string;
  readonly artifact: { kind: ArtifactKind; name: string; digest: Digest; size?: number; mediaType?: string };
  readonly previous: Digest | null;
  readonly sequence: number;
  /** Default: now. */
  readonly createdAt?: Date | string;
  readonly note?: string;
}

export interface AuditInput {
  /** Entry digest of the lineage record audited. */
  readonly record: Digest;
  readonly line: string;
  /** The record's artifact: the audit's subject. */
  readonly artifact: { name: string; digest: Digest };
  readonly auditor: string;
  readonly type: AuditType;
  readonly result: AuditResult;
  readonly score?: number;
  readonly createdAt?: Date | string;
  readonly note?: string;
}

export interface RevocationInput {
  /** Entry digest of the entry revoked. */
  readonly target: Digest;
  readonly reason: string;
  readonly createdAt?: Date | string;
}

/** A `signature` proposal from a cosign payload, the raw signature bytes and the signer's public key PEM. */
export function proposeSignature(payload: Uint8Array, signature: Uint8Array, publicKeyPem: string): JsonObject {
  return wrap('signature', { payload: encodeBase64(payload), signature: encodeBase64(signature), publicKey: publicKeyPem });
}

/** An `attestation` proposal from a DSSE envelope and the public key PEM that verifies it. */
export function proposeAttestation(envelope: Envelope, publicKeyPem: string): JsonObject {
  return wrap('attestation', { envelope: parseJsonObject(envelopeToJson(envelope), 'DSSE envelope'), publicKey: publicKeyPem });
}

/** Signs a lineage record. Errors: PREDICATE_MALFORMED, USAGE, DIGEST_MALFORMED. */
export async function proposeLineageRecord(input: LineageRecordInput, signer: Signer): Promise<JsonObject> {
  const { digest, ...artifact } = input.artifact;
  const predicate = parseLineagePredicate(
    dropUndefined({ line: input.line, artifact: dropUndefined(artifact), previous: input.previous, sequence: input.sequence, createdAt: timestamp(input.createdAt), note: input.note }),
  );
  return signRecord('lineage', { name: predicate.artifact.name, digest }, predicateJson(predicate), signer);
}

/** Signs an auditor attestation on a lineage record. Errors: PREDICATE_MALFORMED, USAGE, DIGEST_MALFORMED. */
export async function proposeAudit(input: AuditInput, signer: Signer): Promise<JsonObject> {
  const predicate = parseAuditPredicate(
    dropUndefined({
      record: input.record,
      line: input.line,
      auditor: input.auditor,
      type: input.type,
      result: input.result,
      score: input.score,
      createdAt: timestamp(input.createdAt),
      note: input.note,
    }),
  );
  return signRecord('audit', input.artifact, predicateJson(predicate), signer);
}

/** Signs a revocation of a log entry. Errors: PREDICATE_MALFORMED, USAGE, DIGEST_MALFORMED. */
export async function proposeRevocation(input: RevocationInput, signer: Signer): Promise<JsonObject> {
  const predicate = parseRevocationPredicate({ target: input.target, reason: input.reason, createdAt: timestamp(input.createdAt) });
  return signRecord('revocation', { name: 'entry', digest: predicate.target }, predicateJson(predicate), signer);
}

async function signRecord(kind: RecordKind, subject: { name: string; digest: Digest }, predicate: JsonObject, signer: Signer): Promise<JsonObject> {
  const statement = buildStatement({ subjects: [subject], predicateType: RECORD_PREDICATE_TYPES[kind], predicate });
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementToBytes(statement), [signer]);
  return wrap(kind, { envelope: parseJsonObject(envelopeToJson(envelope), 'DSSE envelope'), publicKey: signer.publicKeyPem() });
}

function wrap(kind: EntryKind, spec: JsonObject): JsonObject {
  return { apiVersion: ENTRY_API_VERSION, kind, spec };
}

/** RFC 3339 UTC with milliseconds, as Date#toISOString writes it; strings are passed on to be validated. */
function timestamp(value: Date | string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  return typeof value === 'string' ? value : value.toISOString();
}

function dropUndefined<T extends Record<string, unknown>>(obj: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) if (value !== undefined) out[key] = value;
  return out;
}
