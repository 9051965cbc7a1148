// In-toto attestations on images: a Statement whose subject is the image digest, in a DSSE envelope signed
// with the key, attached both where cosign's tag scheme looks (`sha256-<hex>.att`) and as an OCI 1.1
// referrer holding a sigstore bundle v0.3 (cosign specs/BUNDLE_SPEC.md).
import type { Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import type { Signer, Verifier } from '../crypto/index.js';
import {
  buildDsseBundle,
  buildStatement,
  envelopeToJson,
  IN_TOTO_PAYLOAD_TYPE,
  dsseEnvelopeOfBundle,
  parseEnvelope,
  parseStatement,
  serializeBundle,
  signEnvelope,
  statementCoversDigest,
  statementToBytes,
  verifyEnvelope,
  type Envelope,
  type Statement,
} from '../formats/index.js';
import {
  appendCosignLayer,
  COSIGN_SIGNATURE_ANNOTATION,
  cosignTag,
  DSSE_MEDIA_TYPE,
  PREDICATE_TYPE_ANNOTATION,
  readCosignLayers,
} from '../oci/attachments/cosign-tags.js';
import { attachBundleReferrer, readBundleReferrers } from '../oci/attachments/referrers.js';
import type { ArtifactRepository, RawManifest } from '../oci/types.js';
import { noEvidenceError, rejection, type RejectedEvidence } from './failures.js';

/** Where attestations are written: cosign's `.att` tag, OCI 1.1 referrers (bundles), or both (default). */
export type AttachMode = 'legacy' | 'referrers' | 'both';

export interface AttestImageInput {
  repo: ArtifactRepository;
  /** The manifest the reference names; its digest is the statement's subject. */
  subject: RawManifest;
  subjectName: string;
  signer: Signer;
  predicateType: string;
  predicate: JsonObject;
  mode?: AttachMode;
  now?: Date;
}

export interface AttestedImage {
  statement: Statement;
  envelope: Envelope;
  attTag?: string;
  referrer?: Digest;
}

/** A signed in-toto statement about one image, ready to be attached or written out. */
export interface SignedAttestation {
  statement: Statement;
  envelope: Envelope;
  predicateType: string;
  keyId: string;
}

export async function signAttestation(input: {
  subject: RawManifest;
  subjectName: string;
  signer: Signer;
  predicateType: string;
  predicate: JsonObject;
}): Promise<SignedAttestation> {
  const statement = buildStatement({
    subjects: [{ name: input.subjectName, digest: input.subject.digest }],
    predicateType: input.predicateType,
    predicate: input.predicate,
  });
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementToBytes(statement), [input.signer]);
  return { statement, envelope, predicateType: input.predicateType, keyId: input.signer.keyId };
}

/** Attaches a signed attestation to its subject in the repository, in cosign's tag scheme and/or as a referrer. */
export async function attachAttestation(
  repo: ArtifactRepository,
  subject: RawManifest,
  signed: SignedAttestation,
  mode: AttachMode = 'both',
  now: Date = new Date(),
): Promise<{ attTag?: string; referrer?: Digest }> {
  const out: { attTag?: string; referrer?: Digest } = {};
  if (mode === 'legacy' || mode === 'both') {
    await appendCosignLayer(repo, subject.digest, 'att', {
      mediaType: DSSE_MEDIA_TYPE,
      bytes: Buffer.from(envelopeToJson(signed.envelope)),
      annotations: { [COSIGN_SIGNATURE_ANNOTATION]: '', [PREDICATE_TYPE_ANNOTATION]: signed.predicateType },
    });
    out.attTag = cosignTag(subject.digest, 'att');
  }
  if (mode === 'referrers' || mode === 'both') {
    const bundle = buildDsseBundle(signed.envelope, signed.keyId);
    const manifest = await attachBundleReferrer(repo, subject, {
      bundleJson: Buffer.from(serializeBundle(bundle)),
      content: 'dsse-envelope',
      predicateType: signed.predicateType,
      created: now,
    });
    out.referrer = manifest.digest;
  }
  return out;
}

