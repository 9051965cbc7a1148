// The boundary between signing code and keys. Formats (DSSE, cosign payloads) sign and verify through these
// two interfaces and never see key material.

export type KeyAlgorithm = 'ecdsa-p256' | 'ed25519';

export interface Signer {
  readonly algorithm: KeyAlgorithm;
  /** Stable id of the public key: "sha256:<hex>" of its DER SubjectPublicKeyInfo. */
  readonly keyId: string;
  /**
   * Signs `data`. ECDSA P-256 hashes with SHA-256 and returns an ASN.1 DER signature (as cosign does);
   * Ed25519 signs the data itself and returns the 64-byte signature.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** The matching public key as SPKI PEM ("-----BEGIN PUBLIC KEY-----"). */
  publicKeyPem(): string;
}

export interface Verifier {
  readonly algorithm: KeyAlgorithm;
  readonly keyId: string;
  /** True only if `signature` is a valid signature of `data`; malformed signatures are false, never a throw. */
  verify(data: Uint8Array, signature: Uint8Array): boolean;
  publicKeyPem(): string;
}
