// os-release(5): newline-separated shell-compatible VAR=value assignments; values may be double- or
// single-quoted, backslash escapes apply outside single quotes, "#" starts a comment line. Lines that are not
// assignments are ignored, as systemd's parser does. The file lives at etc/os-release or usr/lib/os-release.
import { ProvenantError } from '../../core/errors.js';
import { utf8Text, type OsRelease } from './package.js';

export const OS_RELEASE_PATHS = ['etc/os-release', 'usr/lib/os-release'] as const;
const MAX_BYTES = 64 * 1024;
const ASSIGNMENT_RE = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;

/** Parses os-release; undefined when it has no ID. Errors: INPUT_TOO_LARGE. */
export function parseOsRelease(bytes: Uint8Array): OsRelease | undefined {
  if (bytes.length > MAX_BYTES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `os-release is ${bytes.length} bytes, over the limit of ${MAX_BYTES}`);
  }
  const vars = new Map<string, string>();
  for (const raw of utf8Text(bytes).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = ASSIGNMENT_RE.exec(line);
    if (m !== null) vars.set(m[1]!, unquote(m[2]!));
  }
  const id = vars.get('ID')?.toLowerCase();
  if (id === undefined || id === '') return undefined;
  const out: OsRelease = { id };
  const versionId = vars.get('VERSION_ID');
  if (versionId) out.versionId = versionId;
  const codename = vars.get('VERSION_CODENAME');
  if (codename) out.versionCodename = codename;
  const idLike = vars.get('ID_LIKE')?.split(/\s+/).filter((s) => s !== '');
  if (idLike !== undefined && idLike.length > 0) out.idLike = idLike;
  const pretty = vars.get('PRETTY_NAME');
  if (pretty) out.prettyName = pretty;
  return out;
}

function unquote(value: string): string {
  let out = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
    } else if (c === '\\' && i + 1 < value.length && (quote === undefined || '$`"\\'.includes(value[i + 1]!))) {
      out += value[++i];
    } else if (c === '"' || (c === "'" && quote === undefined)) {
      quote = quote === c ? undefined : (c as '"' | "'");
    } else if (quote === undefined && /\s/.test(c)) {
      break;
    } else {
      out += c;
    }
  }
  return out;
}
