// Whether a package of the inventory is one a `blocked` selector names. The ecosystem may be written as the
// catalog names it ("deb") or as OSV does ("Debian"); the name is the binary package's or, for deb and apk, the
// source package's (advisories and people name "openssl", the image holds "libssl3"); the version checked is the
// one of the name that matched. A version the range cannot order is reported, never taken as outside the range.
import { pep503 } from '../../vuln/osv-match.js';
import type { PackageFact } from '../facts.js';
import type { PackageSelector } from '../policy.js';

const CATALOG_ECOSYSTEMS: ReadonlyMap<string, string> = new Map([
  ['deb', 'deb'],
  ['apk', 'apk'],
  ['rpm', 'rpm'],
  ['npm', 'npm'],
  ['pypi', 'pypi'],
  ['golang', 'golang'],
  ['Debian', 'deb'],
  ['Alpine', 'apk'],
  ['Red Hat', 'rpm'],
  ['PyPI', 'pypi'],
  ['Go', 'golang'],
  ['Maven', 'maven'],
]);

export type SelectorMatch =
  | { readonly kind: 'none' }
  | { readonly kind: 'blocked'; readonly as: string }
  | { readonly kind: 'notComparable'; readonly as: string; readonly reason: string };

export function selectorMatch(selector: PackageSelector, pkg: PackageFact): SelectorMatch {
  if (selector.ecosystem !== undefined && catalogEcosystem(selector.ecosystem) !== pkg.ecosystem) return { kind: 'none' };
  const names: { name: string; version: string; as: string }[] = [{ name: pkg.name, version: pkg.version, as: `${pkg.name} ${pkg.version}` }];
  if ((pkg.ecosystem === 'deb' || pkg.ecosystem === 'apk') && pkg.source !== undefined) {
    const version = pkg.source.version ?? pkg.version;
    names.push({ name: pkg.source.name, version, as: `${pkg.name} ${pkg.version} (source ${pkg.source.name} ${version})` });
  }
  let unknown: SelectorMatch | undefined;
  for (const candidate of names) {
    if (!sameName(pkg.ecosystem, selector.name, candidate.name)) continue;
    if (selector.versions === undefined) return { kind: 'blocked', as: candidate.as };
    const membership = selector.versions.test(candidate.version);
    if (!membership.comparable) unknown ??= { kind: 'notComparable', as: candidate.as, reason: membership.reason };
    else if (membership.contains) return { kind: 'blocked', as: candidate.as };
  }
  return unknown ?? { kind: 'none' };
}

/** The catalog ecosystem a selector's ecosystem names ("Debian:12" is Debian). */
function catalogEcosystem(ecosystem: string): string {
  const colon = ecosystem.indexOf(':');
  const base = colon === -1 ? ecosystem : ecosystem.slice(0, colon);
  return CATALOG_ECOSYSTEMS.get(base) ?? base;
}

function sameName(ecosystem: PackageFact['ecosystem'], a: string, b: string): boolean {
  return ecosystem === 'pypi' ? pep503(a) === pep503(b) : a === b;
}

export function describeSelector(selector: PackageSelector): string {
  return `${selector.ecosystem === undefined ? '' : `${selector.ecosystem}/`}${selector.name}${selector.versions === undefined ? '' : ` ${selector.versions.text}`}`;
}
