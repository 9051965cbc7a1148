// Findings of a scan: the advisory index's matches for each package, merged so that one vulnerability known
// under several ids (a GHSA record and a PYSEC record for the same CVE, a DEBIAN-CVE record and the CVE itself)
// gives one finding per package, with every id listed, the most trustworthy severity and the fixed versions of
// all of them. Versions that could not be compared stay findings, flagged, because "not affected" was not shown.
import { isProvenantError } from '../core/errors.js';
import type { AttributedPackage, Ecosystem, LayerRef } from '../formats/sbom-package.js';
import { AdvisoryIndex, type Finding } from './advisory-index.js';
import { compareModified } from './osv-load.js';
import { pep503 } from './osv-match.js';
import type { Advisory } from './osv-record.js';
import type { DistroRelease, PackagePart } from './package-ecosystem.js';
import { advisorySeverity, compareRatings, type AdvisorySeverity, type SeveritySource } from './severity.js';
import { ascending } from '../core/order.js';

/** An advisory index and the advisories it was built from, by id (the index's matches name advisories by id). */
export interface ScanData {
  readonly index: AdvisoryIndex;
  readonly advisories: ReadonlyMap<string, Advisory>;
}

export function scanData(advisories: Iterable<Advisory>): ScanData {
  const byId = new Map<string, Advisory>();
  for (const a of advisories) byId.set(a.id, a);
  return { index: AdvisoryIndex.build(byId.values()), advisories: byId };
}

export interface FindingPackage {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly source?: { readonly name: string; readonly version?: string };
  /** Root-relative paths the package was read from (var/lib/dpkg/status, .../package.json). */
  readonly locations: readonly string[];
  /** The image layer that installed this version, when known. */
  readonly layer?: LayerRef;
  /** The OSV ecosystem, name and version the package was looked up as. */
  readonly osv: { readonly ecosystem: string; readonly name: string; readonly version: string; readonly nameFrom: PackagePart; readonly versionFrom: PackagePart };
}

export interface FindingSeverity extends AdvisorySeverity {
  /** The advisory whose record gave the rating. */
  readonly advisory: string;
}

export interface ScanFinding {
  /** A CVE id when any merged record names one, otherwise the smallest advisory id. */
  readonly vulnerabilityId: string;
  /** Ids of the records that matched, sorted. */
  readonly advisories: readonly string[];
  /** Every other id the matched records give for the vulnerability (aliases, a single upstream), sorted. */
  readonly aliases: readonly string[];
  readonly package: FindingPackage;
  readonly installedVersion: string;
  /** Versions that fix it, sorted; empty when no fix is known. */
  readonly fixedVersions: readonly string[];
  /** False when no merged record could order the version: the package may or may not be affected. */
  readonly comparable: boolean;
  /** Why the version could not be compared. */
  readonly notComparableReason?: string;
  readonly severity: FindingSeverity;
  /** The earliest `published` of the merged records. */
  readonly published?: string;
  /** The id of the record that date is from (the first by id among records published at that instant). */
  readonly publishedIn?: string;
  /** The latest `modified` of the merged records. */
  readonly modified: string;
  readonly title?: string;
}

export interface NotScanned {
  readonly purl: string;
  readonly reason: string;
}

export interface PackageMatches {
  readonly findings: ScanFinding[];
  readonly notScanned: NotScanned[];
}

/** Every finding of `packages`, unfiltered, in package order. A package without an OSV ecosystem is listed in notScanned. */
export function matchPackages(packages: readonly AttributedPackage[], release: DistroRelease | undefined, data: ScanData): PackageMatches {
  const findings: ScanFinding[] = [];
  const notScanned: NotScanned[] = [];
  for (const { package: pkg, layer } of packages) {
    // Distribution advisories are per release ("Debian:12"): without one, a lookup would silently find nothing.
    if ((pkg.ecosystem === 'deb' || pkg.ecosystem === 'apk') && release?.versionId === undefined) {
      notScanned.push({ purl: pkg.purl, reason: `the ${pkg.ecosystem === 'deb' ? 'Debian' : 'Alpine'} release is unknown (no os-release VERSION_ID)` });
      continue;
    }
    let matches: Finding[];
    try {
      matches = data.index.match(pkg, release);
    } catch (e) {
      if (!isProvenantError(e, 'UNSUPPORTED')) throw e;
      notScanned.push({ purl: pkg.purl, reason: e.message });
      continue;
    }
    for (const group of groupByVulnerability(matches, data)) {
      const first = group[0]!.finding;
      const found: FindingPackage = {
        ecosystem: pkg.ecosystem,
        name: pkg.name,
        version: pkg.version,
        purl: pkg.purl,
        ...(pkg.source === undefined ? {} : { source: pkg.source }),
        locations: pkg.locations,
        ...(layer === undefined ? {} : { layer }),
        osv: { ecosystem: first.ecosystem, name: first.name, version: first.version, nameFrom: first.nameFrom, versionFrom: first.versionFrom },
      };
      findings.push(mergedFinding(group, found));
    }
  }
  return { findings, notScanned };
}

interface Matched {
  readonly finding: Finding;
  readonly advisory: Advisory;
}

