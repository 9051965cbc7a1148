// The final package inventory an attestation states about an image: from Provenant's layers predicate (the
// per-layer changes replayed with inventoryFromLayers, keeping the layer that installed each version) or from a
// CycloneDX / SPDX SBOM read back through its purls by the same reader `provenant scan` uses.
import { ProvenantError } from '../../core/errors.js';
import type { JsonValue } from '../../core/json.js';
import { layersPredicateFromJson, type PredicatePackage } from '../../formats/layers-predicate.js';
import { inventoryFromLayers, isUtcTimestamp, type AttributedPackage, type LayerRecord, type Package } from '../../formats/sbom-package.js';
import { readSbom } from '../../vuln/sbom-read.js';
import { packageOfPurl } from '../../vuln/sbom-read-purl.js';
import type { AttestationFact, PackageFact } from '../facts.js';

export interface PackageContent {
  readonly packages: readonly PackageFact[];
  readonly osRelease?: AttestationFact['osRelease'];
  /** When the document says it was made (SBOM creation time), RFC 3339 UTC. */
  readonly statedAt?: string;
}

const OS_ECOSYSTEMS: ReadonlySet<Package['ecosystem']> = new Set(['deb', 'apk', 'rpm']);

/** Errors: PREDICATE_MALFORMED, SBOM_MALFORMED (a purl that does not parse). */
export function layersPackages(predicate: JsonValue | undefined): PackageContent {
  const layers = layersPredicateFromJson(predicate).layers.map(
    (l): LayerRecord => ({
      ...l,
      // The predicate records identities only; without locations, a removal matches the earliest copy of a purl.
      packages: {
        added: l.packages.added.map(withoutLocations),
        upgraded: l.packages.upgraded.map((u) => ({ from: withoutLocations(u.from), to: withoutLocations(u.to) })),
        removed: l.packages.removed.map(withoutLocations),
      },
    }),
  );
  const inventory = inventoryFromLayers(layers);
  const osRelease = releaseFromPurls(inventory);
  return { packages: inventory.map(packageFact), ...(osRelease === undefined ? {} : { osRelease }) };
}

/** A CycloneDX or SPDX JSON predicate (an object, or text as cosign's v0.1 statements may carry). Errors: SBOM_MALFORMED, INPUT_TOO_LARGE. */
export function sbomPackages(predicate: JsonValue | undefined): PackageContent {
  if (typeof predicate !== 'string' && (predicate === null || typeof predicate !== 'object')) {
    throw new ProvenantError('SBOM_MALFORMED', 'the statement carries no SBOM document', { details: { path: 'predicate', reason: 'missing' } });
  }
  const sbom = readSbom(typeof predicate === 'string' ? predicate : JSON.stringify(predicate), 'SBOM predicate');
  return {
    packages: sbom.packages.map(packageFact),
    ...(sbom.release === undefined ? {} : { osRelease: { ...sbom.release } }),
    ...(sbom.created !== undefined && isUtcTimestamp(sbom.created) ? { statedAt: sbom.created } : {}),
  };
}

function withoutLocations(p: PredicatePackage): Package {
  return { ...p, locations: [] };
}

/** The distribution the distro qualifier of the first OS package's purl names ("debian-12"). */
function releaseFromPurls(inventory: readonly AttributedPackage[]): AttestationFact['osRelease'] {
  for (const { package: p } of inventory) {
    if (!OS_ECOSYSTEMS.has(p.ecosystem)) continue;
    const release = packageOfPurl(p.purl, []).release;
    if (release !== undefined) return { ...release };
  }
  return undefined;
}

function packageFact({ package: p, layer }: AttributedPackage): PackageFact {
  return {
    ecosystem: p.ecosystem,
    name: p.name,
    version: p.version,
    purl: p.purl,
    ...(p.source === undefined ? {} : { source: { ...p.source } }),
    ...(p.licenses === undefined || p.licenses.length === 0 ? {} : { licenses: [...p.licenses] }),
    ...(layer === undefined ? {} : { layer: layer.index }),
  };
}
