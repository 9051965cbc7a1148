// Installed Python distributions (Core metadata specifications, packaging.python.org): <name>.dist-info/METADATA
// (wheels), <name>.egg-info/PKG-INFO (setuptools), and the single-file <name>.egg-info of distutils. The
// metadata is an RFC 822 header block: "Name: value" lines, continuation lines starting with whitespace,
// ending at the first empty line (the description may follow) or, as Python's email parser does, at the first
// line that is not a header. Licences: License-Expression (metadata 2.4) when present, else the License field
// when it is a one-line name rather than pasted licence text, plus each "License :: ..." classifier's last
// part. Requirements are Requires-Dist names, PEP 503 normalised, except those needed only by an extra.
import { normalizePypiName, pypiPurl } from './purl.js';
import { MiB, malformed, uniqueOrUndefined, utf8Text, type Cataloger, type Package } from './package.js';

const HEADER_RE = /^([!-9;-~]+):[ \t]*(.*)$/;
// PEP 508: a name is letters and digits, with ".", "-" and "_" allowed inside.
const REQUIREMENT_NAME_RE = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;
// An environment marker (after ";") that uses the `extra` variable, e.g. `; extra == "socks"`.
const EXTRA_VARIABLE_RE = /(?<![\w"'.-])extra(?![\w"'.-])/;
const NOT_A_LICENCE = new Set(['unknown', 'none', '']);

export const pythonCataloger: Cataloger = {
  name: 'python',
  maxBytes: 16 * MiB,
  matches(path) {
    const parts = path.split('/');
    const file = parts[parts.length - 1]!;
    const dir = parts[parts.length - 2] ?? '';
    const named = (s: string, suffix: string) => s.length > suffix.length && s.endsWith(suffix);
    return named(file, '.egg-info') || (file === 'METADATA' && named(dir, '.dist-info')) || (file === 'PKG-INFO' && named(dir, '.egg-info'));
  },
  parse(path, bytes) {
    const what = `Python metadata ${path}`;
    const headers = parseHeaders(utf8Text(bytes), what);
    const name = headers.get('name')?.[0]?.trim();
    const version = headers.get('version')?.[0]?.trim();
    if (!name || !version) return [];
    if (/\s/.test(name) || /\s/.test(version)) malformed(what, 'the Name or Version contains whitespace');
    const pkg: Package = { ecosystem: 'pypi', name, version, purl: pypiPurl(name, version), locations: [path] };
    const licenses = pythonLicenses(headers);
    if (licenses !== undefined) pkg.licenses = licenses;
    const deps = uniqueOrUndefined(
      (headers.get('requires-dist') ?? []).flatMap((req) => {
        const m = REQUIREMENT_NAME_RE.exec(req);
        const marker = req.indexOf(';');
        return m === null || (marker >= 0 && EXTRA_VARIABLE_RE.test(req.slice(marker))) ? [] : [normalizePypiName(m[1]!)];
      }),
    );
    if (deps !== undefined) pkg.dependsOn = deps;
    return [pkg];
  },
};

/** Lowercased header name -> every value, continuation lines joined with "\n". */
export function parseHeaders(text: string, what: string): Map<string, string[]> {
  if (text.includes('\0')) malformed(what, 'it contains a NUL byte (binary data)');
  const headers = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      last[last.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const m = HEADER_RE.exec(line);
    if (m === null) break;
    const key = m[1]!.toLowerCase();
    last = headers.get(key);
    if (last === undefined) headers.set(key, (last = []));
    last.push(m[2]!.trimEnd());
  }
  return headers;
}

function pythonLicenses(headers: Map<string, string[]>): string[] | undefined {
  const expression = headers.get('license-expression')?.[0]?.trim();
  if (expression) return [expression];
  const found: string[] = [];
  const license = headers.get('license')?.[0]?.trim();
  if (license !== undefined && !license.includes('\n') && license.length <= 100 && !NOT_A_LICENCE.has(license.toLowerCase())) {
    found.push(license);
  }
  for (const classifier of headers.get('classifier') ?? []) {
    const parts = classifier.split('::').map((s) => s.trim());
    if (parts[0] === 'License' && parts.length > 2) found.push(parts[parts.length - 1]!);
    else if (parts[0] === 'License' && parts.length === 2 && parts[1] !== 'OSI Approved') found.push(parts[1]!);
  }
  return uniqueOrUndefined(found);
}
