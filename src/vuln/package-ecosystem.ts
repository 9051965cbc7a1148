// The OSV ecosystem and package a catalogued package is looked up under. Distribution ecosystems carry the
// release as a suffix ("Debian:12", "Alpine:v3.19": https://ossf.github.io/osv-schema/#defined-ecosystems), and
// the matcher compares ecosystems whole, so the suffix has to be derived from the image's os-release.
import { ProvenantError } from '../core/errors.js';
import type { Package } from '../formats/sbom-package.js';
import type { PackageVersion } from './osv-match.js';

/** The image's distribution: os-release `ID` (lowercase) and `VERSION_ID`, when the image has them. */
export interface DistroRelease {
  readonly distro: string;
  readonly versionId?: string;
}

/** Which package, binary or source, a name or version was taken from. */
export type PackagePart = 'binary' | 'source';

export interface OsvPackage extends PackageVersion {
  readonly nameFrom: PackagePart;
  readonly versionFrom: PackagePart;
}

// OSV ecosystem names of rpm-based distributions by os-release ID. Red Hat's records append a CPE-derived
// repository ("Red Hat:enterprise_linux:9::appstream") that os-release does not give, so no suffix is guessed.
const RPM_DISTROS: ReadonlyMap<string, { ecosystem: string; majorSuffix: boolean }> = new Map([
  ['rhel', { ecosystem: 'Red Hat', majorSuffix: false }],
  ['rocky', { ecosystem: 'Rocky Linux', majorSuffix: true }],
  ['almalinux', { ecosystem: 'AlmaLinux', majorSuffix: true }],
]);

/** The OSV ecosystem `pkg` is matched in. Errors: UNSUPPORTED for a distribution without one here. */
export function osvEcosystemOf(pkg: Package, release?: DistroRelease): string {
  switch (pkg.ecosystem) {
    case 'npm':
      return 'npm';
    case 'pypi':
      return 'PyPI';
    case 'golang':
      return 'Go';
    case 'deb': {
      distroIs(pkg, release, 'debian');
      const v = releaseParts(pkg, release, 1);
      return v === undefined ? 'Debian' : `Debian:${v}`;
    }
    case 'apk': {
      distroIs(pkg, release, 'alpine');
      const v = releaseParts(pkg, release, 2);
      return v === undefined ? 'Alpine' : `Alpine:v${v}`;
    }
    case 'rpm': {
      const known = release === undefined ? undefined : RPM_DISTROS.get(release.distro);
      if (known === undefined) unsupported(pkg, release);
      const v = known.majorSuffix ? releaseParts(pkg, release, 1) : undefined;
      return v === undefined ? known.ecosystem : `${known.ecosystem}:${v}`;
    }
  }
}

/**
 * The ecosystem, name and version `pkg` is looked up with. Debian's and Alpine's advisories name the source
 * package (Debian security tracker; Alpine secdb keys by origin), so deb and apk packages use the source name, and
 * the source version when the catalog has it: a binNMU ("1.2-3+b1") differs from its source's version. rpm
 * advisories list binary packages. Errors: UNSUPPORTED.
 */
export function osvPackageOf(pkg: Package, release?: DistroRelease): OsvPackage {
  const ecosystem = osvEcosystemOf(pkg, release);
  const bySource = (pkg.ecosystem === 'deb' || pkg.ecosystem === 'apk') && pkg.source !== undefined;
  if (!bySource || pkg.source === undefined) return { ecosystem, name: pkg.name, version: pkg.version, nameFrom: 'binary', versionFrom: 'binary' };
  const version = pkg.source.version;
  return version === undefined
    ? { ecosystem, name: pkg.source.name, version: pkg.version, nameFrom: 'source', versionFrom: 'binary' }
    : { ecosystem, name: pkg.source.name, version, nameFrom: 'source', versionFrom: 'source' };
}

function distroIs(pkg: Package, release: DistroRelease | undefined, distro: string): void {
  if (release !== undefined && release.distro !== distro) unsupported(pkg, release);
}

/** The first `count` numeric parts of VERSION_ID ("3.19.1" -> "3.19"); undefined when there is no VERSION_ID. */
function releaseParts(pkg: Package, release: DistroRelease | undefined, count: number): string | undefined {
  if (release?.versionId === undefined) return undefined;
  const parts = release.versionId.split('.');
  if (parts.length < count || !parts.slice(0, count).every((p) => /^\d+$/.test(p))) unsupported(pkg, release);
  return parts.slice(0, count).join('.');
}

function unsupported(pkg: Package, release: DistroRelease | undefined): never {
  const details = { ecosystem: pkg.ecosystem, ...(release === undefined ? {} : { distro: release.distro, versionId: release.versionId ?? null }) };
  throw new ProvenantError('UNSUPPORTED', `no OSV ecosystem for ${pkg.ecosystem} packages of ${release === undefined ? 'an unknown distribution' : JSON.stringify(release.distro)}`, { details });
}
