// Per-layer attribution: which packages a layer added, upgraded or removed, found by comparing the package
// set visible after the layer with the one below it. A package's identity is its ecosystem, name and
// architecture; ecosystems that keep several versions side by side (npm's nested node_modules) are
// compared as sets of versions, and a one-for-one version change counts as an upgrade.
import type { Package } from './catalog/index.js';

export interface PackageChanges {
  added: Package[];
  upgraded: Array<{ from: Package; to: Package }>;
  removed: Package[];
}

function identity(p: Package): string {
  return `${p.ecosystem}\0${p.name}\0${p.arch ?? ''}`;
}

function group(packages: readonly Package[]): Map<string, Map<string, Package>> {
  const out = new Map<string, Map<string, Package>>();
  for (const p of packages) {
    const versions = out.get(identity(p)) ?? new Map<string, Package>();
    versions.set(p.version, p);
    out.set(identity(p), versions);
  }
  return out;
}

const byPurl = (a: Package, b: Package): number => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0);

export function diffPackages(below: readonly Package[], above: readonly Package[]): PackageChanges {
  const before = group(below);
  const after = group(above);
  const changes: PackageChanges = { added: [], upgraded: [], removed: [] };
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const old = before.get(key) ?? new Map<string, Package>();
    const now = after.get(key) ?? new Map<string, Package>();
    const gone = [...old.keys()].filter((v) => !now.has(v)).map((v) => old.get(v)!);
    const fresh = [...now.keys()].filter((v) => !old.has(v)).map((v) => now.get(v)!);
    if (gone.length === 1 && fresh.length === 1) {
      changes.upgraded.push({ from: gone[0]!, to: fresh[0]! });
    } else {
      changes.removed.push(...gone);
      changes.added.push(...fresh);
    }
  }
  changes.added.sort(byPurl);
  changes.removed.sort(byPurl);
  changes.upgraded.sort((a, b) => byPurl(a.to, b.to));
  return changes;
}
