// SemVer 2.0.0 precedence (https://semver.org/spec/v2.0.0.html, section 11), the order of npm versions. The same
// parsing and precedence serve Go module versions (go.ts), which are SemVer with a mandatory "v".

import { versionScheme, type VersionScheme } from './scheme.js';
import { ascending } from '../../core/order.js';

export interface SemverParts {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** Dot-separated pre-release identifiers; empty for a release. */
  readonly prerelease: readonly string[];
  /** Build metadata without the "+", or undefined. Never part of precedence (section 10). */
  readonly build: string | undefined;
}

// The regular expression suggested at the end of the SemVer 2.0.0 text: numeric identifiers have no leading
// zeros (sections 2 and 9); build identifiers may (section 10).
const NUM = '0|[1-9][0-9]*';
const PRE_ID = `(?:${NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER_RE = new RegExp(
  `^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`,
);

/** Parses the SemVer 2.0.0 text itself, with no prefix; undefined when it is not well formed. */
export function parseSemverCore(text: string): SemverParts | undefined {
  const m = SEMVER_RE.exec(text);
  if (m === null) return undefined;
  return {
    major: m[1]!,
    minor: m[2]!,
    patch: m[3]!,
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5],
  };
}

/** Compares two decimal strings without leading zeros, of any length (SemVer sets no upper bound). */
export function compareDecimal(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return ascending(a, b);
}

const isNumeric = (id: string): boolean => /^[0-9]+$/.test(id);

// Section 11.4: identifiers compared one by one; numeric ones numerically, others in ASCII order, numeric below
// alphanumeric, and a longer list above its own prefix.
function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xn = isNumeric(x);
    const yn = isNumeric(y);
    let c: number;
    if (xn && yn) c = compareDecimal(x, y);
    else if (xn !== yn) c = xn ? -1 : 1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

/** SemVer 2.0.0 precedence of two parsed versions; build metadata does not take part. */
export function compareSemverParts(a: SemverParts, b: SemverParts): number {
  const core = compareDecimal(a.major, b.major) || compareDecimal(a.minor, b.minor) || compareDecimal(a.patch, b.patch);
  if (core !== 0) return core;
  // Section 11.3: a pre-release version has lower precedence than the normal version.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return Math.sign(b.prerelease.length) - Math.sign(a.prerelease.length);
  }
  return comparePrerelease(a.prerelease, b.prerelease);
}

// npm (node-semver) strips a leading "v" and tolerates a leading "=" in what it reads as a version.
function parseNpm(version: string): SemverParts | undefined {
  const m = /^=?v?/.exec(version);
  return parseSemverCore(version.slice(m === null ? 0 : m[0].length));
}

export const semverVersions: VersionScheme = versionScheme('semver', 'a SemVer 2.0.0 version', parseNpm, compareSemverParts);
