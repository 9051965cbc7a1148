// Debian package versions, ordered as dpkg orders them: deb-version(7) and dpkg's lib/dpkg/version.c
// (dpkg_version_compare, verrevcmp), with the syntax checks of parseversion() in lib/dpkg/parsehelp.c.
// Where dpkg only warns (an upstream part that does not start with a digit, a character outside the allowed set),
// the version is refused here: a comparison built on a malformed version would be a guess.

import { versionScheme, type VersionScheme } from './scheme.js';

/** Longest version accepted; dpkg sets no limit, real versions are far shorter. */
export const DPKG_MAX_LENGTH = 256;

// parseversion() refuses an epoch above INT_MAX.
const INT_MAX = 2 ** 31 - 1;

interface DpkgVersion {
  readonly epoch: number;
  readonly upstream: string;
  /** "" when the version has no revision (deb-version(7): an absent revision equals an empty one). */
  readonly revision: string;
}

const UPSTREAM_RE = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION_RE = /^[A-Za-z0-9.+~]+$/;

function parse(version: string): DpkgVersion | undefined {
  if (version.length === 0 || version.length > DPKG_MAX_LENGTH) return undefined;
  // The epoch ends at the first colon; later colons belong to the upstream part (parsehelp.c uses strchr).
  const colon = version.indexOf(':');
  let epoch = 0;
  let rest = version;
  if (colon >= 0) {
    const digits = version.slice(0, colon);
    // dpkg reads the epoch with strtol, which would also take a sign or blanks; only plain digits are accepted.
    if (!/^[0-9]+$/.test(digits)) return undefined;
    epoch = Number(digits);
    if (epoch > INT_MAX) return undefined;
    rest = version.slice(colon + 1);
  }
  // The revision starts after the last hyphen, so the upstream part may itself hold hyphens.
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (!UPSTREAM_RE.test(upstream)) return undefined;
  if (hyphen >= 0 && !REVISION_RE.test(revision)) return undefined;
  return { epoch, upstream, revision };
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

// order() of version.c: "~" sorts before the end of the string, letters (by ASCII) before every other
// non-digit. The end of the string (c = 0) and a digit both weigh 0.
function order(c: number): number {
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === 0x7e) return -1;
  if (c !== 0) return c + 256;
  return 0;
}

/** verrevcmp() of dpkg's version.c: alternating non-digit and digit runs; numbers compare without leading zeros. */
export function verrevcmp(a: string, b: string): number {
  // Character 0 past the end mirrors the C string terminator.
  const at = (s: string, i: number): number => (i < s.length ? s.charCodeAt(i) : 0);
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(at(a, i))) || (j < b.length && !isDigit(at(b, j)))) {
      const ac = order(at(a, i));
      const bc = order(at(b, j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (at(a, i) === 0x30) i++;
    while (at(b, j) === 0x30) j++;
    while (isDigit(at(a, i)) && isDigit(at(b, j))) {
      if (firstDiff === 0) firstDiff = at(a, i) - at(b, j);
      i++;
      j++;
    }
    if (isDigit(at(a, i))) return 1;
    if (isDigit(at(b, j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

// dpkg_version_compare(): epoch numerically, then the upstream part, then the revision.
function compareParsed(a: DpkgVersion, b: DpkgVersion): number {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return Math.sign(verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision));
}

export const dpkgVersions: VersionScheme = versionScheme('dpkg', 'a Debian package version', parse, compareParsed);
