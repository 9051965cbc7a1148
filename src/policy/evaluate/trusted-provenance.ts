// The provenance a policy believes: attestations signed by one of its attestors (any verified signer when it names
// none) and not revoked. The build fact comes from the newest such SLSA statement, the package inventory and
// os-release from the newest one carrying packages; "newest" is the order of newest.ts.
import type { UsedFact } from '../decision.js';
import type { AttestationFact, BuildFact, Evidence, PackageFact } from '../facts.js';
import type { SignerMatcher } from '../policy.js';
import { sortNewest } from './newest.js';
import { ignoredRevocationFacts, isRevoked, splitRevocations } from './revocations.js';
import { signerTrusted } from './signer-match.js';

export interface TrustedBuild {
  readonly fact: BuildFact;
  readonly evidence: Evidence;
  /** Revocations of that attestation that were not counted. */
  readonly ignoredRevocations: readonly UsedFact[];
}

export interface TrustedInventory {
  readonly packages: readonly PackageFact[];
  readonly osRelease?: { readonly distro: string; readonly versionId?: string };
  readonly evidence: Evidence;
  readonly ignoredRevocations: readonly UsedFact[];
}

export interface TrustedProvenance {
  /** Newest first. */
  readonly attestations: readonly AttestationFact[];
  readonly build?: TrustedBuild;
  readonly inventory?: TrustedInventory;
}

export function trustedProvenance(
  attestations: readonly AttestationFact[],
  attestors: readonly SignerMatcher[],
  authorities: ReadonlySet<string>,
): TrustedProvenance {
  const trusted = sortNewest(
    attestations.filter((a) => signerTrusted(attestors, a.signer) && !isRevoked(a, authorities)),
    (a) => a.issuedAt,
  );
  const ignored = (a: AttestationFact): UsedFact[] => ignoredRevocationFacts(a, splitRevocations(a, authorities));
  const slsa = trusted.find((a) => a.build !== undefined);
  const withPackages = trusted.find((a) => a.packages !== undefined);
  return {
    attestations: trusted,
    ...(slsa?.build === undefined ? {} : { build: { fact: slsa.build, evidence: slsa.evidence, ignoredRevocations: ignored(slsa) } }),
    ...(withPackages?.packages === undefined
      ? {}
      : {
          inventory: {
            packages: withPackages.packages,
            ...(withPackages.osRelease === undefined ? {} : { osRelease: withPackages.osRelease }),
            evidence: withPackages.evidence,
            ignoredRevocations: ignored(withPackages),
          },
        }),
  };
}

/** The instant a build ended (or, failing that, began), as its provenance says; undefined when it does not. */
export function buildTime(build: BuildFact): string | undefined {
  return build.finishedOn ?? build.startedOn;
}
