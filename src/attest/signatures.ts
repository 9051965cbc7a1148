// Image signatures in cosign's format: a simple-signing payload naming the image digest, signed with the
// key, stored as a layer of the `sha256-<hex>.sig` manifest with the signature in an annotation.
import { decodeBase64, encodeBase64 } from '../core/bytes.js';
import { sha256Digest, type Digest } from '../core/digest.js';
import { isProvenantError, ProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { loadVerifier, type Signer, type Verifier } from '../crypto/index.js';
import { buildSimpleSigningPayload, parseSimpleSigningPayload, type SimpleSigningPayload } from '../formats/index.js';
import {
  appendCosignLayer,
  COSIGN_SIGNATURE_ANNOTATION,
  cosignTag,
  readCosignLayers,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from '../oci/attachments/cosign-tags.js';
import type { ArtifactRepository, Descriptor } from '../oci/types.js';
import { noEvidenceError, rejection, type RejectedEvidence } from './failures.js';

export interface SignImageInput {
  repo: ArtifactRepository;
  /** Repository name recorded as `critical.identity.docker-reference`, e.g. "registry.example/app". */
  dockerReference: string;
  digest: Digest;
  signer: Signer;
  annotations?: Record<string, string>;
}

export interface SignedImage {
  digest: Digest;
  tag: string;
  payload: Buffer;
  signature: string;
  added: boolean;
}

export async function signImage(input: SignImageInput): Promise<SignedImage> {
  const optional = input.annotations !== undefined && Object.keys(input.annotations).length > 0 ? input.annotations : undefined;
  const payload = buildSimpleSigningPayload({
    dockerReference: input.dockerReference,
    digest: input.digest,
    optional: optional ?? null,
  });
  const tag = cosignTag(input.digest, 'sig');
  const signature = encodeBase64(await input.signer.sign(payload));
  // ECDSA signatures are randomised, so a byte comparison never finds the earlier one; like cosign's dupe
  // detector, a layer with this payload that already verifies under the signer's key counts as this signature.
  const { added, existing } = await appendCosignLayer(
    input.repo,
    input.digest,
    'sig',
    { mediaType: SIMPLE_SIGNING_MEDIA_TYPE, bytes: payload, annotations: { [COSIGN_SIGNATURE_ANNOTATION]: signature } },
    signedBy(payload, input.signer),
  );
  const kept = existing?.annotations?.[COSIGN_SIGNATURE_ANNOTATION] ?? signature;
  return { digest: input.digest, tag, payload, signature: kept, added };
}

/** A layer carrying `payload` with a signature that verifies under the signer's own key. */
function signedBy(payload: Buffer, signer: Signer): (layer: Descriptor) => boolean {
  const payloadDigest = sha256Digest(payload);
  const verifier = loadVerifier(signer.publicKeyPem());
  return (layer) => {
    const encoded = layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION];
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE || layer.digest !== payloadDigest || encoded === undefined) return false;
    try {
      return verifier.verify(payload, decodeBase64(encoded, 'signature annotation'));
    } catch (e) {
      if (isProvenantError(e, 'BASE64_MALFORMED')) return false;
      throw e;
    }
  };
}

export interface VerifiedSignature {
  payload: SimpleSigningPayload;
  /** The payload exactly as signed, for callers that print it as cosign does. */
  payloadJson: JsonObject;
  layerDigest: Digest;
  keyId: string;
}

export interface VerifyImageInput {
  repo: ArtifactRepository;
  digest: Digest;
  verifiers: Verifier[];
  /** Every key/value must appear in the payload's `optional` section (cosign `-a`). */
  annotations?: Record<string, string>;
}

/**
 * Every signature on the image that verifies with one of the keys and names exactly this digest.
 * Throws SIGNATURE_MISSING, SIGNATURE_DIGEST_MISMATCH or SIGNATURE_INVALID when none does.
 */
export async function verifyImageSignatures(input: VerifyImageInput): Promise<{ verified: VerifiedSignature[]; rejected: RejectedEvidence[] }> {
  const source = cosignTag(input.digest, 'sig');
  const verified: VerifiedSignature[] = [];
  const rejected: RejectedEvidence[] = [];
  for (const layer of await readCosignLayers(input.repo, input.digest, 'sig')) {
    try {
      verified.push(checkSignatureLayer(layer.descriptor, layer.bytes, input));
    } catch (e) {
      rejected.push(rejection(source, layer.descriptor.digest, e));
    }
  }
  if (verified.length === 0) throw noEvidenceError('signature', input.digest, rejected, 'SIGNATURE_MISSING');
  return { verified, rejected };
}

function checkSignatureLayer(layer: Descriptor, bytes: Buffer, input: VerifyImageInput): VerifiedSignature {
  const { mediaType, annotations } = layer;
  if (mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
    throw new ProvenantError('PAYLOAD_MALFORMED', `layer media type is ${mediaType}, not ${SIMPLE_SIGNING_MEDIA_TYPE}`);
  }
  const encoded = annotations?.[COSIGN_SIGNATURE_ANNOTATION];
  if (encoded === undefined || encoded === '') throw new ProvenantError('SIGNATURE_INVALID', 'layer carries no signature annotation');
  const signature = decodeBase64(encoded, 'signature annotation');
  // The signature is checked over the exact payload bytes before the payload is interpreted at all.
  const verifier = input.verifiers.find((v) => v.verify(bytes, signature));
  if (verifier === undefined) throw new ProvenantError('SIGNATURE_INVALID', 'signature does not verify with any of the given keys');
  const payload = parseSimpleSigningPayload(bytes);
  if (payload.digest !== input.digest) {
    throw new ProvenantError('SIGNATURE_DIGEST_MISMATCH', `signed payload names ${payload.digest}, not ${input.digest}`, {
      details: { signed: payload.digest, image: input.digest },
    });
  }
  for (const [key, value] of Object.entries(input.annotations ?? {})) {
    if (payload.optional?.[key] !== value) {
      throw new ProvenantError('SIGNATURE_INVALID', `signed annotation ${key} is not ${JSON.stringify(value)}`);
    }
  }
  return { payload, payloadJson: JSON.parse(bytes.toString('utf8')) as JsonObject, layerDigest: layer.digest, keyId: verifier.keyId };
}
