// apk-tools' installed database, lib/apk/db/installed (the v2 text format; apk v3's installed.adb is not
// read): one record per package, records separated by empty lines, every line "<letter>:<value>". Used here:
// P name, V version, A arch, L licence, o origin (the source package), D dependencies, p provides. A
// dependency is "[!]name[@tag][op version]"; "!" marks a conflict, and virtual names (so:, cmd:, pc:, ...) are
// resolved to the installed package that provides them, or dropped when none does.
import { apkPurl } from './purl.js';
import { MiB, malformed, relativePath, utf8Text, uniqueOrUndefined, type Cataloger, type Package } from './package.js';

export const APK_INSTALLED = 'lib/apk/db/installed';

interface ApkRecord {
  line: number;
  fields: Map<string, string[]>;
}

export const apkCataloger: Cataloger = {
  name: 'apk',
  maxBytes: 128 * MiB,
  matches: (path) => relativePath(path) === APK_INSTALLED,
  parse(path, bytes, context) {
    const what = `apk database ${path}`;
    const records = readRecords(utf8Text(bytes), what);
    const providers = new Map<string, string>();
    const packages: Array<{ pkg: Package; depends: string[] }> = [];
    for (const r of records) {
      const name = single(r, 'P', what);
      const version = single(r, 'V', what);
      if (name === undefined || version === undefined) malformed(what, `the record at line ${r.line} has no P or V line`, { line: r.line });
      if (/\s/.test(name) || /\s/.test(version)) malformed(what, `invalid name or version at line ${r.line}`, { line: r.line });
      const arch = single(r, 'A', what);
      const pkg: Package = { ecosystem: 'apk', name, version, purl: apkPurl(name, version, arch, context.osRelease), locations: [path] };
      if (arch !== undefined) pkg.arch = arch;
      const origin = single(r, 'o', what);
      if (origin !== undefined && origin !== '') pkg.source = { name: origin, version };
      const license = single(r, 'L', what);
      if (license !== undefined && license !== '') pkg.licenses = [license];
      for (const provided of tokens(r, 'p')) {
        const providedName = dependencyName(provided);
        if (!providers.has(providedName)) providers.set(providedName, name);
      }
      packages.push({ pkg, depends: tokens(r, 'D') });
    }
    const installed = new Set(packages.map((p) => p.pkg.name));
    for (const { pkg, depends } of packages) {
      const names: string[] = [];
      for (const dep of depends) {
        if (dep.startsWith('!')) continue;
        const name = dependencyName(dep);
        const resolved = installed.has(name) ? name : (providers.get(name) ?? (name.includes(':') ? undefined : name));
        if (resolved !== undefined && resolved !== pkg.name) names.push(resolved);
      }
      const dependsOn = uniqueOrUndefined(names);
      if (dependsOn !== undefined) pkg.dependsOn = dependsOn;
    }
    return packages.map((p) => p.pkg);
  },
};

function readRecords(text: string, what: string): ApkRecord[] {
  if (text.includes('\0')) malformed(what, 'it contains a NUL byte (binary data)');
  const records: ApkRecord[] = [];
  let current: ApkRecord | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') {
      if (current !== undefined) records.push(current);
      current = undefined;
      continue;
    }
    if (line.length < 2 || line[1] !== ':' || !/^[A-Za-z]$/.test(line[0]!)) {
      malformed(what, `line ${i + 1} is not "<letter>:<value>"`, { line: i + 1 });
    }
    current ??= { line: i + 1, fields: new Map() };
    const key = line[0]!;
    const values = current.fields.get(key);
    if (values === undefined) current.fields.set(key, [line.slice(2)]);
    else values.push(line.slice(2));
  }
  if (current !== undefined) records.push(current);
  return records;
}

function single(r: ApkRecord, key: string, what: string): string | undefined {
  const values = r.fields.get(key);
  if (values !== undefined && values.length > 1) malformed(what, `the record at line ${r.line} repeats ${key}:`, { line: r.line });
  return values?.[0];
}

function tokens(r: ApkRecord, key: string): string[] {
  return (r.fields.get(key) ?? []).flatMap((v) => v.split(/[ \t]+/)).filter((t) => t !== '');
}

/** The name part of "name[@tag][op version]" (apk_blob_pull_dep). */
function dependencyName(dep: string): string {
  const body = dep.startsWith('!') ? dep.slice(1) : dep;
  const end = body.search(/[@<>=~]/);
  return end < 0 ? body : body.slice(0, end);
}
