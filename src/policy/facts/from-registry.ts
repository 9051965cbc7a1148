// ImageFacts from the registry, for images the log has not recorded: the signatures and attestations attached
// to the image (cosign tags and OCI referrers), verified with the given keys by src/attest exactly as `verify`
// and `verify-attestation` do. The registry holds no audits or revocations, so those lists are empty.
import { verifyImageAttestations } from '../../attest/attestations.js';
import type { RejectedEvidence } from '../../attest/failures.js';
import { verifyImageSignatures, type VerifyImageInput } from '../../attest/signatures.js';
import { parseDigest, sha256Digest } from '../../core/digest.js';
import { isProvenantError, ProvenantError, type ErrorCode } from '../../core/errors.js';
import type { Verifier } from '../../crypto/index.js';
import { envelopeToJson } from '../../formats/dsse.js';
import type { AttestationFact, ImageFacts, ImageRef, SignatureFact, SignerFact } from '../facts.js';
import { attestationFact, signerFact } from './statement-facts.js';

/** The repository the image is in (an ArtifactRepository: a registry or an OCI layout), read through src/attest. */
export type AttachmentRepository = VerifyImageInput['repo'];

interface Outcome<T> {
  readonly verified: readonly T[];
  readonly rejected: readonly RejectedEvidence[];
}

/**
 * Errors: USAGE (no keys), DIGEST_MALFORMED, and the registry's errors (REGISTRY_*, MANIFEST_*, BLOB_*). No
 * signature or attestation at all gives empty lists; ones that do not verify are listed in `rejected`.
 */
export async function gatherFactsFromRegistry(repo: AttachmentRepository, image: ImageRef, verifiers: Verifier[]): Promise<ImageFacts> {
  const digest = parseDigest(image.digest, 'image digest');
  if (verifiers.length === 0) throw new ProvenantError('USAGE', 'verifying attachments needs at least one key');
  const signer = (keyId: string): SignerFact => {
    const key = verifiers.find((v) => v.keyId === keyId);
    if (key === undefined) throw new ProvenantError('INTERNAL', `verified by ${keyId}, which is not one of the given keys`);
    return signerFact(key.keyId, key.publicKeyPem());
  };
  const rejected: { digest: string; reason: string }[] = [];
  const reject = (r: RejectedEvidence): void => {
    rejected.push({ digest: r.digest, reason: `${r.code}: ${r.source}: ${r.reason}` });
  };

  const sigs = await settle(verifyImageSignatures({ repo, digest, verifiers }), 'SIGNATURE_MISSING');
  sigs.rejected.forEach(reject);
  const signatures = sigs.verified.map((s): SignatureFact => ({ signer: signer(s.keyId), evidence: { kind: 'signature', digest: s.layerDigest }, revocations: [] }));

  const atts = await settle(verifyImageAttestations({ repo, digest, verifiers }), 'ATTESTATION_MISSING');
  atts.rejected.forEach(reject);
  const attestations: AttestationFact[] = [];
  for (const a of atts.verified) {
    const envelopeDigest = sha256Digest(envelopeToJson(a.envelope));
    for (const keyId of a.keyIds) {
      try {
        attestations.push(attestationFact(a.statement, digest, { signer: signer(keyId), evidence: { kind: 'attestation', digest: envelopeDigest }, revocations: [] }));
      } catch (e) {
        if (!isProvenantError(e) || e.code === 'INTERNAL') throw e;
        reject({ source: a.source, digest: envelopeDigest, code: e.code, reason: e.message });
      }
    }
  }
  return { image, signatures, attestations, audits: [], gatheredFrom: { kind: 'registry' }, rejected };
}

/**
 * The verification's result; when nothing verified, what was rejected (the no-evidence error of src/attest
 * carries it) or, for the `missing` code, nothing at all. Other errors (the registry's) propagate.
 */
async function settle<T>(verification: Promise<Outcome<T>>, missing: ErrorCode): Promise<Outcome<T>> {
  try {
    return await verification;
  } catch (e) {
    if (isProvenantError(e, missing)) return { verified: [], rejected: [] };
    const rejected = isProvenantError(e) ? e.details?.rejected : undefined;
    if (Array.isArray(rejected)) return { verified: [], rejected: rejected as RejectedEvidence[] };
    throw e;
  }
}
