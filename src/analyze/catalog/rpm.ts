// Packages from the RPM database. Reading SQLite is I/O-bound native code, so a RpmDatabaseReader port (the
// adapter is src/host/rpmdb.ts) extracts the header blobs (`SELECT blob FROM Packages` from
// var/lib/rpm/rpmdb.sqlite, or usr/lib/sysimage/rpm/rpmdb.sqlite on newer SUSE and Fedora) and passes them here; each blob is parsed by parseRpmHeader. Requirements are resolved to
// package names through the other headers' provides and file lists; rpmlib(...) features and requirements
// nothing installed provides are dropped. The gpg-pubkey pseudo-packages of imported signing keys are skipped.
import { parseRpmHeader, RPMTAG, type RpmHeader } from './rpm-header.js';
import { rpmPurl } from './purl.js';
import { malformed, uniqueOrUndefined, type CatalogContext, type Package } from './package.js';

export const RPMDB_SQLITE_PATHS = ['var/lib/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite'] as const;
const MAX_HEADERS = 100_000;

/** The header blobs of an rpmdb.sqlite file's Packages table. Errors: PACKAGE_METADATA_MALFORMED, INPUT_TOO_LARGE. */
export type RpmDatabaseReader = (bytes: Uint8Array) => Uint8Array[];

/** Catalogs header blobs read from the rpmdb at `location`. Errors: PACKAGE_METADATA_MALFORMED, INPUT_TOO_LARGE. */
export function catalogRpmHeaders(blobs: Iterable<Uint8Array>, location: string, context: CatalogContext = {}): Package[] {
  const headers: RpmHeader[] = [];
  for (const blob of blobs) {
    if (headers.length === MAX_HEADERS) malformed(`rpmdb ${location}`, `it holds more than ${MAX_HEADERS} headers`);
    const header = parseRpmHeader(blob);
    if (header.string(RPMTAG.NAME) !== 'gpg-pubkey') headers.push(header);
  }
  const packages = headers.map((h) => toPackage(h, location, context));
  const provider = providersOf(headers, packages);
  headers.forEach((h, i) => {
    const pkg = packages[i]!;
    const flags = h.ints(RPMTAG.REQUIREFLAGS);
    const names: string[] = [];
    (h.strings(RPMTAG.REQUIRENAME) ?? []).forEach((req, j) => {
      // RPMSENSE_RPMLIB (1 << 24): a feature of rpm itself, not of any package.
      if (req.startsWith('rpmlib(') || ((flags?.[j] ?? 0) & (1 << 24)) !== 0) return;
      const name = provider(req);
      if (name !== undefined && name !== pkg.name) names.push(name);
    });
    const dependsOn = uniqueOrUndefined(names);
    if (dependsOn !== undefined) pkg.dependsOn = dependsOn;
  });
  return packages;
}

function toPackage(h: RpmHeader, location: string, context: CatalogContext): Package {
  const name = h.string(RPMTAG.NAME);
  const version = h.string(RPMTAG.VERSION);
  const release = h.string(RPMTAG.RELEASE);
  if (!name || !version || !release) malformed('RPM header', 'it lacks NAME, VERSION or RELEASE');
  const epoch = h.ints(RPMTAG.EPOCH)?.[0];
  const arch = h.string(RPMTAG.ARCH);
  const pkg: Package = {
    ecosystem: 'rpm',
    name,
    version: `${epoch === undefined ? '' : `${epoch}:`}${version}-${release}`,
    purl: rpmPurl(name, `${version}-${release}`, epoch, arch, context.osRelease),
    locations: [location],
  };
  const source = parseSourceRpm(h.string(RPMTAG.SOURCERPM));
  if (source !== undefined) pkg.source = source;
  const license = h.string(RPMTAG.LICENSE);
  if (license) pkg.licenses = [license];
  if (arch) pkg.arch = arch;
  return pkg;
}

/** "bash-5.2.15-3.fc38.src.rpm" -> { name: "bash", version: "5.2.15-3.fc38" }. */
export function parseSourceRpm(file: string | undefined): { name: string; version: string } | undefined {
  const suffix = file?.endsWith('.nosrc.rpm') ? '.nosrc.rpm' : file?.endsWith('.src.rpm') ? '.src.rpm' : undefined;
  if (file === undefined || suffix === undefined) return undefined;
  const nvr = file.slice(0, -suffix.length);
  const releaseDash = nvr.lastIndexOf('-');
  const versionDash = nvr.lastIndexOf('-', releaseDash - 1);
  if (versionDash <= 0 || releaseDash === nvr.length - 1 || releaseDash - versionDash < 2) return undefined;
  return { name: nvr.slice(0, versionDash), version: nvr.slice(versionDash + 1) };
}

function providersOf(headers: RpmHeader[], packages: Package[]): (requirement: string) => string | undefined {
  const provides = new Map<string, string>();
  headers.forEach((h, i) => {
    const name = packages[i]!.name;
    if (!provides.has(name)) provides.set(name, name);
    for (const p of h.strings(RPMTAG.PROVIDENAME) ?? []) if (!provides.has(p)) provides.set(p, name);
  });
  let files: Map<string, string> | undefined;
  return (requirement) => {
    const found = provides.get(requirement);
    if (found !== undefined || !requirement.startsWith('/')) return found;
    files ??= fileOwners(headers, packages);
    return files.get(requirement);
  };
}

/** Installed file path -> owning package, from DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]. */
function fileOwners(headers: RpmHeader[], packages: Package[]): Map<string, string> {
  const owners = new Map<string, string>();
  headers.forEach((h, i) => {
    const base = h.strings(RPMTAG.BASENAMES) ?? [];
    const dirs = h.strings(RPMTAG.DIRNAMES) ?? [];
    const index = h.ints(RPMTAG.DIRINDEXES) ?? [];
    if (index.length !== base.length) malformed('RPM header', `${packages[i]!.name} has ${base.length} BASENAMES but ${index.length} DIRINDEXES`);
    base.forEach((b, j) => {
      const dir = dirs[index[j]!];
      if (dir === undefined) malformed('RPM header', `${packages[i]!.name} has a DIRINDEXES entry out of range`);
      const path = dir + b;
      if (!owners.has(path)) owners.set(path, packages[i]!.name);
    });
  });
  return owners;
}
