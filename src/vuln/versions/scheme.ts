// How versions of one packaging ecosystem are ordered. Each scheme is a pure, exact implementation of its
// ecosystem's own rules (dpkg, apk, rpm, SemVer for npm, PEP 440 for PyPI, Go module versions, Maven), because a
// vulnerability range is only as right as the comparison behind it: "1.0~rc1" is older than "1.0" for dpkg,
// "1.0rc1" older than "1.0" for PyPI, and "1.0-rc1" older than "1.0" for npm, each for its own reasons.
import { ProvenantError } from '../../core/errors.js';

export interface VersionScheme {
  /** The scheme's name: 'dpkg' | 'apk' | 'rpm' | 'semver' | 'pep440' | 'go' | 'maven'. */
  readonly name: string;
  /** True when `version` is well formed for this scheme. */
  isValid(version: string): boolean;
  /**
   * Negative, zero or positive as a orders before, the same as, or after b. Errors: VERSION_INVALID for a version
   * that is not well formed for this scheme (never a guess: a wrong order would hide or invent a vulnerability).
   */
  compare(a: string, b: string): number;
}

/**
 * A scheme from its parser (undefined for a malformed version) and the order of parsed versions. `what` names the
 * format in the VERSION_INVALID message ("a Debian package version").
 */
const MEMO_LIMIT = 50_000;

export function versionScheme<T>(name: string, what: string, parse: (version: string) => T | undefined, order: (a: T, b: T) => number): VersionScheme {
  // Matching compares the same few versions (an advisory's events, a package's version) over and over; parsing
  // is pure, so parsed forms are memoised, in a map that is dropped whole when full to keep memory bounded.
  let memo = new Map<string, T | undefined>();
  const parseMemo = (version: string): T | undefined => {
    if (memo.has(version)) return memo.get(version);
    const parsed = parse(version);
    if (memo.size >= MEMO_LIMIT) memo = new Map();
    memo.set(version, parsed);
    return parsed;
  };
  const parseOrThrow = (version: string): T => {
    const parsed = parseMemo(version);
    if (parsed === undefined) {
      throw new ProvenantError('VERSION_INVALID', `not ${what}: ${JSON.stringify(version)}`, { details: { scheme: name, version } });
    }
    return parsed;
  };
  return {
    name,
    isValid: (version) => parseMemo(version) !== undefined,
    compare: (a, b) => order(parseOrThrow(a), parseOrThrow(b)),
  };
}
