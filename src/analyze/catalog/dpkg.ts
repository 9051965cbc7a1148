// dpkg's database of installed packages: var/lib/dpkg/status (all packages, one paragraph each) and, in
// distroless images, var/lib/dpkg/status.d/<name> (one file per package, often without a Status field;
// the <name>.md5sums files beside them are not paragraphs). A package counts as installed when its Status is
// "<want> ok installed": the want word ("install", "hold", "deinstall", "purge") is only the administrator's
// selection, and the files are on disk until dpkg acts on it. Licences come from a DEP-5
// usr/share/doc/<name>/copyright when the caller supplies that file.
import { folded, parseParagraphs, type Paragraph } from './deb822.js';
import { debPurl } from './purl.js';
import { MiB, malformed, relativePath, uniqueOrUndefined, utf8Text, type CatalogContext, type Cataloger, type Package } from './package.js';

export const DPKG_STATUS = 'var/lib/dpkg/status';
const STATUS_D_RE = /^var\/lib\/dpkg\/status\.d\/[^/]+$/;
const COPYRIGHT_RE = /^usr\/share\/doc\/[^/]+\/copyright$/;

const WANT = new Set(['unknown', 'install', 'hold', 'deinstall', 'purge']);
const EFLAG = new Set(['ok', 'reinstreq']);
const STATE = new Set([
  'not-installed', 'config-files', 'half-installed', 'unpacked', 'half-configured', 'triggers-awaited', 'triggers-pending', 'installed',
]);
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9+.\-_]*$/;
const ARCH_RE = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const SOURCE_RE = /^(\S+)(?:\s+\(([^()\s]+)\))?$/;
const RELATION_NAME_RE = /[A-Za-z0-9][A-Za-z0-9+.\-_]*(?::[A-Za-z0-9-]+)?/y;
const CONSTRAINT_RE = /^\s*(?:<<|<=|=|>=|>>|<|>)\s*[^()\s]+\s*$/;

export const dpkgCataloger: Cataloger = {
  name: 'dpkg',
  maxBytes: 128 * MiB,
  matches(path) {
    const rel = relativePath(path);
    return rel === DPKG_STATUS || (STATUS_D_RE.test(rel) && !rel.endsWith('.md5sums'));
  },
  consults: (path) => COPYRIGHT_RE.test(relativePath(path)),
  parse(path, bytes, context) {
    const what = `dpkg database ${path}`;
    const inStatusD = STATUS_D_RE.test(relativePath(path));
    const out: Package[] = [];
    for (const p of parseParagraphs(utf8Text(bytes), what)) {
      if (!isInstalled(p, inStatusD, what)) continue;
      out.push(toPackage(p, path, what, context));
    }
    return out;
  },
};

function isInstalled(p: Paragraph, inStatusD: boolean, what: string): boolean {
  const status = p.fields.get('status');
  if (status === undefined) {
    if (inStatusD) return true;
    return malformed(what, `the paragraph at line ${p.line} has no Status field`, { line: p.line });
  }
  const words = status.split(/\s+/);
  if (words.length !== 3 || !WANT.has(words[0]!) || !EFLAG.has(words[1]!) || !STATE.has(words[2]!)) {
    malformed(what, `the Status at line ${p.line} is not "<want> <flag> <state>"`, { line: p.line, status: status.slice(0, 100) });
  }
  return words[1] === 'ok' && words[2] === 'installed';
}

function required(p: Paragraph, field: string, what: string): string {
  const value = p.fields.get(field);
  if (value === undefined || value === '') malformed(what, `the installed package at line ${p.line} has no ${field} field`, { line: p.line });
  return value;
}

