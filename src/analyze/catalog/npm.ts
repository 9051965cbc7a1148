// npm packages as installed: node_modules/<name>/package.json and node_modules/@scope/<name>/package.json,
// at any depth of nesting. A package.json without a string name and version (a half-written install, a
// fixture directory) gives no package. Licences are read from "license" (an SPDX expression), or the
// deprecated {"type": ...} object and "licenses" array. Dependencies are "dependencies" and
// "optionalDependencies"; dev and peer dependencies are not runtime dependencies of an installed package.
import { isJsonObject, parseJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import { npmPurl } from './purl.js';
import { MiB, relativePath, uniqueOrUndefined, type Cataloger, type Package } from './package.js';

export const npmPackageCataloger: Cataloger = {
  name: 'npm-package',
  maxBytes: 16 * MiB,
  matches(path) {
    const parts = relativePath(path).split('/');
    if (parts.pop() !== 'package.json') return false;
    // npm names do not start with "." or "_"; "@x" alone is a scope folder, not a package.
    const name = parts.pop();
    if (name === undefined || !/^[^.@_]/.test(name)) return false;
    const parent = parts.pop();
    return parent === 'node_modules' || (parent !== undefined && /^@./.test(parent) && parts.pop() === 'node_modules');
  },
  parse(path, bytes) {
    const doc = parseJsonObject(bytes, `npm package manifest ${path}`);
    const name = doc.name;
    const version = doc.version;
    if (typeof name !== 'string' || typeof version !== 'string' || name === '' || version === '') return [];
    const pkg: Package = { ecosystem: 'npm', name, version, purl: npmPurl(name, version), locations: [path] };
    const licenses = npmLicenses(doc);
    if (licenses !== undefined) pkg.licenses = licenses;
    const deps = uniqueOrUndefined([...keysOf(doc.dependencies), ...keysOf(doc.optionalDependencies)]);
    if (deps !== undefined) pkg.dependsOn = deps;
    return [pkg];
  },
};

export function npmLicenses(doc: JsonObject): string[] | undefined {
  const found: string[] = [];
  const add = (v: JsonValue | undefined): void => {
    if (typeof v === 'string' && v.trim() !== '') found.push(v.trim());
    else if (isJsonObject(v)) add(v.type);
  };
  add(doc.license);
  if (Array.isArray(doc.licenses)) doc.licenses.forEach(add);
  return uniqueOrUndefined(found);
}

export function keysOf(value: JsonValue | undefined): string[] {
  return isJsonObject(value) ? Object.keys(value) : [];
}
