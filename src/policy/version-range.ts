// Version ranges in policies, ordered by the package's own ecosystem (src/vuln/versions/). Two notations, the
// ones users of npm and Maven write:
//   comparators   "<3.0.7"   ">=2.0 <2.17.1"   "=1.2.3"   "1.2.3"   "<1.0 || >=2.0 <2.1"   "*"
//   intervals     "[2.0,2.17.1)"   "(,1.0]"   "[1.5,)"   "[1.0]"   "[1.0,2.0),[3.0,)"   (Maven's version ranges)
// A version the scheme cannot order is reported as not comparable, never as outside the range.
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { versionSchemeFor, type VersionScheme } from '../vuln/versions/index.js';

export const MAX_RANGE_LENGTH = 512;

/** Catalog ecosystems (as in package facts) and OSV ecosystem names to the OSV name whose ordering applies. */
const ECOSYSTEM_NAMES: ReadonlyMap<string, string> = new Map([
  ['deb', 'Debian'],
  ['apk', 'Alpine'],
  ['rpm', 'Red Hat'],
  ['npm', 'npm'],
  ['pypi', 'PyPI'],
  ['golang', 'Go'],
  ['maven', 'Maven'],
]);

export type RangeMembership = { readonly comparable: true; readonly contains: boolean } | { readonly comparable: false; readonly reason: string };

export interface VersionRange {
  readonly text: string;
  readonly ecosystem: string;
  test(version: string): RangeMembership;
}

type Bound = { readonly version: string; readonly inclusive: boolean };
/** A conjunction of bounds; an alternative of these is the range. */
interface Interval {
  readonly lower?: Bound;
  readonly upper?: Bound;
}

/** The ordering a policy ecosystem name uses. Errors: POLICY_INVALID for an ecosystem without one. */
export function schemeForEcosystem(ecosystem: string): VersionScheme {
  try {
    return versionSchemeFor(ECOSYSTEM_NAMES.get(ecosystem) ?? ecosystem);
  } catch (e) {
    if (isProvenantError(e) && e.code === 'UNSUPPORTED') {
      throw new ProvenantError('POLICY_INVALID', `no version ordering is known for ecosystem ${JSON.stringify(ecosystem)}`, {
        details: { ecosystem },
      });
    }
    throw e;
  }
}

/** Parses a range for one ecosystem; every bound must be a valid version of it. Errors: POLICY_INVALID. */
export function parseVersionRange(text: string, ecosystem: string): VersionRange {
  const scheme = schemeForEcosystem(ecosystem);
  const bad = (problem: string): never => {
    throw new ProvenantError('POLICY_INVALID', `version range ${JSON.stringify(text)}: ${problem}`, { details: { range: text, problem } });
  };
  if (typeof text !== 'string' || text.trim() === '') bad('is empty');
  if (text.length > MAX_RANGE_LENGTH) bad(`is longer than ${MAX_RANGE_LENGTH} characters`);
  const trimmed = text.trim();
  const intervals = /^[[(]/.test(trimmed) ? parseIntervals(trimmed, bad) : parseComparators(trimmed, bad);
  for (const interval of intervals) {
    for (const bound of [interval.lower, interval.upper]) {
      if (bound !== undefined && !scheme.isValid(bound.version)) bad(`${JSON.stringify(bound.version)} is not a valid ${scheme.name} version`);
    }
  }
  return {
    text,
    ecosystem,
    test(version: string): RangeMembership {
      try {
        return { comparable: true, contains: intervals.some((i) => inInterval(scheme, version, i)) };
      } catch (e) {
        if (isProvenantError(e) && e.code === 'VERSION_INVALID') return { comparable: false, reason: `not a valid ${scheme.name} version: ${version}` };
        throw e;
      }
    },
  };
}

function inInterval(scheme: VersionScheme, version: string, { lower, upper }: Interval): boolean {
  if (lower !== undefined) {
    const c = scheme.compare(version, lower.version);
    if (c < 0 || (c === 0 && !lower.inclusive)) return false;
  }
  if (upper !== undefined) {
    const c = scheme.compare(version, upper.version);
    if (c > 0 || (c === 0 && !upper.inclusive)) return false;
  }
  // The version itself must be orderable even for an unbounded interval ("*").
  if (lower === undefined && upper === undefined) scheme.compare(version, version);
  return true;
}

function parseComparators(text: string, bad: (p: string) => never): Interval[] {
  return text.split('||').map((alternative) => {
    const parts = alternative.trim().split(/\s+/).filter((p) => p !== '');
    if (parts.length === 0) bad('has an empty alternative');
    let lower: Bound | undefined;
    let upper: Bound | undefined;
    for (const part of parts) {
      if (part === '*') continue;
      const m = /^(<=|>=|<|>|==|=)?(.+)$/.exec(part)!;
      const op = m[1] ?? '=';
      const version = m[2]!;
      if (/[<>=]/.test(version)) bad(`${JSON.stringify(part)} is not one comparator`);
      const tighten = (which: 'lower' | 'upper', bound: Bound): void => {
        if ((which === 'lower' ? lower : upper) !== undefined) bad(`has two ${which} bounds in one alternative`);
        if (which === 'lower') lower = bound;
        else upper = bound;
      };
      if (op === '<') tighten('upper', { version, inclusive: false });
      else if (op === '<=') tighten('upper', { version, inclusive: true });
      else if (op === '>') tighten('lower', { version, inclusive: false });
      else if (op === '>=') tighten('lower', { version, inclusive: true });
      else {
        tighten('lower', { version, inclusive: true });
        tighten('upper', { version, inclusive: true });
      }
    }
    return { ...(lower === undefined ? {} : { lower }), ...(upper === undefined ? {} : { upper }) };
  });
}

// Maven: "[a,b)" "(a,b]" "[a,)" "(,b]" "[a]", several joined by commas: "[1,2),[3,)".
function parseIntervals(text: string, bad: (p: string) => never): Interval[] {
  const intervals: Interval[] = [];
  const re = /\s*([[(])([^\])[(]*)([\])])\s*(,|$)/y;
  let at = 0;
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) bad(`cannot read an interval at character ${at + 1}`);
    const [, open, body, close] = m!;
    const parts = body!.split(',').map((p) => p.trim());
    if (parts.length === 1) {
      if (open !== '[' || close !== ']' || parts[0] === '') bad('a single version must be written [v]');
      intervals.push({ lower: { version: parts[0]!, inclusive: true }, upper: { version: parts[0]!, inclusive: true } });
    } else if (parts.length === 2) {
      const [lo, hi] = parts as [string, string];
      if (lo === '' && hi === '') bad('an interval needs at least one bound');
      intervals.push({
        ...(lo === '' ? {} : { lower: { version: lo, inclusive: open === '[' } }),
        ...(hi === '' ? {} : { upper: { version: hi, inclusive: close === ']' } }),
      });
    } else bad('an interval has at most two bounds');
    at = re.lastIndex;
    if (m![4] === ',' && at === text.length) bad('ends with a comma; another interval must follow it');
  }
  return intervals;
}
