// package-lock.json (and npm-shrinkwrap.json). lockfileVersion 2 and 3 list every installed package in
// "packages", keyed by its folder ("node_modules/a/node_modules/@s/b"); the root "" entry is the project
// itself, keys outside node_modules are workspace folders (first-party code, like the root), and
// {"link": true} entries point at such a folder. lockfileVersion 1 has only the nested "dependencies" tree
// ("version" may be "npm:<real name>@<version>" for an alias, or "file:..." for a local folder, which is
// skipped). Entries marked "dev" are skipped: a production install (`npm ci --omit=dev`) leaves them out, and
// the node_modules cataloger reports what was really installed. Edges: "dependencies" and
// "optionalDependencies" of each entry (v2/3), "requires" (v1).
import { ProvenantError } from '../../core/errors.js';
import { isJsonObject, parseJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { keysOf, npmLicenses } from './npm.js';
import { npmPurl } from './purl.js';
import { MiB, relativePath, uniqueOrUndefined, type Cataloger, type Package } from './package.js';

const LOCK_RE = /(?:^|\/)(?:package-lock|npm-shrinkwrap)\.json$/;

export const npmLockCataloger: Cataloger = {
  name: 'npm-lockfile',
  maxBytes: 64 * MiB,
  matches: (path) => {
    const rel = relativePath(path);
    return LOCK_RE.test(rel) && !rel.includes('node_modules/');
  },
  parse(path, bytes) {
    const what = `npm lockfile ${path}`;
    const doc = parseJsonObject(bytes, what);
    const version = doc.lockfileVersion ?? 1;
    if (version !== 1 && version !== 2 && version !== 3) {
      throw new ProvenantError('UNSUPPORTED', `${what} has lockfileVersion ${JSON.stringify(version)}; 1, 2 and 3 are supported`);
    }
    if (isJsonObject(doc.packages)) return fromPackages(doc.packages, path);
    if (version === 3) return [];
    const out: Package[] = [];
    if (isJsonObject(doc.dependencies)) walkV1(doc.dependencies, path, out);
    return out;
  },
};

function fromPackages(packages: JsonObject, path: string): Package[] {
  const out: Package[] = [];
  for (const [key, entry] of Object.entries(packages)) {
    const at = key.lastIndexOf('node_modules/');
    if (at < 0 || !isJsonObject(entry) || entry.link === true || entry.dev === true) continue;
    const name = typeof entry.name === 'string' && entry.name !== '' ? entry.name : key.slice(at + 'node_modules/'.length);
    const version = entry.version;
    if (name === '' || typeof version !== 'string' || version === '') continue;
    const pkg: Package = { ecosystem: 'npm', name, version, purl: npmPurl(name, version), locations: [path] };
    const licenses = npmLicenses(entry);
    if (licenses !== undefined) pkg.licenses = licenses;
    const deps = uniqueOrUndefined([...keysOf(entry.dependencies), ...keysOf(entry.optionalDependencies)]);
    if (deps !== undefined) pkg.dependsOn = deps;
    out.push(pkg);
  }
  return out;
}

function walkV1(dependencies: JsonObject, path: string, out: Package[]): void {
  for (const [key, entry] of Object.entries(dependencies)) {
    if (!isJsonObject(entry)) continue;
    if (entry.dev !== true) {
      const resolved = v1NameAndVersion(key, entry.version);
      if (resolved !== undefined) {
        const [name, version] = resolved;
        const pkg: Package = { ecosystem: 'npm', name, version, purl: npmPurl(name, version), locations: [path] };
        const deps = uniqueOrUndefined(keysOf(entry.requires));
        if (deps !== undefined) pkg.dependsOn = deps;
        out.push(pkg);
      }
    }
    if (isJsonObject(entry.dependencies)) walkV1(entry.dependencies, path, out);
  }
}

function v1NameAndVersion(key: string, version: JsonValue | undefined): [string, string] | undefined {
  if (typeof version !== 'string' || version === '' || key === '') return undefined;
  if (version.startsWith('file:') || version.startsWith('link:')) return undefined;
  if (version.startsWith('npm:')) {
    const spec = version.slice(4);
    const at = spec.lastIndexOf('@');
    return at > 0 && at < spec.length - 1 ? [spec.slice(0, at), spec.slice(at + 1)] : undefined;
  }
  return [key, version];
}
