// Package URLs read back from SBOMs (purl-spec, "How to parse a purl string representation"), and the package a
// purl names in Provenant's terms (formats/sbom-package.ts `Package`), so that packages listed by another tool
// are matched exactly like the ones Provenant catalogues itself.
import { ProvenantError } from '../core/errors.js';
import type { Package } from '../formats/sbom-package.js';
import type { DistroRelease } from './package-ecosystem.js';

export interface ParsedPurl {
  /** Lowercase. */
  readonly type: string;
  /** Percent-decoded segments joined by "/"; absent when the purl has none. */
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
  /** Keys lowercase, values percent-decoded; empty values dropped. */
  readonly qualifiers: Readonly<Record<string, string>>;
}

const MAX_PURL_LENGTH = 4096;
const TYPE_RE = /^[a-z.+-][a-z0-9.+-]*$/;

/** Parses a purl. Errors: SBOM_MALFORMED. */
export function parsePurl(purl: string): ParsedPurl {
  if (purl.length > MAX_PURL_LENGTH) bad(purl, `longer than ${MAX_PURL_LENGTH} characters`);
  let rest = purl;
  const hash = rest.lastIndexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const qualifiers: Record<string, string> = {};
  const question = rest.lastIndexOf('?');
  if (question >= 0) {
    for (const pair of rest.slice(question + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) bad(purl, `qualifier ${JSON.stringify(pair)} is not key=value`);
      const key = pair.slice(0, eq).toLowerCase();
      const value = decode(purl, pair.slice(eq + 1));
      if (Object.hasOwn(qualifiers, key)) bad(purl, `qualifier ${key} appears twice`);
      if (value !== '') qualifiers[key] = value;
    }
    rest = rest.slice(0, question);
  }
  if (rest.slice(0, 4).toLowerCase() !== 'pkg:') bad(purl, 'it does not start with "pkg:"');
  rest = rest.slice(4).replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  if (slash <= 0) bad(purl, 'it has no type and name');
  const type = rest.slice(0, slash).toLowerCase();
  if (!TYPE_RE.test(type)) bad(purl, `invalid type ${JSON.stringify(type)}`);
  rest = rest.slice(slash + 1);
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    version = decode(purl, rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const segments = rest.replace(/\/+$/, '').split('/').filter((s) => s !== '').map((s) => decode(purl, s));
  const name = segments.pop();
  if (name === undefined || name === '') bad(purl, 'it has no name');
  return {
    type,
    ...(segments.length === 0 ? {} : { namespace: segments.join('/') }),
    name,
    ...(version === undefined || version === '' ? {} : { version }),
    qualifiers,
  };
}

/** What a purl says about a package: the package (undefined for a type not matched here) and its distribution. */
export interface PurlPackage {
  readonly package?: Package;
  /** Why the package is not matched, when `package` is absent. */
  readonly unsupported?: string;
  /** From the `distro` qualifier of deb, apk and rpm purls ("debian-12", "alpine-3.19.1"). */
  readonly release?: DistroRelease;
}

/** The package `purl` names, carrying `locations`. Errors: SBOM_MALFORMED. */
export function packageOfPurl(purl: string, locations: readonly string[]): PurlPackage {
  const p = parsePurl(purl);
  const base = { purl, locations: [...locations] };
  const version = p.version;
  if (version === undefined) return { unsupported: 'the purl has no version' };
  const release = p.qualifiers.distro === undefined ? undefined : releaseOfDistro(p.qualifiers.distro);
  const withRelease = release === undefined ? {} : { release };
  const arch = p.qualifiers.arch === undefined ? {} : { arch: p.qualifiers.arch };
  const scoped = p.namespace === undefined ? p.name : `${p.namespace}/${p.name}`;
  if (p.type === 'deb' || p.type === 'apk') {
    // Syft and other tools record the source package in an "upstream" qualifier: "openssl" or "glibc@2.36-9".
    const upstream = p.qualifiers.upstream;
    const source = upstream === undefined ? undefined : sourceOfUpstream(upstream);
    return { package: { ...base, ecosystem: p.type, name: p.name, version, ...arch, ...(source === undefined ? {} : { source }) }, ...withRelease };
  }
  if (p.type === 'rpm') {
    // Provenant's rpm versions carry the epoch ("1:3.0.7-27.el9"); the purl keeps it in a qualifier.
    const epoch = p.qualifiers.epoch;
    const full = epoch === undefined ? version : `${epoch}:${version}`;
    return { package: { ...base, ecosystem: 'rpm', name: p.name, version: full, ...arch }, ...withRelease };
  }
  if (p.type === 'npm' || p.type === 'golang') return { package: { ...base, ecosystem: p.type, name: scoped, version } };
  if (p.type === 'pypi') return { package: { ...base, ecosystem: 'pypi', name: p.name, version } };
  return { unsupported: `${p.type} packages are not matched against OSV by this scanner` };
}

/** "debian-12" -> { debian, 12 }; a codename ("debian-trixie") gives no VERSION_ID. */
export function releaseOfDistro(distro: string): DistroRelease | undefined {
  const dash = distro.lastIndexOf('-');
  if (dash <= 0) return distro === '' ? undefined : { distro: distro.toLowerCase() };
  const version = distro.slice(dash + 1);
  const id = distro.slice(0, dash).toLowerCase();
  return /^\d[0-9A-Za-z.]*$/.test(version) ? { distro: id, versionId: version } : { distro: id };
}

function sourceOfUpstream(upstream: string): Package['source'] {
  const at = upstream.indexOf('@');
  if (at <= 0) return { name: upstream };
  const version = upstream.slice(at + 1);
  return version === '' ? { name: upstream.slice(0, at) } : { name: upstream.slice(0, at), version };
}

function decode(purl: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    bad(purl, `bad percent-encoding in ${JSON.stringify(text.slice(0, 100))}`);
  }
}

function bad(purl: string, reason: string): never {
  throw new ProvenantError('SBOM_MALFORMED', `purl ${JSON.stringify(purl.slice(0, 200))}: ${reason}`, { details: { reason } });
}
