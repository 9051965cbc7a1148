// Real keys and real signed proposals for the entry and lineage tests.
import assert from 'node:assert/strict';
import { sha256Digest, type Digest } from '../../../src/core/digest.js';
import { ProvenantError, type ErrorCode } from '../../../src/core/errors.js';
import { canonicalJsonBytes, type JsonObject } from '../../../src/core/json.js';
import { generateKeyPair, SigningKey, type Signer } from '../../../src/crypto/index.js';
import { envelopeToJson, signEnvelope } from '../../../src/formats/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE_V1 } from '../../../src/formats/intoto.js';
import { buildSimpleSigningPayload } from '../../../src/formats/simple-signing.js';
import { ENTRY_API_VERSION, proposeLineageRecord, proposeSignature } from '../../../src/log/entries/index.js';

export const ecdsa = (await generateKeyPair('test password', { level: 'legacy' })).signer;
export const ed25519 = (await generateKeyPair('test password', { algorithm: 'ed25519', level: 'legacy' })).signer;
export const stranger = SigningKey.generate('ecdsa-p256');

export const IMAGE = sha256Digest('image manifest');
export const OTHER_IMAGE = sha256Digest('other image manifest');
export const CREATED = '2025-01-31T12:00:00Z';

export async function signatureProposal(key: Signer, digest: Digest = IMAGE, reference = 'registry.example/team/app'): Promise<JsonObject> {
  const payload = buildSimpleSigningPayload({ dockerReference: reference, digest, optional: null });
  return proposeSignature(payload, await key.sign(payload), key.publicKeyPem());
}

/** A proposal of `kind` whose envelope carries exactly `statement` (canonical JSON), signed by `key`. */
export async function statementProposal(kind: string, statement: JsonObject, key: Signer, publicKeyPem = key.publicKeyPem()): Promise<JsonObject> {
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, canonicalJsonBytes(statement), [key]);
  return { apiVersion: ENTRY_API_VERSION, kind, spec: { envelope: JSON.parse(envelopeToJson(envelope)) as JsonObject, publicKey: publicKeyPem } };
}

export function lineageStatement(predicate: JsonObject, name = 'app.tar', digest: Digest = IMAGE): JsonObject {
  return {
    _type: STATEMENT_TYPE_V1,
    subject: [{ name, digest: { sha256: digest.slice(7) } }],
    predicateType: 'https://provenant.dev/attestation/lineage/v1',
    predicate,
  };
}

export function lineagePredicate(overrides: JsonObject = {}): JsonObject {
  return { line: 'acme/app', artifact: { kind: 'file', name: 'app.tar' }, previous: null, sequence: 1, createdAt: CREATED, ...overrides };
}

export async function lineageProposal(key: Signer, sequence: number, previous: Digest | null, options: { line?: string; digest?: Digest; note?: string } = {}): Promise<JsonObject> {
  return proposeLineageRecord(
    {
      line: options.line ?? 'acme/app',
      artifact: { kind: 'oci-image', name: 'registry.example/acme/app', digest: options.digest ?? sha256Digest(`build ${sequence}`) },
      previous,
      sequence,
      createdAt: CREATED,
      ...(options.note === undefined ? {} : { note: options.note }),
    },
    key,
  );
}

export function rejectsCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ProvenantError, `expected a ProvenantError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

export function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProvenantError, `expected a ProvenantError, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

/** A deep copy of a JSON object to edit. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
