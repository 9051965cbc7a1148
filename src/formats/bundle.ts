// Sigstore bundles (protobuf-specs dev.sigstore.bundle.v1.Bundle), built and read through @sigstore/bundle.
// Provenant writes v0.3 (application/vnd.dev.sigstore.bundle.v0.3+json) and reads v0.1 to v0.3.
import {
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  bundleToJSON,
  toDSSEBundle,
  toMessageSignatureBundle,
  type Bundle,
  type SerializedBundle,
} from '@sigstore/bundle';
import { decodeBase64, encodeBase64 } from '../core/bytes.js';
import { digestHex, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { bundleJsonSchema } from './bundle-schema.js';
import { parseEnvelope, envelopeToJson, type Envelope } from './dsse.js';
import { parseFormatJson } from './format-json.js';

export type { Bundle } from '@sigstore/bundle';
export { BUNDLE_V03_MEDIA_TYPE };

export interface ParseBundleOptions {
  /** Default 32 MiB (a DSSE bundle carries its payload, and intoto log entries carry it again). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * A v0.3 bundle around a DSSE envelope signed with a public key; `keyHint` (usually the signer's keyId) is
 * written to verificationMaterial.publicKey.hint and to the signature's keyid. The bundle format allows
 * exactly one signature. No transparency log entry is added. Errors: USAGE, DSSE_MALFORMED.
 */
export function buildDsseBundle(envelope: Envelope, keyHint: string): Bundle {
  // Re-parsing through the strict reader validates a hand-built envelope the same way as a read one.
  const env = parseEnvelope(envelopeToJson(envelope));
  if (env.signatures.length !== 1) {
    throw new ProvenantError('USAGE', `a sigstore bundle holds exactly one DSSE signature, the envelope has ${env.signatures.length}`);
  }
  const [signature] = env.signatures as [Envelope['signatures'][number]];
  return toDSSEBundle({
    artifact: decodeBase64(env.payload),
    artifactType: env.payloadType,
    signature: decodeBase64(signature.sig),
    keyHint,
  });
}

export interface MessageSignatureBundleInput {
  /** sha256 digest of the signed artifact. */
  digest: Digest;
  /** Signature over the artifact bytes (ECDSA P-256 with SHA-256, DER). */
  signature: Uint8Array;
  keyHint: string;
}

/** A v0.3 bundle carrying a message signature over an artifact identified by its sha256 digest. */
export function buildMessageSignatureBundle(input: MessageSignatureBundleInput): Bundle {
  if (input.signature.length === 0) throw new ProvenantError('USAGE', 'the signature is empty');
  return toMessageSignatureBundle({
    digest: Buffer.from(digestHex(input.digest), 'hex'),
    signature: Buffer.from(input.signature),
    keyHint: input.keyHint,
  });
}

export function bundleToJsonObject(bundle: Bundle): SerializedBundle {
  return bundleToJSON(bundle);
}

export function serializeBundle(bundle: Bundle): string {
  return JSON.stringify(bundleToJSON(bundle));
}

/**
 * Reads a bundle strictly: the core JSON parser (duplicate keys, depth), then the protobuf-JSON shape
 * (unknown fields, base64, int64, oneofs, media type), then @sigstore/bundle's own checks (v0.1 needs
 * inclusion promises, v0.2+ inclusion proofs, v0.3 no certificate chains). Errors: BUNDLE_MALFORMED,
 * INPUT_TOO_LARGE.
 */
export function parseBundle(input: string | Uint8Array, options: ParseBundleOptions = {}): Bundle {
  const obj = parseFormatJson(input, 'BUNDLE_MALFORMED', 'sigstore bundle', { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, maxDepth: 16 });
  return bundleFromJsonObject(obj);
}

export function bundleFromJsonObject(obj: JsonObject): Bundle {
  const checked = bundleJsonSchema.safeParse(obj);
  if (!checked.success) {
    const issues = checked.error.issues.slice(0, 5).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new ProvenantError('BUNDLE_MALFORMED', `sigstore bundle is not well formed: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, {
      details: { issues },
    });
  }
  try {
    return bundleFromJSON(obj);
  } catch (cause) {
    const fields = cause instanceof Error && 'fields' in cause && Array.isArray(cause.fields) ? (cause.fields as unknown[]).map(String) : [];
    throw new ProvenantError('BUNDLE_MALFORMED', `sigstore bundle is not well formed${fields.length > 0 ? `: ${fields.join(', ')}` : ''}`, {
      cause,
      details: { fields },
    });
  }
}

/** The DSSE envelope a bundle carries. Errors: BUNDLE_MALFORMED (also for a bundle of a message signature). */
export function dsseEnvelopeOfBundle(bytes: Buffer): Envelope {
  const bundle = parseBundle(bytes);
  if (bundle.content.$case !== 'dsseEnvelope') {
    throw new ProvenantError('BUNDLE_MALFORMED', 'bundle holds a message signature, not a DSSE envelope');
  }
  const env = bundle.content.dsseEnvelope;
  return {
    payloadType: env.payloadType,
    payload: encodeBase64(env.payload),
    signatures: env.signatures.map((s) => ({ keyid: s.keyid, sig: encodeBase64(s.sig) })),
  };
}
