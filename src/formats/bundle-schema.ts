// Strict shape of a sigstore bundle in protobuf JSON (sigstore/protobuf-specs, dev.sigstore.bundle.v1.Bundle
// and the messages it embeds). The generated fromJSON in @sigstore/protobuf-specs ignores unknown fields and
// decodes any text as base64; this schema runs first so that a bundle means exactly one thing: unknown
// fields, nulls, bad base64, signed or non-decimal int64 and oneof violations are refused.
import { z } from 'zod';
import { decodeBase64 } from '../core/bytes.js';

const MAX_TLOG_ENTRIES = 32;
const MAX_CERTIFICATES = 16;
const MAX_TIMESTAMPS = 16;
const MAX_PROOF_HASHES = 64;
const MAX_SIGNATURES = 1;

const base64 = z.string().refine((s) => {
  try {
    decodeBase64(s);
    return true;
  } catch {
    return false;
  }
}, 'not valid base64');
export const nonEmptyBase64 = base64.refine((s) => s.length > 0, 'must not be empty');

// proto3 JSON writes int64 as a decimal string and accepts a number; negative indexes and times are invalid.
const uint64 = z.union([z.string().regex(/^(?:0|[1-9][0-9]{0,18})$/), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]);

const HASH_ALGORITHMS = ['SHA2_256', 'SHA2_384', 'SHA2_512', 'SHA3_256', 'SHA3_384'] as const;

const x509Certificate = z.strictObject({ rawBytes: nonEmptyBase64 });

const tlogEntry = z.strictObject({
  logIndex: uint64,
  logId: z.strictObject({ keyId: nonEmptyBase64 }),
  kindVersion: z.strictObject({ kind: z.string().min(1).max(64), version: z.string().min(1).max(64) }),
  integratedTime: uint64.optional(),
  inclusionPromise: z.strictObject({ signedEntryTimestamp: nonEmptyBase64 }).optional(),
  inclusionProof: z
    .strictObject({
      logIndex: uint64,
      rootHash: nonEmptyBase64,
      treeSize: uint64,
      hashes: z.array(nonEmptyBase64).max(MAX_PROOF_HASHES).optional(),
      checkpoint: z.strictObject({ envelope: z.string().min(1).max(64 * 1024) }),
    })
    .optional(),
  canonicalizedBody: nonEmptyBase64,
});

const verificationMaterial = z
  .strictObject({
    publicKey: z.strictObject({ hint: z.string().max(1024).optional() }).optional(),
    x509CertificateChain: z.strictObject({ certificates: z.array(x509Certificate).min(1).max(MAX_CERTIFICATES) }).optional(),
    certificate: x509Certificate.optional(),
    tlogEntries: z.array(tlogEntry).max(MAX_TLOG_ENTRIES).optional(),
    timestampVerificationData: z
      .strictObject({
        rfc3161Timestamps: z.array(z.strictObject({ signedTimestamp: nonEmptyBase64 })).max(MAX_TIMESTAMPS).optional(),
      })
      .optional(),
  })
  .refine(
    (vm) => [vm.publicKey, vm.x509CertificateChain, vm.certificate].filter((x) => x !== undefined).length === 1,
    'exactly one of publicKey, x509CertificateChain and certificate is required',
  );

const dsseEnvelope = z.strictObject({
  payload: nonEmptyBase64,
  payloadType: z.string().min(1).max(1024),
  signatures: z
    .array(z.strictObject({ sig: nonEmptyBase64, keyid: z.string().max(1024).optional() }))
    .min(1)
    .max(MAX_SIGNATURES),
});

const messageSignature = z.strictObject({
  messageDigest: z.strictObject({ algorithm: z.enum(HASH_ALGORITHMS), digest: nonEmptyBase64 }),
  signature: nonEmptyBase64,
});

export const BUNDLE_MEDIA_TYPES = [
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json',
] as const;

export const bundleJsonSchema = z
  .strictObject({
    mediaType: z.enum(BUNDLE_MEDIA_TYPES),
    verificationMaterial,
    dsseEnvelope: dsseEnvelope.optional(),
    messageSignature: messageSignature.optional(),
  })
  .refine((b) => (b.dsseEnvelope === undefined) !== (b.messageSignature === undefined), 'exactly one of dsseEnvelope and messageSignature is required');