/** The ids one record gives its vulnerability: its own, its aliases, and its upstream when that is a single id. */
function idsOf(advisory: Advisory): string[] {
  // A record with several upstream ids (a DSA covering many CVEs) is not the same vulnerability as each of them.
  return [advisory.id, ...advisory.aliases, ...(advisory.upstream.length === 1 ? advisory.upstream : [])];
}

function groupByVulnerability(matches: readonly Finding[], data: ScanData): Matched[][] {
  const parent = new Map<string, string>();
  const root = (id: string): string => {
    let r = id;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(id, r);
    return r;
  };
  const join = (a: string, b: string): void => {
    const ra = root(a);
    const rb = root(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  const matched: Matched[] = matches.map((finding) => ({ finding, advisory: data.advisories.get(finding.id)! }));
  for (const { advisory } of matched) for (const id of idsOf(advisory)) join(advisory.id, id);
  const groups = new Map<string, Matched[]>();
  for (const m of matched) {
    const r = root(m.advisory.id);
    groups.set(r, [...(groups.get(r) ?? []), m]);
  }
  return [...groups.values()].map((g) => g.sort((a, b) => ascending(a.advisory.id, b.advisory.id)));
}

function mergedFinding(group: readonly Matched[], pkg: FindingPackage): ScanFinding {
  const ids = new Set(group.flatMap((m) => idsOf(m.advisory)));
  const cves = [...ids].filter((id) => id.startsWith('CVE-')).sort(ascending);
  const vulnerabilityId = cves[0] ?? group[0]!.advisory.id;
  const affected = group.filter((m) => m.finding.result.affected);
  const fixed = new Set<string>();
  if (affected.length > 0) {
    for (const m of affected) for (const v of m.finding.result.fixed ?? []) fixed.add(v);
  } else {
    // Which range holds the version is unknown, so every fixed version the records name for the package is shown.
    for (const m of group) {
      const events = listedEntries(m).flatMap((i) => m.advisory.affected[i]!.ranges.flatMap((r) => r.events));
      for (const e of events) if (e.kind === 'fixed') fixed.add(e.version);
    }
  }
  const earliest = group
    .filter((m) => m.advisory.published !== undefined)
    .sort((a, b) => compareModified(a.advisory.published!, b.advisory.published!) || ascending(a.advisory.id, b.advisory.id))[0];
  const published = earliest?.advisory.published;
  const modified = group.map((m) => m.advisory.modified).sort(compareModified).at(-1)!;
  const titled = [...group].sort((a, b) => Number(b.advisory.id === vulnerabilityId) - Number(a.advisory.id === vulnerabilityId)).map((m) => titleOf(m.advisory)).find((t) => t !== undefined);
  const reason = group.find((m) => m.finding.result.reason !== undefined)?.finding.result.reason;
  return {
    vulnerabilityId,
    advisories: group.map((m) => m.advisory.id),
    aliases: [...ids].filter((id) => id !== vulnerabilityId).sort(ascending),
    package: pkg,
    installedVersion: pkg.version,
    fixedVersions: [...fixed].sort(ascending),
    comparable: affected.length > 0,
    ...(affected.length === 0 && reason !== undefined ? { notComparableReason: reason } : {}),
    severity: bestSeverity(group),
    ...(published === undefined ? {} : { published, publishedIn: earliest!.advisory.id }),
    modified,
    ...(titled === undefined ? {} : { title: titled }),
  };
}

/** Indices of the affected[] entries naming the matched package, compared as osv-match compares them. */
function listedEntries({ finding, advisory }: Matched): number[] {
  const name = finding.ecosystem.split(':')[0] === 'PyPI' ? pep503(finding.name) : finding.name;
  return advisory.affected.flatMap((entry, i) => {
    const entryName = finding.ecosystem.split(':')[0] === 'PyPI' ? pep503(entry.package.name) : entry.package.name;
    return entry.package.ecosystem === finding.ecosystem && entryName === name ? [i] : [];
  });
}

const SOURCE_RANK: Readonly<Record<SeveritySource, number>> = { 'cvss-affected': 0, 'cvss-record': 1, 'ghsa-database': 2, distribution: 3, none: 4 };

/** The rating from the best-ranked source among the merged records; between equals, the higher rating, then score. */
function bestSeverity(group: readonly Matched[]): FindingSeverity {
  const candidates = group.map((m): FindingSeverity => {
    const index = m.finding.result.range?.affectedIndex ?? listedEntries(m)[0];
    return { ...advisorySeverity(m.advisory, index), advisory: m.advisory.id };
  });
  candidates.sort(
    (a, b) =>
      SOURCE_RANK[a.source] - SOURCE_RANK[b.source] ||
      compareRatings(b.rating, a.rating) ||
      (b.score ?? -1) - (a.score ?? -1) ||
      ascending(a.advisory, b.advisory),
  );
  return candidates[0]!;
}

function titleOf(advisory: Advisory): string | undefined {
  if (advisory.summary !== undefined && advisory.summary.trim() !== '') return advisory.summary.trim();
  const line = advisory.details?.split('\n').find((l) => l.trim() !== '')?.trim();
  return line === undefined ? undefined : line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

