// Runs every cataloger over a set of files taken from an image, keyed by path from the image root (a leading
// "/" is allowed and dropped: locations and problems name root-relative paths, "usr/bin/x").
// A file one cataloger cannot read becomes a problem in the result instead of aborting the run: one hostile or
// damaged file must not hide the rest of the image's packages. Entries with the same purl (one npm package
// seen in both node_modules and a lockfile, one module in two Go binaries) are merged into one Package whose
// locations, licences and dependencies are the union. RPM databases are SQLite and are not read here; see
// catalogRpmHeaders and RpmDatabaseReader.
import { isProvenantError, type ErrorCode } from '../../core/errors.js';
import { apkCataloger } from './apk.js';
import { dpkgCataloger } from './dpkg.js';
import { goBinaryCataloger } from './golang.js';
import { npmLockCataloger } from './npm-lock.js';
import { npmPackageCataloger } from './npm.js';
import { OS_RELEASE_PATHS, parseOsRelease } from './os-release.js';
import { relativePath, type CatalogContext, type Cataloger, type OsRelease, type Package } from './package.js';
import { pythonCataloger } from './python.js';
import { ascending } from '../../core/order.js';

export type { CatalogContext, Cataloger, Ecosystem, OsRelease, Package } from './package.js';
export { parseOsRelease } from './os-release.js';
export { buildPurl, normalizePypiName, purlEncode } from './purl.js';
export { parseRpmHeader, RPMTAG, type RpmHeader } from './rpm-header.js';
export { catalogRpmHeaders, RPMDB_SQLITE_PATHS, type RpmDatabaseReader } from './rpm.js';
export { readGoBuildInfo, type GoBuildInfo, type GoModule } from './go-buildinfo.js';
export { apkCataloger, dpkgCataloger, goBinaryCataloger, npmLockCataloger, npmPackageCataloger, pythonCataloger };

export const CATALOGERS: readonly Cataloger[] = [
  dpkgCataloger,
  apkCataloger,
  npmPackageCataloger,
  npmLockCataloger,
  pythonCataloger,
  goBinaryCataloger,
];

export interface CatalogProblem {
  path: string;
  cataloger: string;
  code: ErrorCode;
  message: string;
}

export interface CatalogResult {
  packages: Package[];
  problems: CatalogProblem[];
  /** The os-release used for purl namespaces and distro qualifiers: the one given, or the image's own. */
  osRelease?: OsRelease;
}

export function catalogAll(
  files: ReadonlyMap<string, Uint8Array>,
  osRelease?: OsRelease,
  catalogers: readonly Cataloger[] = CATALOGERS,
): CatalogResult {
  const byPath = new Map<string, Uint8Array>();
  for (const [path, bytes] of files) byPath.set(relativePath(path), bytes);
  const problems: CatalogProblem[] = [];
  const attempt = <T>(path: string, cataloger: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (!isProvenantError(e)) throw e;
      problems.push({ path, cataloger, code: e.code, message: e.message });
      return undefined;
    }
  };

  let os = osRelease;
  for (const path of OS_RELEASE_PATHS) {
    const bytes = byPath.get(path);
    if (os === undefined && bytes !== undefined) os = attempt(path, 'os-release', () => parseOsRelease(bytes));
  }
  const context: CatalogContext = { file: (path) => byPath.get(relativePath(path)) };
  if (os !== undefined) context.osRelease = os;

  const merged = new Map<string, Package>();
  const paths = [...byPath.keys()].sort(ascending);
  for (const path of paths) {
    const bytes = byPath.get(path)!;
    for (const c of catalogers) {
      if (!c.matches(path) || (c.sniff !== undefined && !c.sniff(bytes))) continue;
      if (bytes.length > c.maxBytes) {
        problems.push({ path, cataloger: c.name, code: 'INPUT_TOO_LARGE', message: `${path} is ${bytes.length} bytes, over the ${c.name} limit of ${c.maxBytes}` });
        continue;
      }
      for (const pkg of attempt(path, c.name, () => c.parse(path, bytes, context)) ?? []) merge(merged, pkg);
    }
  }
  const result: CatalogResult = { packages: [...merged.values()], problems };
  if (os !== undefined) result.osRelease = os;
  return result;
}

function merge(into: Map<string, Package>, pkg: Package): void {
  const key = `${pkg.ecosystem}\0${pkg.purl}`;
  const seen = into.get(key);
  if (seen === undefined) {
    into.set(key, pkg);
    return;
  }
  const union = (a: string[] | undefined, b: string[] | undefined): string[] | undefined =>
    a === undefined && b === undefined ? undefined : [...new Set([...(a ?? []), ...(b ?? [])])];
  seen.locations = union(seen.locations, pkg.locations)!;
  const licenses = union(seen.licenses, pkg.licenses);
  if (licenses !== undefined) seen.licenses = licenses;
  const dependsOn = union(seen.dependsOn, pkg.dependsOn);
  if (dependsOn !== undefined) seen.dependsOn = dependsOn;
  if (seen.source === undefined && pkg.source !== undefined) seen.source = pkg.source;
}
