// Whether one package version is affected by one OSV advisory: the `IsVulnerable` pseudocode of the schema's
// "Evaluation" section (https://ossf.github.io/osv-schema/#evaluation), with versions ordered by the ecosystem's
// own scheme. A version that cannot be ordered never turns into "not affected": the result says
// `comparable: false` and why, because a wrong "no" hides a vulnerability.

import { isProvenantError } from '../core/errors.js';
import type { Advisory, AffectedPackage, AffectedRange, RangeEvent } from './osv-record.js';
import { versionSchemeFor, type VersionScheme } from './versions/index.js';
import { semverVersions } from './versions/semver.js';

export interface PackageVersion {
  /** An OSV ecosystem, with the release suffix distributions use ("Debian:12", "Alpine:v3.19"). */
  readonly ecosystem: string;
  /** As the ecosystem names it; for Debian the source package, as Debian's records name it. */
  readonly name: string;
  readonly version: string;
}

export interface MatchedRange {
  readonly affectedIndex: number;
  readonly rangeIndex: number;
  readonly type: 'SEMVER' | 'ECOSYSTEM';
  /** The introduced event the version is at or above ("0": from the beginning). */
  readonly introduced: string;
  readonly fixed?: string;
  readonly lastAffected?: string;
}

export interface MatchResult {
  readonly affected: boolean;
  /** False when some version could not be ordered, so "not affected" is not established; `reason` says why. */
  readonly comparable: boolean;
  readonly reason?: string;
  /** A withdrawn advisory never matches. */
  readonly withdrawn: boolean;
  /** An affected[] entry names this ecosystem and package. */
  readonly packageListed: boolean;
  /** The version is in an affected[].versions list. */
  readonly inVersionsList: boolean;
  /** The first range holding the version. */
  readonly range?: MatchedRange;
  /** The fixed versions of every range holding the version; empty when none is fixed yet. */
  readonly fixed?: readonly string[];
  /** GIT ranges of this package that were not evaluated: they need the repository's commit graph. */
  readonly gitRangesIgnored: number;
}

/** Evaluates `advisory` for one package version. Never throws for versions; see `comparable`. */
export function affectedBy(advisory: Advisory, pkg: PackageVersion): MatchResult {
  const base = { withdrawn: false, packageListed: false, inVersionsList: false, gitRangesIgnored: 0 };
  if (advisory.withdrawn !== undefined) return { ...base, affected: false, comparable: true, withdrawn: true };
  let packageListed = false;
  let inVersionsList = false;
  let gitRangesIgnored = 0;
  let reason: string | undefined;
  let first: MatchedRange | undefined;
  const fixed = new Set<string>();
  for (const [affectedIndex, entry] of advisory.affected.entries()) {
    if (!samePackage(entry, pkg)) continue;
    packageListed = true;
    const scheme = schemeOf(entry.package.ecosystem);
    if (includedInVersions(pkg, entry, scheme)) inVersionsList = true;
    for (const [rangeIndex, r] of entry.ranges.entries()) {
      if (r.type === 'GIT') {
        gitRangesIgnored++;
        continue;
      }
      // SEMVER ranges are SemVer 2.0.0 whatever the ecosystem ("affected[].ranges[].type field").
      const outcome = includedInRange(pkg, r, r.type === 'SEMVER' ? (scheme ?? semverVersions) : scheme, entry);
      if (typeof outcome === 'string') {
        reason ??= outcome;
        continue;
      }
      if (outcome === undefined) continue;
      first ??= { affectedIndex, rangeIndex, type: r.type, ...outcome };
      if (outcome.fixed !== undefined) fixed.add(outcome.fixed);
    }
  }
  const common = { ...base, packageListed, inVersionsList, gitRangesIgnored };
  if (inVersionsList || first !== undefined) {
    return { ...common, affected: true, comparable: true, ...(first === undefined ? {} : { range: first }), fixed: [...fixed] };
  }
  if (reason !== undefined) return { ...common, affected: false, comparable: false, reason };
  return { ...common, affected: false, comparable: true };
}

function samePackage(entry: AffectedPackage, pkg: PackageVersion): boolean {
  // Ecosystems compare whole, suffix included: a "Debian:12" record says nothing about Debian 11.
  if (entry.package.ecosystem !== pkg.ecosystem) return false;
  if (baseEcosystem(pkg.ecosystem) === 'PyPI') return pep503(entry.package.name) === pep503(pkg.name);
  return entry.package.name === pkg.name;
}

/** PEP 503 "Normalized Names": runs of "-", "_" and "." become one "-", in lower case. */
export function pep503(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

function baseEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  return colon === -1 ? ecosystem : ecosystem.slice(0, colon);
}

