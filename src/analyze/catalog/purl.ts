// Package URLs in canonical form (purl-spec "Rules for each purl component" and "Character encoding"): every
// component is UTF-8 percent-encoded except ASCII letters, digits, ".-_~" and the colon; namespace segments are
// encoded one by one; qualifiers are sorted by key and empty values dropped. Per-type normalisation follows the
// type definitions in purl-spec types/*.json, with one deliberate exception noted at golangPurl.
import type { OsRelease } from './package.js';
import { distroQualifier } from './package.js';
import { ascending } from '../../core/order.js';

export interface PurlParts {
  type: string;
  namespace?: string;
  name: string;
  version?: string;
  qualifiers?: Record<string, string | undefined>;
}

const KEEP = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~:') KEEP[c.charCodeAt(0)] = 1;
const QUALIFIER_KEY_RE = /^[a-z][a-z0-9._-]*$/;

export function purlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    out += byte < 128 && KEEP[byte] === 1 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function buildPurl(parts: PurlParts): string {
  let out = `pkg:${parts.type}/`;
  const segments = (parts.namespace ?? '').split('/').filter((s) => s !== '');
  for (const segment of segments) out += `${purlEncode(segment)}/`;
  out += purlEncode(parts.name);
  if (parts.version !== undefined && parts.version !== '') out += `@${purlEncode(parts.version)}`;
  const qualifiers = Object.entries(parts.qualifiers ?? {})
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .sort(([a], [b]) => ascending(a, b));
  for (const [key] of qualifiers) {
    if (!QUALIFIER_KEY_RE.test(key)) throw new TypeError(`invalid purl qualifier key ${JSON.stringify(key)}`);
  }
  if (qualifiers.length > 0) out += `?${qualifiers.map(([k, v]) => `${k}=${purlEncode(v)}`).join('&')}`;
  return out;
}

/** pkg:deb/<vendor>/<name>@<version>?arch=&distro=; the vendor is the os-release ID, "debian" without one. */
export function debPurl(name: string, version: string, arch: string | undefined, os: OsRelease | undefined): string {
  return buildPurl({
    type: 'deb',
    namespace: (os?.id ?? 'debian').toLowerCase(),
    name: name.toLowerCase(),
    version,
    qualifiers: { arch, distro: distroQualifier(os) },
  });
}

/** pkg:apk/<vendor>/<name>@<version>?arch=&distro=; the vendor is the os-release ID, "alpine" without one. */
export function apkPurl(name: string, version: string, arch: string | undefined, os: OsRelease | undefined): string {
  return buildPurl({
    type: 'apk',
    namespace: (os?.id ?? 'alpine').toLowerCase(),
    name: name.toLowerCase(),
    version,
    qualifiers: { arch, distro: distroQualifier(os) },
  });
}

/** pkg:rpm/<vendor>/<name>@<version>-<release>?arch=&distro=&epoch=; the name is case sensitive. */
export function rpmPurl(
  name: string,
  versionRelease: string,
  epoch: number | undefined,
  arch: string | undefined,
  os: OsRelease | undefined,
): string {
  return buildPurl({
    type: 'rpm',
    namespace: os?.id.toLowerCase(),
    name,
    version: versionRelease,
    qualifiers: { arch, distro: distroQualifier(os), epoch: epoch === undefined ? undefined : String(epoch) },
  });
}

/** pkg:npm/%40scope/name@version; scope and name lowercased as the npm type requires. */
export function npmPurl(name: string, version: string): string {
  const lower = name.toLowerCase();
  const slash = lower.startsWith('@') ? lower.indexOf('/') : -1;
  return slash > 0
    ? buildPurl({ type: 'npm', namespace: lower.slice(0, slash), name: lower.slice(slash + 1), version })
    : buildPurl({ type: 'npm', name: lower, version });
}

/** PEP 503 name normalisation: runs of "-", "_" and "." become one "-", and the result is lowercased. */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

export function pypiPurl(name: string, version: string): string {
  return buildPurl({ type: 'pypi', name: normalizePypiName(name), version });
}

/**
 * pkg:golang/<module path>@<version>. The golang type definition asks for lowercase, but Go module paths are
 * case sensitive (the module proxy escapes capitals as "!x") and vulnerability databases key on the exact path,
 * so the case is kept. The pseudo-version "(devel)" of a main module built from a checkout is no version.
 */
export function golangPurl(modulePath: string, version: string): string {
  const slash = modulePath.lastIndexOf('/');
  return buildPurl({
    type: 'golang',
    namespace: slash < 0 ? undefined : modulePath.slice(0, slash),
    name: modulePath.slice(slash + 1),
    version: version === '(devel)' ? undefined : version,
  });
}
