// A validated policy: what `parsePolicyDocument` makes of a `provenant.dev/v1 ProvenancePolicy` (or of a
// sigstore `ClusterImagePolicy`) and what `evaluate` reads. Globs, version ranges and CEL programs arrive compiled,
// so evaluation never parses text and a policy that was accepted cannot fail to compile later.
import type { CelProgram } from './cel-program.js';
import type { ImageGlob } from './image-glob.js';
import type { VersionRange } from './version-range.js';

export type PolicyMode = 'enforce' | 'warn' | 'audit';
/** What a rule that fails does to the decision (under `enforce`; `warn` turns deny into warn, `audit` records only). */
export type RuleAction = 'deny' | 'warn' | 'sandbox';
export type Severity = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export const SEVERITIES: readonly Severity[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** A signer by key or by keyless identity. Identities match exactly unless a regexp is given (always anchored). */
export type SignerMatcher =
  | { readonly kind: 'key'; readonly keyId: string; readonly publicKey: string; readonly name?: string }
  | {
      readonly kind: 'identity';
      readonly issuer?: string;
      readonly issuerRegExp?: RegExp;
      readonly subject?: string;
      readonly subjectRegExp?: RegExp;
      readonly name?: string;
    };

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values: readonly string[];
  }[];
}

export interface PolicyMatch {
  /** Empty: every image. */
  readonly images: readonly ImageGlob[];
  /** Registry hosts ("ghcr.io", "localhost:5000"); empty: any. */
  readonly registries: readonly string[];
  /** Namespace names; empty: any (and requests without a namespace match). */
  readonly namespaces: readonly string[];
  readonly namespaceSelector?: LabelSelector;
  /** Workload kinds ("Pod", "Deployment", ...); empty: any. */
  readonly kinds: readonly string[];
}

/** Changes a sandbox outcome asks the interceptor to apply to the workload. */
export interface SandboxChanges {
  readonly runtimeClassName?: string;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: false;
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

export interface PackageSelector {
  /** A catalog ecosystem ("deb", "npm", ...) or an OSV ecosystem name ("Maven", "PyPI"); absent: any. */
  readonly ecosystem?: string;
  readonly name: string;
  /** Absent: every version. */
  readonly versions?: VersionRange;
}

export interface IgnoredVulnerability {
  readonly id: string;
  readonly owner: string;
  /** RFC 3339; after it the entry no longer applies. */
  readonly expires: string;
  readonly reason?: string;
}

export type RuleBody =
  | {
      readonly kind: 'signature';
      /** At least `count` distinct signers from `signers` (default 1). */
      readonly signers: readonly SignerMatcher[];
      readonly count: number;
    }
  | {
      readonly kind: 'attestation';
      readonly predicateTypes: readonly string[];
      /** Signers whose attestations count; empty: the policy's attestors (or any verified signer if none). */
      readonly signers: readonly SignerMatcher[];
      /** Seconds; absent: no age limit. */
      readonly maxAge?: number;
    }
  | {
      readonly kind: 'audit';
      readonly auditors: readonly string[];
      readonly type?: 'vuln-scan' | 'compliance';
      readonly maxAge?: number;
    }
  | {
      readonly kind: 'buildEnvironment';
      readonly compilers: readonly { readonly name: string; readonly version: string }[];
      readonly builderIds: readonly string[];
      /** Globs over the source URI ("git+https://github.com/acme/*"). */
      readonly sourceRepositories: readonly ImageGlob[];
      readonly ciSystems: readonly string[];
    }
  | {
      readonly kind: 'dependencies';
      readonly blocked: readonly PackageSelector[];
      /** Globs over resolved-dependency URIs and package repository URLs; empty: no source check. */
      readonly trustedSources: readonly ImageGlob[];
      /** Licence identifiers as packages declare them; empty: no licence check. */
      readonly allowedLicenses: readonly string[];
    }
  | {
      readonly kind: 'vulnerabilities';
      /** Findings at or above this severity fail the rule. */
      readonly severity: Severity;
      /** Only advisories published after the image's build time, or after a fixed instant. */
      readonly publishedAfter?: { readonly kind: 'build' } | { readonly kind: 'date'; readonly at: string };
      readonly fixedOnly: boolean;
      readonly ignore: readonly IgnoredVulnerability[];
    }
  | {
      readonly kind: 'reputation';
      readonly minScore: number;
      /** Which provider is scored: the image's registry namespace, or each required signer. */
      readonly provider: 'namespace' | 'signer';
    }
  | { readonly kind: 'expression'; readonly program: CelProgram };

export type RuleKind = RuleBody['kind'];

export type Rule = RuleBody & {
  readonly name: string;
  readonly action: RuleAction;
  readonly message?: string;
  /** Only for action `sandbox`. */
  readonly sandbox?: SandboxChanges;
};

export interface Policy {
  readonly name: string;
  readonly mode: PolicyMode;
  readonly match: PolicyMatch;
  /** Signers whose attestations supply facts (build environment, packages); empty: any verified signer. */
  readonly attestors: readonly SignerMatcher[];
  readonly rules: readonly Rule[];
  /**
   * Admission pins the images this policy matches to their resolved digests in the workload (a mutation), in
   * enforce and warn mode as sandbox changes are, not in audit mode; absent: the images are left as written (the
   * resolved digest is recorded in any case).
   */
  readonly pinDigests?: boolean;
  /** Where the policy came from, for the decision record. */
  readonly origin: { readonly format: 'ProvenancePolicy' | 'ClusterImagePolicy'; readonly digest: string };
}

/** The policies in force, as one versioned set. */
export interface PolicySet {
  readonly policies: readonly Policy[];
  /** Opaque version id (e.g. the log index of the newest policy entry, or the digest of the set offline). */
  readonly version: string;
  /** What happens to an image no policy matches. Fail closed by default. */
  readonly noMatch: 'allow' | 'warn' | 'deny';
}
