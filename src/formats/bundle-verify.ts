// Offline verification of a sigstore bundle with @sigstore/verify, against a TrustedRoot and/or a public
// key. Identity policy is applied here rather than through @sigstore/verify's policy, whose SAN check is an
// unanchored regular expression match (see identity.ts).
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { PolicyError, VerificationError, Verifier, toSignedEntity, toTrustMaterial, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { bytesEqual } from '../core/bytes.js';
import { digestFromHex, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { parseBundle, type Bundle } from './bundle.js';
import { compileIdentityPolicy, isIdentityPolicyEmpty, type IdentityPolicy, type SignerIdentity } from './identity.js';
import { emptyTrustedRoot, parseTrustedRoot } from './trusted-root.js';

export interface VerifyBundleInput {
  /** Bundle JSON text or bytes, or a bundle already read with parseBundle. */
  bundle: string | Uint8Array | Bundle;
  /** TrustedRoot JSON (cosign --trusted-root). Needed for certificates and for any transparency log entry. */
  trustedRoot?: string | Uint8Array;
  /** SPKI PEM public key for keyed bundles (cosign --key). */
  publicKeyPem?: string;
  /** Keyless identity policy; required for certificate bundles, refused for keyed ones. */
  identity?: IdentityPolicy;
  /** The signed artifact; required for message-signature bundles. */
  artifact?: Uint8Array;
  /** Require a verified transparency log entry (default true). False allows keyed bundles without one. */
  requireTlog?: boolean;
}

export type VerifiedSigner = { kind: 'publicKey' } | ({ kind: 'certificate' } & SignerIdentity);

export type VerifiedContent =
  | { kind: 'dsse'; payloadType: string; payload: Buffer }
  | { kind: 'messageSignature'; digest: Digest };

export interface VerifiedBundle {
  signer: VerifiedSigner;
  content: VerifiedContent;
  /** Transparency log entries that were verified (inclusion and body). */
  tlogEntries: number;
}

/**
 * Errors: BUNDLE_MALFORMED, BUNDLE_INVALID (signature, chain, log or timestamp check failed),
 * IDENTITY_MISMATCH, TRUST_ROOT_INVALID, KEY_MALFORMED / KEY_UNSUPPORTED / KEY_MISMATCH, USAGE
 * (material needed for this bundle's kind was not given), UNSUPPORTED (message digest not SHA-256).
 */
export function verifyBundle(input: VerifyBundleInput): VerifiedBundle {
  const bundle = typeof input.bundle === 'string' || input.bundle instanceof Uint8Array ? parseBundle(input.bundle) : input.bundle;
  const root = input.trustedRoot === undefined ? undefined : parseTrustedRoot(input.trustedRoot);
  const requireTlog = input.requireTlog ?? true;
  const keyed = bundle.verificationMaterial.content.$case === 'publicKey';
  const givenKey = input.publicKeyPem === undefined ? undefined : publicKeyFromPem(input.publicKeyPem);

  let matcher: ReturnType<typeof compileIdentityPolicy> | undefined;
  if (keyed) {
    if (givenKey === undefined) throw new ProvenantError('USAGE', 'the bundle is signed with a public key; give that key to verify it');
    if (!isIdentityPolicyEmpty(input.identity)) {
      throw new ProvenantError('IDENTITY_MISMATCH', 'the bundle is signed with a key and carries no certificate identity');
    }
  } else {
    if (root === undefined) throw new ProvenantError('USAGE', 'a certificate bundle needs a trusted root to verify against');
    matcher = compileIdentityPolicy(input.identity ?? {});
  }

  let trust: TrustMaterial;
  try {
    trust = toTrustMaterial(root ?? emptyTrustedRoot(), givenKey === undefined ? undefined : () => ({ publicKey: givenKey, validFor: () => true }));
  } catch (cause) {
    throw new ProvenantError('TRUST_ROOT_INVALID', 'the trusted root holds a key or certificate that cannot be read', { cause });
  }

  const content = checkContent(bundle, input.artifact);
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(bundle, input.artifact === undefined ? undefined : Buffer.from(input.artifact));
  } catch (cause) {
    throw new ProvenantError('BUNDLE_MALFORMED', 'the bundle certificate or timestamp cannot be read', { cause });
  }
  if (keyed && !requireTlog && root === undefined) {
    // With no log required and no root to check entries against, entries are ignored rather than trusted.
    entity = { ...entity, tlogEntries: [], timestamps: entity.timestamps.filter((t) => t.$case !== 'transparency-log') };
  }

  const verifier = new Verifier(trust, {
    tlogThreshold: requireTlog ? 1 : 0,
    ctlogThreshold: keyed ? 0 : 1,
    // A certificate is only valid for a verified time; a key has no validity window to check.
    timestampThreshold: keyed ? 0 : 1,
  });
  let signerKey: KeyObject;
  let identity: SignerIdentity;
  try {
    const signer = verifier.verify(entity);
    signerKey = signer.key;
    identity = { subjectAlternativeName: signer.identity?.subjectAlternativeName, issuer: signer.identity?.extensions?.issuer };
  } catch (cause) {
    throw mapVerifyError(cause);
  }

  if (keyed) return { signer: { kind: 'publicKey' }, content, tlogEntries: entity.tlogEntries.length };
  if (givenKey !== undefined && !sameKey(givenKey, signerKey)) {
    throw new ProvenantError('BUNDLE_INVALID', 'the bundle certificate is not for the given public key');
  }
  matcher?.check(identity);
  return { signer: { kind: 'certificate', ...identity }, content, tlogEntries: entity.tlogEntries.length };
}

function checkContent(bundle: Bundle, artifact: Uint8Array | undefined): VerifiedContent {
  switch (bundle.content.$case) {
    case 'dsseEnvelope': {
      const env = bundle.content.dsseEnvelope;
      return { kind: 'dsse', payloadType: env.payloadType, payload: Buffer.from(env.payload) };
    }
    case 'messageSignature': {
      const md = bundle.content.messageSignature.messageDigest;
      if (md.algorithm !== HashAlgorithm.SHA2_256 || md.digest.length !== 32) {
        throw new ProvenantError('UNSUPPORTED', 'only SHA-256 message digests are supported');
      }
      if (artifact === undefined) throw new ProvenantError('USAGE', 'a message-signature bundle needs the signed artifact to verify');
      // @sigstore/verify checks the signature over the artifact but not the digest the bundle states.
      if (!bytesEqual(createHash('sha256').update(artifact).digest(), md.digest)) {
        throw new ProvenantError('BUNDLE_INVALID', 'the artifact does not match the digest in the bundle');
      }
      return { kind: 'messageSignature', digest: digestFromHex(Buffer.from(md.digest).toString('hex')) };
    }
  }
}

function mapVerifyError(cause: unknown): ProvenantError {
  if (cause instanceof ProvenantError) return cause;
  if (cause instanceof PolicyError) return new ProvenantError('IDENTITY_MISMATCH', cause.message, { cause });
  if (cause instanceof VerificationError) {
    return new ProvenantError('BUNDLE_INVALID', `sigstore bundle does not verify: ${cause.message}`, { cause, details: { sigstoreCode: cause.code } });
  }
  // Anything else is the library tripping over hostile content; it is still a failed verification.
  return new ProvenantError('BUNDLE_INVALID', 'sigstore bundle does not verify', { cause });
}

function publicKeyFromPem(pem: string): KeyObject {
  if (!/^\s*-----BEGIN PUBLIC KEY-----/.test(pem)) {
    const isPrivate = /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem);
    throw new ProvenantError(isPrivate ? 'KEY_MISMATCH' : 'KEY_MALFORMED', isPrivate ? 'a public key is needed, not a private one' : 'not an SPKI PEM public key');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new ProvenantError('KEY_MALFORMED', 'the public key PEM cannot be read', { cause });
  }
  const ok = key.asymmetricKeyType === 'ed25519' || (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1');
  if (!ok) throw new ProvenantError('KEY_UNSUPPORTED', `public key type ${key.asymmetricKeyType ?? 'unknown'} is not supported`);
  return key;
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  return bytesEqual(a.export({ type: 'spki', format: 'der' }), b.export({ type: 'spki', format: 'der' }));
}
