// Advisories indexed by the (ecosystem, package) pairs their affected[] entries name, so that matching an image
// costs one map lookup per package instead of a scan of every advisory. Keys use the ecosystem exactly as
// written, because a "Debian:12" record says nothing about Debian 11; PyPI names are keyed in their PEP 503 form,
// the comparison osv-match makes.
import type { Package } from '../formats/sbom-package.js';
import { affectedBy, pep503, type MatchResult } from './osv-match.js';
import type { Advisory } from './osv-record.js';
import { osvPackageOf, type DistroRelease, type PackagePart } from './package-ecosystem.js';

export interface Finding {
  readonly id: string;
  readonly aliases: readonly string[];
  /** The OSV ecosystem, name and version the package was matched as. */
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly nameFrom: PackagePart;
  readonly versionFrom: PackagePart;
  /** Affected, or not comparable: a version that cannot be ordered is reported, never taken as "not affected". */
  readonly result: MatchResult;
  /** The record itself, for its dates, severity and fixed versions. */
  readonly advisory: Advisory;
}

export class AdvisoryIndex {
  private constructor(
    private readonly byKey: ReadonlyMap<string, readonly Advisory[]>,
    /** Advisories indexed (withdrawn ones are left out). */
    readonly size: number,
  ) {}

  /** Number of distinct (ecosystem, package name) keys. */
  get keys(): number {
    return this.byKey.size;
  }

  static build(advisories: Iterable<Advisory>): AdvisoryIndex {
    const byKey = new Map<string, Advisory[]>();
    let size = 0;
    for (const advisory of advisories) {
      // A withdrawn advisory never matches ("withdrawn field"); affectedBy would say so for every lookup.
      if (advisory.withdrawn !== undefined) continue;
      size++;
      // One advisory may list a package in several affected[] entries; affectedBy reads them all at once.
      const seen = new Set<string>();
      for (const entry of advisory.affected) {
        const k = key(entry.package.ecosystem, entry.package.name);
        if (seen.has(k)) continue;
        seen.add(k);
        const list = byKey.get(k);
        if (list === undefined) byKey.set(k, [advisory]);
        else list.push(advisory);
      }
    }
    return new AdvisoryIndex(byKey, size);
  }

  /** The advisories affecting `pkg`, or unable to tell, in indexing order. Errors: UNSUPPORTED (see osvPackageOf). */
  match(pkg: Package, release?: DistroRelease): Finding[] {
    const target = osvPackageOf(pkg, release);
    const candidates = this.byKey.get(key(target.ecosystem, target.name)) ?? [];
    const findings: Finding[] = [];
    for (const advisory of candidates) {
      const result = affectedBy(advisory, target);
      if (!result.affected && result.comparable) continue;
      findings.push({
        id: advisory.id,
        aliases: advisory.aliases,
        ecosystem: target.ecosystem,
        name: target.name,
        version: target.version,
        nameFrom: target.nameFrom,
        versionFrom: target.versionFrom,
        result,
        advisory,
      });
    }
    return findings;
  }
}

function key(ecosystem: string, name: string): string {
  // NUL appears in neither part: osv-record refuses control characters in ecosystems and names.
  return `${ecosystem}\0${ecosystem === 'PyPI' ? pep503(name) : name}`;
}
