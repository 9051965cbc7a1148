// The sigstore TrustedRoot (protobuf-specs dev.sigstore.trustroot.v1), as cosign's --trusted-root reads it.
// The generated fromJSON accepts anything, and a missing validity start would silently mean "since 1970",
// so the shape is checked first: every key and certificate authority needs base64 material and a start.
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { z } from 'zod';
import { ProvenantError } from '../core/errors.js';
import { nonEmptyBase64 } from './bundle-schema.js';
import { parseFormatJson } from './format-json.js';

export type { TrustedRoot } from '@sigstore/protobuf-specs';

export const TRUSTED_ROOT_MEDIA_TYPES = [
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.1+json',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
] as const;

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
const MAX_INSTANCES = 256;

const base64 = nonEmptyBase64;

// RFC 3339 as protobuf JSON writes a Timestamp ("Z" or an offset, optional fraction).
const timestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid time');
const timeRange = z.strictObject({ start: timestamp, end: timestamp.optional() });
const enumName = z.string().regex(/^[A-Z0-9_]{1,64}$/);

const tlogInstance = z.strictObject({
  baseUrl: z.string().max(2048),
  hashAlgorithm: enumName,
  publicKey: z.strictObject({ rawBytes: base64, keyDetails: enumName, validFor: timeRange }),
  logId: z.strictObject({ keyId: base64 }),
  checkpointKeyId: z.strictObject({ keyId: base64 }).optional(),
  operator: z.string().max(2048).optional(),
});

const certificateAuthority = z.strictObject({
  subject: z.strictObject({ organization: z.string().max(1024).optional(), commonName: z.string().max(1024).optional() }).optional(),
  uri: z.string().max(2048).optional(),
  certChain: z.strictObject({ certificates: z.array(z.strictObject({ rawBytes: base64 })).min(1).max(16) }),
  validFor: timeRange,
  operator: z.string().max(2048).optional(),
});

const trustedRootSchema = z.strictObject({
  mediaType: z.enum(TRUSTED_ROOT_MEDIA_TYPES),
  tlogs: z.array(tlogInstance).max(MAX_INSTANCES).optional(),
  certificateAuthorities: z.array(certificateAuthority).max(MAX_INSTANCES).optional(),
  ctlogs: z.array(tlogInstance).max(MAX_INSTANCES).optional(),
  timestampAuthorities: z.array(certificateAuthority).max(MAX_INSTANCES).optional(),
});

export interface ParseTrustedRootOptions {
  maxBytes?: number;
}

/** Errors: TRUST_ROOT_INVALID, INPUT_TOO_LARGE. Keys and certificates are decoded later, by toTrustMaterial. */
export function parseTrustedRoot(input: string | Uint8Array, options: ParseTrustedRootOptions = {}): TrustedRoot {
  const obj = parseFormatJson(input, 'TRUST_ROOT_INVALID', 'trusted root', { maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES, maxDepth: 16 });
  const checked = trustedRootSchema.safeParse(obj);
  if (!checked.success) {
    const issues = checked.error.issues.slice(0, 5).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new ProvenantError('TRUST_ROOT_INVALID', `trusted root is not well formed: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, {
      details: { issues },
    });
  }
  return TrustedRoot.fromJSON(obj);
}

/** A root that trusts nothing, for verifying keyed bundles without a transparency log. */
export function emptyTrustedRoot(): TrustedRoot {
  return { mediaType: TRUSTED_ROOT_MEDIA_TYPES[0], tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] };
}
