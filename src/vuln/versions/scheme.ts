// How versions of one packaging ecosystem are ordered. Each scheme is a pure, exact implementation of its
// ecosystem's own rules (dpkg, apk, rpm, SemVer for npm, PEP 440 for PyPI, Go module versions, Maven), because a
// vulnerability range is only as right as the comparison behind it: "1.0~rc1" is older than "1.0" for dpkg,
// "1.0rc1" older than "1.0" for PyPI, and "1.0-rc1" older than "1.0" for npm, each for its own reasons.

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
