// Every signature and attestation attached to an image, each with a verdict. Discovery and verification are
// src/attest/'s (verifyImageSignatures, verifyImageAttestations): what they accept is what is verified here too.
// This module adds what a record of the registry needs beyond "does anything verify": where each piece was found,
// and why each other piece was not accepted. `untrusted` means well formed but signed by no trusted key; `invalid`
// means unreadable, or validly signed by a trusted key but for another image.
import { decodeBase64, encodeBase64 } from '../core/bytes.js';
import { sha256Digest, type Digest } from '../core/digest.js';
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { isJsonObject, parseJson, type JsonObject } from '../core/json.js';
import type { Verifier } from '../crypto/index.js';
import { verifyImageAttestations } from '../attest/attestations.js';
import { rejection, type RejectedEvidence } from '../attest/failures.js';
import { verifyImageSignatures } from '../attest/signatures.js';
import { dsseEnvelopeOfBundle, envelopeToJson, isTypeUri, parseEnvelope, type Envelope } from '../formats/index.js';
import { proposeAttestation, proposeSignature } from '../log/entries/index.js';
import type { AttachedLayer } from '../oci/attachments/artifact-manifest.js';
import { COSIGN_SIGNATURE_ANNOTATION, cosignTag, readCosignLayers } from '../oci/attachments/cosign-tags.js';
import { readBundleReferrers } from '../oci/attachments/referrers.js';
import type { ArtifactRepository } from '../oci/types.js';

export type AttachmentKind = 'signature' | 'attestation';
export type AttachmentSource = 'cosign-tag' | 'referrers' | 'referrers-tag';
export type AttachmentStatus = 'verified' | 'untrusted' | 'invalid';

export interface AttachmentVerdict {
  readonly kind: AttachmentKind;
  readonly source: AttachmentSource;
  /** The layer (cosign tags) or referrer manifest (referrers) the evidence was read from. */
  readonly digest: Digest;
  readonly status: AttachmentStatus;
  /** The verified statement's predicate type. */
  readonly predicateType?: string;
  /** What an attestation that did not verify claims to be, read from its unverified payload. */
  readonly claimedPredicateType?: string;
  /** Key id of the trusted key that verified it. */
  readonly signer?: string;
  /** The error code that kept it from being verified. */
  readonly reason?: string;
  /** The same signed evidence found in two places has one key, and is appended once. */
  readonly evidence?: string;
  /** The log proposal of verified evidence. */
  readonly proposal?: JsonObject;
}

interface Outcome<T> {
  verified: T[];
  rejected: RejectedEvidence[];
}

export async function attachmentVerdicts(repo: ArtifactRepository, image: Digest, trusted: readonly Verifier[]): Promise<AttachmentVerdict[]> {
  return [...(await signatureVerdicts(repo, image, trusted)), ...(await attestationVerdicts(repo, image, trusted))];
}

async function signatureVerdicts(repo: ArtifactRepository, image: Digest, trusted: readonly Verifier[]): Promise<AttachmentVerdict[]> {
  const layers = await readCosignLayers(repo, image, 'sig');
  if (layers.length === 0) return [];
  const outcome = await settle(verifyImageSignatures({ repo, digest: image, verifiers: [...trusted] }));
  const rejected = new Rejections(outcome.rejected);
  return layers.map((layer): AttachmentVerdict => {
    const digest = layer.descriptor.digest;
    const signature = signatureOf(layer);
    // Layers with the same payload share a digest; the signature tells them apart.
    const match = outcome.verified.find((v) => v.layerDigest === digest && signature !== undefined && keyOf(trusted, v.keyId).verify(layer.bytes, signature));
    if (match !== undefined && signature !== undefined) {
      const proposal = proposeSignature(layer.bytes, signature, keyOf(trusted, match.keyId).publicKeyPem());
      return { kind: 'signature', source: 'cosign-tag', digest, status: 'verified', signer: match.keyId, evidence: `${digest} ${encodeBase64(signature)}`, proposal };
    }
    const code = rejected.take(cosignTag(image, 'sig'), digest);
    const status = code === 'SIGNATURE_INVALID' && signature !== undefined ? 'untrusted' : 'invalid';
    return { kind: 'signature', source: 'cosign-tag', digest, status, reason: code };
  });
}

interface AttestationCandidate {
  source: AttachmentSource;
  /** The `source` verifyImageAttestations reports for it. */
  reportedAs: string;
  digest: Digest;
  envelope: () => Envelope;
}

