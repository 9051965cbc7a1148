// What is known about one image digest, gathered from the log (or from attestations fetched from the registry and
// verified) before a policy is evaluated. Facts are complete and policy-independent: every verified signature
// and attestation is listed with its signer, and the evaluator chooses which signers a policy trusts. So one
// gathering serves every policy, and a decision is a pure function of (facts, policies, data, context).
import type { Ecosystem } from '../formats/sbom-package.js';

/** Where a fact came from: the log entry (or registry attachment) that says it. */
export interface Evidence {
  readonly kind: 'signature' | 'attestation' | 'audit' | 'revocation' | 'lineage';
  /** The log entry digest, or for a registry attachment the digest of the verified envelope or signature layer. */
  readonly digest: string;
  /** Decimal log index, when the evidence is in the log. */
  readonly logIndex?: string;
}

/** A verified signer: a key (always known) and, for keyless signing, the certificate's identity. */
export interface SignerFact {
  /** "sha256:<hex of the SPKI DER>". */
  readonly keyId: string;
  readonly publicKey: string;
  readonly issuer?: string;
  readonly subject?: string;
}

export interface RevocationFact {
  readonly evidence: Evidence;
  readonly reason: string;
  readonly createdAt: string;
  readonly signer: SignerFact;
}

export interface SignatureFact {
  readonly signer: SignerFact;
  readonly evidence: Evidence;
  /** When the log integrated it (RFC 3339), when known. */
  readonly recordedAt?: string;
  /** Revocations of this signature by its own signer or a key the caller trusts; empty when none. */
  readonly revocations: readonly RevocationFact[];
}

export interface ToolchainFact {
  readonly name: string;
  readonly version: string;
}

/** What a SLSA provenance statement says about the build. */
export interface BuildFact {
  readonly builderId: string;
  readonly buildType: string;
  readonly source?: { readonly uri: string; readonly digest?: Readonly<Record<string, string>> };
  readonly ci?: { readonly system?: string; readonly runId?: string; readonly url?: string };
  readonly toolchains: readonly ToolchainFact[];
  readonly os?: { readonly id?: string; readonly versionId?: string };
  readonly compilerFlags: Readonly<Record<string, string>>;
  /** SLSA resolvedDependencies: base images, sources, other inputs. */
  readonly resolvedDependencies: readonly { readonly uri?: string; readonly name?: string; readonly digest?: Readonly<Record<string, string>> }[];
  readonly startedOn?: string;
  readonly finishedOn?: string;
}

export interface PackageFact {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly source?: { readonly name: string; readonly version?: string };
  readonly licenses?: readonly string[];
  /** Manifest index of the layer that introduced it, when known. */
  readonly layer?: number;
}

export interface AttestationFact {
  readonly predicateType: string;
  readonly signer: SignerFact;
  readonly evidence: Evidence;
  /** When the log integrated it, or the statement's own time for registry attestations (RFC 3339), when known. */
  readonly issuedAt?: string;
  readonly revocations: readonly RevocationFact[];
  /** Set for SLSA provenance statements. */
  readonly build?: BuildFact;
  /** Set for the layers predicate and SBOM statements: the image's final package inventory. */
  readonly packages?: readonly PackageFact[];
  /** The image's os-release, from the layers predicate or SBOM, when it says. */
  readonly osRelease?: { readonly distro: string; readonly versionId?: string };
}

export interface AuditFact {
  readonly auditor: string;
  readonly type: 'vuln-scan' | 'compliance';
  readonly result: 'pass' | 'fail';
  readonly createdAt: string;
  readonly signer: SignerFact;
  readonly evidence: Evidence;
  readonly revocations: readonly RevocationFact[];
}

export interface ImageRef {
  /** As asked ("registry.example/team/app:1.0" or with "@sha256:..."). */
  readonly reference: string;
  /** Registry host[:port], normalised ("docker.io" for Docker Hub). */
  readonly registry: string;
  /** Repository path without registry ("team/app", "library/nginx"). */
  readonly repository: string;
  readonly tag?: string;
  /** The manifest digest the reference resolved to. */
  readonly digest: string;
}

export interface ImageFacts {
  readonly image: ImageRef;
  readonly signatures: readonly SignatureFact[];
  readonly attestations: readonly AttestationFact[];
  readonly audits: readonly AuditFact[];
  /** Where the facts were read: the log at a tree size, or the registry. */
  readonly gatheredFrom: { readonly kind: 'log'; readonly treeSize: string } | { readonly kind: 'registry' };
  /** Evidence that was found but could not be verified or read, with the reason; never used as a fact. */
  readonly rejected: readonly { readonly digest: string; readonly reason: string }[];
}