function schemeOf(ecosystem: string): VersionScheme | undefined {
  try {
    return versionSchemeFor(ecosystem);
  } catch (e) {
    if (isProvenantError(e, 'UNSUPPORTED')) return undefined;
    throw e;
  }
}

/** OSV writes Go versions without the "v" that Go module versions carry ("SEMVER" range type). */
function normalise(version: string, scheme: VersionScheme): string {
  return scheme.name === 'go' && !version.startsWith('v') ? `v${version}` : version;
}

function includedInVersions(pkg: PackageVersion, entry: AffectedPackage, scheme: VersionScheme | undefined): boolean {
  if (entry.versions.includes(pkg.version)) return true;
  if (scheme === undefined) return false;
  // The same version may be spelled twice ("1.0" and "1.0.0" under PEP 440); listed strings the scheme cannot
  // read are tags of GIT-derived lists ("affected[].versions field") and can only match exactly.
  const v = normalise(pkg.version, scheme);
  if (!scheme.isValid(v)) return false;
  return entry.versions.some((listed) => {
    const l = normalise(listed, scheme);
    return scheme.isValid(l) && scheme.compare(v, l) === 0;
  });
}

type Bound = { at: 'min' } | { at: 'max' } | { at: 'version'; version: string };

/**
 * The interval of `r` holding the version, undefined when none does, or a string saying why it cannot be told.
 * Follows IncludedInRanges and BeforeLimits of the Evaluation section.
 */
function includedInRange(
  pkg: PackageVersion,
  r: AffectedRange,
  scheme: VersionScheme | undefined,
  entry: AffectedPackage,
): { introduced: string; fixed?: string; lastAffected?: string } | string | undefined {
  if (scheme === undefined) return `no version ordering for ecosystem ${JSON.stringify(entry.package.ecosystem)}`;
  const v = normalise(pkg.version, scheme);
  if (!scheme.isValid(v)) return `${JSON.stringify(pkg.version)} is not a valid ${scheme.name} version`;
  const bounds: { event: RangeEvent; bound: Bound }[] = [];
  for (const event of r.events) {
    const bound = boundOf(event, scheme);
    if (bound === undefined) {
      return `${event.kind} ${JSON.stringify(event.version)} of ${entry.package.name} is not a valid ${scheme.name} version`;
    }
    bounds.push({ event, bound });
  }
  const cmp = (a: Bound, b: Bound): number => order(a, b, scheme);
  const at: Bound = { at: 'version', version: v };
  const limits = bounds.filter((b) => b.event.kind === 'limit');
  // "If no limit events are provided, an implicit { "limit": "*" } is assumed."
  if (limits.length > 0 && !limits.some((l) => cmp(at, l.bound) < 0)) return undefined;
  // Array.prototype.sort is stable, so events of equal versions keep the record's order.
  const sorted = [...bounds].sort((a, b) => cmp(a.bound, b.bound));
  let vulnerable = false;
  let from = -1;
  for (const [i, { event, bound }] of sorted.entries()) {
    if (event.kind === 'introduced' && cmp(at, bound) >= 0) {
      vulnerable = true;
      from = i;
    } else if (event.kind === 'fixed' && cmp(at, bound) >= 0) {
      vulnerable = false;
    } else if (event.kind === 'last_affected' && cmp(at, bound) > 0) {
      vulnerable = false;
    }
  }
  if (!vulnerable) return undefined;
  const introduced = (sorted[from] as { event: RangeEvent }).event.version;
  const upper = sorted.slice(from + 1).find((b) => b.event.kind === 'fixed' || b.event.kind === 'last_affected');
  if (upper === undefined) return { introduced };
  return upper.event.kind === 'fixed' ? { introduced, fixed: upper.event.version } : { introduced, lastAffected: upper.event.version };
}

function boundOf(event: RangeEvent, scheme: VersionScheme): Bound | undefined {
  // "Special values": introduced "0" sorts before any version; a limit containing "*" is infinity.
  if (event.kind === 'introduced' && event.version === '0') return { at: 'min' };
  if (event.kind === 'limit' && event.version.includes('*')) return { at: 'max' };
  const version = normalise(event.version, scheme);
  return scheme.isValid(version) ? { at: 'version', version } : undefined;
}

function order(a: Bound, b: Bound, scheme: VersionScheme): number {
  const rank = (x: Bound): number => (x.at === 'min' ? -1 : x.at === 'max' ? 1 : 0);
  if (a.at === 'version' && b.at === 'version') return scheme.compare(a.version, b.version);
  return rank(a) - rank(b);
}