function toPackage(p: Paragraph, path: string, what: string, context: CatalogContext): Package {
  const name = required(p, 'package', what);
  if (!NAME_RE.test(name)) malformed(what, `invalid package name at line ${p.line}`, { line: p.line, name: name.slice(0, 100) });
  const version = required(p, 'version', what);
  if (!/^[!-~]+$/.test(version)) malformed(what, `invalid version of ${name}`, { line: p.line });
  const arch = p.fields.get('architecture');
  if (arch !== undefined && !ARCH_RE.test(arch)) malformed(what, `invalid architecture of ${name}`, { line: p.line });

  const pkg: Package = {
    ecosystem: 'deb',
    name,
    version,
    purl: debPurl(name, version, arch, context.osRelease),
    source: sourceOf(p, name, version, what),
    locations: [path],
  };
  if (arch !== undefined) pkg.arch = arch;
  const deps = uniqueOrUndefined([...relationNames(p, 'pre-depends', what), ...relationNames(p, 'depends', what)]);
  if (deps !== undefined) pkg.dependsOn = deps;

  const copyrightPath = `usr/share/doc/${name}/copyright`;
  const copyright = context.file?.(copyrightPath);
  if (copyright !== undefined) {
    const licenses = copyrightLicenses(copyright);
    if (licenses !== undefined) {
      pkg.licenses = licenses;
      pkg.locations.push(copyrightPath);
    }
  }
  return pkg;
}

/** The source package; like dpkg-query's ${source:Package} and ${source:Version}, it defaults to the binary's. */
function sourceOf(p: Paragraph, name: string, version: string, what: string): { name: string; version: string } {
  const field = p.fields.get('source');
  if (field === undefined || field === '') return { name, version };
  const m = SOURCE_RE.exec(field);
  if (m === null || !NAME_RE.test(m[1]!)) malformed(what, `invalid Source field of ${name}`, { line: p.line });
  return { name: m[1]!, version: m[2] ?? version };
}

/** Package names in a relationship field; every alternative of "a | b" counts. */
function relationNames(p: Paragraph, field: string, what: string): string[] {
  const value = folded(p.fields.get(field));
  if (value === undefined || value === '') return [];
  const names: string[] = [];
  for (const group of value.split(',')) {
    if (group.trim() === '') continue;
    for (const alternative of group.split('|')) {
      const name = relationName(alternative.trim());
      if (name === undefined) malformed(what, `unparsable ${field} entry ${JSON.stringify(alternative.trim().slice(0, 100))}`, { line: p.line });
      names.push(name);
    }
  }
  return names;
}

/**
 * The package name of one alternative of a relationship field (Debian Policy 7.1):
 * name[:archqual] [(op version)] [[arch ...]] [<profile ...> ...]. Scanned by hand: a regular expression
 * for this grammar backtracks polynomially on runs of spaces.
 */
function relationName(text: string): string | undefined {
  RELATION_NAME_RE.lastIndex = 0;
  const m = RELATION_NAME_RE.exec(text);
  if (m === null) return undefined;
  let pos = skipSpace(text, m[0].length);
  const group = (open: string, close: string, check?: RegExp): boolean => {
    if (text[pos] !== open) return true;
    const end = text.indexOf(close, pos + 1);
    if (end < 0 || (check !== undefined && !check.test(text.slice(pos + 1, end)))) return false;
    pos = skipSpace(text, end + 1);
    return true;
  };
  if (!group('(', ')', CONSTRAINT_RE) || !group('[', ']')) return undefined;
  while (text[pos] === '<') if (!group('<', '>')) return undefined;
  return pos === text.length ? m[0].replace(/:.*$/, '') : undefined;
}

function skipSpace(text: string, pos: number): number {
  while (text[pos] === ' ' || text[pos] === '\t') pos++;
  return pos;
}

/**
 * The License fields of a machine-readable copyright file (DEP-5, copyright-format 1.0): the first line of
 * each is the short name or expression; the lines after it are licence text. Free-form copyright files
 * carry no such field and give no licences.
 */
export function copyrightLicenses(bytes: Uint8Array): string[] | undefined {
  const names: string[] = [];
  for (const line of utf8Text(bytes.subarray(0, 4 * MiB)).split('\n')) {
    const name = /^License:/i.test(line) ? line.slice('License:'.length).trim() : '';
    if (name !== '' && name.length <= 200) names.push(name);
  }
  return uniqueOrUndefined(names);
}