export async function attestImage(input: AttestImageInput): Promise<AttestedImage> {
  const signed = await signAttestation(input);
  const attached = await attachAttestation(input.repo, input.subject, signed, input.mode ?? 'both', input.now ?? new Date());
  return { statement: signed.statement, envelope: signed.envelope, ...attached };
}

export interface VerifiedAttestation {
  /** `sha256-<hex>.att` or `referrer`. */
  source: string;
  /** The layer (tag scheme) or referrer manifest (referrers) the envelope came from. */
  digest: Digest;
  statement: Statement;
  envelope: Envelope;
  keyIds: string[];
}

export interface VerifyAttestationsInput {
  repo: ArtifactRepository;
  digest: Digest;
  verifiers: Verifier[];
  /** Only statements of this predicate type count; others are skipped, not rejected. */
  predicateType?: string;
}

/**
 * Every attestation of the image, from both places, whose envelope verifies with one of the keys and whose
 * statement names this digest. Throws ATTESTATION_MISSING, SIGNATURE_DIGEST_MISMATCH or SIGNATURE_INVALID
 * when none does. The same envelope found in both places is reported once.
 */
export async function verifyImageAttestations(
  input: VerifyAttestationsInput,
): Promise<{ verified: VerifiedAttestation[]; rejected: RejectedEvidence[] }> {
  const candidates: Array<{ source: string; digest: Digest; envelope: () => Envelope }> = [];
  const rejected: RejectedEvidence[] = [];
  const attSource = cosignTag(input.digest, 'att');
  for (const layer of await readCosignLayers(input.repo, input.digest, 'att')) {
    candidates.push({ source: attSource, digest: layer.descriptor.digest, envelope: () => parseEnvelope(layer.bytes) });
  }
  const referrers = await readBundleReferrers(input.repo, input.digest);
  for (const r of referrers.rejected) rejected.push(rejection('referrer', r.referrer.digest, r.error));
  for (const found of referrers.found) {
    candidates.push({ source: 'referrer', digest: found.referrer.digest, envelope: () => dsseEnvelopeOfBundle(found.bytes) });
  }

  const verified: VerifiedAttestation[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    try {
      const envelope = candidate.envelope();
      const checked = checkEnvelope(envelope, input);
      if (checked === undefined) continue;
      const key = envelopeToJson(envelope);
      if (seen.has(key)) continue;
      seen.add(key);
      const { statement, keyIds } = checked;
      verified.push({ source: candidate.source, digest: candidate.digest, statement, envelope, keyIds });
    } catch (e) {
      rejected.push(rejection(candidate.source, candidate.digest, e));
    }
  }
  if (verified.length === 0) {
    const what = input.predicateType === undefined ? 'attestation' : `attestation of type ${input.predicateType}`;
    throw noEvidenceError(what, input.digest, rejected, 'ATTESTATION_MISSING');
  }
  return { verified, rejected };
}

/** Verifies signature first, then subject; undefined when the statement is of another predicate type. */
function checkEnvelope(envelope: Envelope, input: VerifyAttestationsInput): { statement: Statement; keyIds: string[] } | undefined {
  const { payload, verifiedBy } = verifyEnvelope(envelope, input.verifiers, { payloadType: IN_TOTO_PAYLOAD_TYPE });
  const statement = parseStatement(payload);
  if (input.predicateType !== undefined && statement.predicateType !== input.predicateType) return undefined;
  if (!statementCoversDigest(statement, input.digest)) {
    const named = statement.subject.map((s) => s.digest.sha256).join(', ');
    throw new ProvenantError('SIGNATURE_DIGEST_MISMATCH', `statement subjects (${named}) do not include ${input.digest}`);
  }
  return { statement, keyIds: verifiedBy };
}