async function attestationVerdicts(repo: ArtifactRepository, image: Digest, trusted: readonly Verifier[]): Promise<AttachmentVerdict[]> {
  const candidates: AttestationCandidate[] = [];
  const verdicts: AttachmentVerdict[] = [];
  const attTag = cosignTag(image, 'att');
  for (const layer of await readCosignLayers(repo, image, 'att')) {
    candidates.push({ source: 'cosign-tag', reportedAs: attTag, digest: layer.descriptor.digest, envelope: () => parseEnvelope(layer.bytes) });
  }
  const referrers = await readBundleReferrers(repo, image);
  const referrerSource: AttachmentSource = (await repo.supportsReferrersApi()) ? 'referrers' : 'referrers-tag';
  for (const r of referrers.rejected) {
    verdicts.push({ kind: 'attestation', source: referrerSource, digest: r.referrer.digest, status: 'invalid', reason: r.error.code });
  }
  for (const found of referrers.found) {
    candidates.push({ source: referrerSource, reportedAs: 'referrer', digest: found.referrer.digest, envelope: () => dsseEnvelopeOfBundle(found.bytes) });
  }
  if (candidates.length === 0) return verdicts;

  const outcome = trusted.length === 0 ? withoutKeys(candidates) : await settle(verifyImageAttestations({ repo, digest: image, verifiers: [...trusted] }));
  const rejected = new Rejections(outcome.rejected.filter((r) => !(r.source === 'referrer' && referrers.rejected.some((x) => x.referrer.digest === r.digest))));
  const verified = outcome.verified.map((v) => ({ ...v, evidence: sha256Digest(envelopeToJson(v.envelope)) }));
  for (const c of candidates) {
    const base = { kind: 'attestation' as const, source: c.source, digest: c.digest };
    let match = verified.find((v) => v.source === c.reportedAs && v.digest === c.digest);
    // verifyImageAttestations reports an envelope found in both places once; the other copy is the same evidence.
    if (match === undefined && !rejected.has(c.reportedAs, c.digest)) {
      const evidence = evidenceOf(c);
      match = verified.find((v) => v.evidence === evidence);
    }
    if (match !== undefined) {
      const signer = match.keyIds[0]!;
      const proposal = proposeAttestation(match.envelope, keyOf(trusted, signer).publicKeyPem());
      verdicts.push({ ...base, status: 'verified', predicateType: match.statement.predicateType, signer, evidence: match.evidence, proposal });
      continue;
    }
    const code = rejected.take(c.reportedAs, c.digest);
    const claimed = claimedPredicateType(c);
    const status = code === 'SIGNATURE_INVALID' ? 'untrusted' : 'invalid';
    verdicts.push({ ...base, status, reason: code, ...(claimed === undefined ? {} : { claimedPredicateType: claimed }) });
  }
  return verdicts;
}

/** The verification result, also when nothing verified (the no-evidence error carries what was rejected). */
async function settle<T>(verification: Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await verification;
  } catch (e) {
    const rejected = isProvenantError(e) ? e.details?.rejected : undefined;
    if (Array.isArray(rejected)) return { verified: [], rejected: rejected as RejectedEvidence[] };
    throw e;
  }
}

/** With no trusted key nothing verifies (verifyEnvelope refuses an empty key set): readable envelopes are untrusted. */
function withoutKeys(candidates: readonly AttestationCandidate[]): Outcome<never> {
  const rejected = candidates.map((c): RejectedEvidence => {
    try {
      c.envelope();
      return { source: c.reportedAs, digest: c.digest, code: 'SIGNATURE_INVALID', reason: 'no key is trusted' };
    } catch (e) {
      return rejection(c.reportedAs, c.digest, e);
    }
  });
  return { verified: [], rejected };
}

/** Rejections of one source in the order they were made; each is matched to one candidate. */
class Rejections {
  private readonly used = new Set<number>();
  constructor(private readonly list: readonly RejectedEvidence[]) {}

  has(source: string, digest: string): boolean {
    return this.list.some((r, i) => !this.used.has(i) && r.source === source && r.digest === digest);
  }

  take(source: string, digest: string): string {
    const i = this.list.findIndex((r, j) => !this.used.has(j) && r.source === source && r.digest === digest);
    if (i === -1) return 'UNCLASSIFIED';
    this.used.add(i);
    return this.list[i]!.code;
  }
}

function keyOf(trusted: readonly Verifier[], keyId: string): Verifier {
  const key = trusted.find((k) => k.keyId === keyId);
  if (key === undefined) throw new ProvenantError('INTERNAL', `verified by ${keyId}, which is not a trusted key`);
  return key;
}

function signatureOf(layer: AttachedLayer): Buffer | undefined {
  const text = layer.descriptor.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
  if (text === undefined || text === '') return undefined;
  try {
    const bytes = decodeBase64(text, 'signature annotation');
    return bytes.length === 0 ? undefined : bytes;
  } catch (e) {
    if (isProvenantError(e, 'BASE64_MALFORMED')) return undefined;
    throw e;
  }
}

function evidenceOf(c: AttestationCandidate): string | undefined {
  try {
    return sha256Digest(envelopeToJson(c.envelope()));
  } catch (e) {
    if (isProvenantError(e)) return undefined;
    throw e;
  }
}

const MAX_CLAIMED_TYPE = 2048;

function claimedPredicateType(c: AttestationCandidate): string | undefined {
  try {
    const payload = decodeBase64(c.envelope().payload, 'DSSE payload');
    const statement = parseJson(payload, 'unverified statement', { maxDepth: 64 });
    const type = isJsonObject(statement) ? statement['predicateType'] : undefined;
    return typeof type === 'string' && type.length <= MAX_CLAIMED_TYPE && isTypeUri(type) ? type : undefined;
  } catch (e) {
    if (isProvenantError(e)) return undefined;
    throw e;
  }
}

