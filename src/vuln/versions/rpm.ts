// RPM versions, ordered as rpm orders them: rpmvercmp() (rpmio/rpmvercmp.cc) on each part of an
// [epoch:]version[-release] string, split as parseEVR() and compared as rpmverCmp() do (rpmio/rpmver.cc).
// Well-formedness follows what rpmbuild accepts for Version and Release (rpmCharCheck with
// ALLOWED_CHARS_VERREL in build/): ASCII letters, digits and "._+~^", no "..", and a decimal epoch.

import { versionScheme, type VersionScheme } from './scheme.js';

/** Longest version accepted; rpm sets no limit, real versions are far shorter. */
export const RPM_MAX_LENGTH = 256;

interface Evr {
  readonly epoch: string;
  readonly version: string;
  /** Undefined when the string has no "-release"; rpmverCmp orders a missing release before any release. */
  readonly release: string | undefined;
}

const PART_RE = /^[A-Za-z0-9._+~^]+$/;

const wellFormedPart = (part: string): boolean => PART_RE.test(part) && !part.includes('..');

function parse(evr: string): Evr | undefined {
  if (evr.length === 0 || evr.length > RPM_MAX_LENGTH) return undefined;
  // parseEVR: the epoch is a leading run of digits ended by ":"; the release follows the last "-".
  const m = /^([0-9]+):/.exec(evr);
  const epoch = m === null ? '0' : m[1]!;
  const rest = m === null ? evr : evr.slice(m[0].length);
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : undefined;
  if (!wellFormedPart(version)) return undefined;
  if (release !== undefined && !wellFormedPart(release)) return undefined;
  return { epoch, version, release };
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isAlnum = (c: string): boolean => isDigit(c) || isAlpha(c);

/** rpmvercmp(): -1, 0 or 1 as a is older than, the same as, or newer than b. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  // "" past the end stands for the C string terminator.
  const at = (s: string, i: number): string => (i < s.length ? s[i]! : '');
  let one = 0;
  let two = 0;
  while (one < a.length || two < b.length) {
    while (one < a.length && !isAlnum(a[one]!) && a[one] !== '~' && a[one] !== '^') one++;
    while (two < b.length && !isAlnum(b[two]!) && b[two] !== '~' && b[two] !== '^') two++;
    const c1 = at(a, one);
    const c2 = at(b, two);

    // "~" sorts before everything, even the end of the string.
    if (c1 === '~' || c2 === '~') {
      if (c1 !== '~') return 1;
      if (c2 !== '~') return -1;
      one++;
      two++;
      continue;
    }
    // "^" sorts after the end of the string (the base version) but before any further segment.
    if (c1 === '^' || c2 === '^') {
      if (c1 === '') return -1;
      if (c2 === '') return 1;
      if (c1 !== '^') return 1;
      if (c2 !== '^') return -1;
      one++;
      two++;
      continue;
    }
    if (c1 === '' || c2 === '') break;

    // One segment: all digits or all letters, typed by the first string's segment.
    const isnum = isDigit(c1);
    const inSegment = isnum ? isDigit : isAlpha;
    let end1 = one;
    let end2 = two;
    while (end1 < a.length && inSegment(a[end1]!)) end1++;
    while (end2 < b.length && inSegment(b[end2]!)) end2++;
    // Segments of different types: the numeric one is newer.
    if (end2 === two) return isnum ? 1 : -1;

    let s1 = a.slice(one, end1);
    let s2 = b.slice(two, end2);
    if (isnum) {
      s1 = s1.replace(/^0+/, '');
      s2 = s2.replace(/^0+/, '');
      if (s1.length !== s2.length) return s1.length > s2.length ? 1 : -1;
    }
    if (s1 !== s2) return s1 < s2 ? -1 : 1;
    one = end1;
    two = end2;
  }
  // Equal segments but different separators compare equal; otherwise whichever has characters left is newer.
  if (one >= a.length && two >= b.length) return 0;
  return one >= a.length ? -1 : 1;
}

// rpmverCmp(): epoch, version, then release, each with rpmvercmp; a present release beats a missing one.
function compareEvr(a: Evr, b: Evr): number {
  const byEpoch = rpmvercmp(a.epoch, b.epoch);
  if (byEpoch !== 0) return byEpoch;
  const byVersion = rpmvercmp(a.version, b.version);
  if (byVersion !== 0) return byVersion;
  if (a.release === undefined || b.release === undefined) {
    return a.release === b.release ? 0 : a.release === undefined ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

export const rpmVersions: VersionScheme = versionScheme('rpm', 'an RPM [epoch:]version[-release]', parse, compareEvr);
