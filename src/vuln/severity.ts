// The severity of an advisory, computed rather than copied: CVSS v3.0/v3.1 base scores from the vector (FIRST
// CVSS v3.1 Specification, section 7 and Appendix A), CVSS v2 base scores (CVSS v2 Guide, section 3.2.1), then
// the ratings databases and distributions assign themselves. Every result names the source it came from and
// the sources that were present but unusable, so a report can say why a finding has the severity it has.
import { ProvenantError } from '../core/errors.js';
import type { Advisory, Severity } from './osv-record.js';

/** Ascending. NONE is CVSS 0.0; UNKNOWN means no source gave a rating. */
export type SeverityRating = 'UNKNOWN' | 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
export const SEVERITY_RATINGS: readonly SeverityRating[] = ['UNKNOWN', 'NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

export type CvssVersion = '2.0' | '3.0' | '3.1';

export interface CvssScore {
  readonly version: CvssVersion;
  /** The base score, 0.0 to 10.0 in steps of 0.1. */
  readonly score: number;
  readonly rating: SeverityRating;
}

/** Where a rating came from, in the order they are tried. */
export type SeveritySource = 'cvss-affected' | 'cvss-record' | 'ghsa-database' | 'distribution' | 'none';

export interface IgnoredSeverity {
  readonly source: SeveritySource;
  /** The vector or rating text as the record wrote it. */
  readonly value: string;
  readonly reason: string;
}

export interface AdvisorySeverity {
  readonly rating: SeverityRating;
  /** The CVSS base score, when the rating came from a vector. */
  readonly score?: number;
  readonly source: SeveritySource;
  /** The vector or rating text the rating was derived from; absent for source "none". */
  readonly value?: string;
  readonly cvssVersion?: CvssVersion;
  /** Sources present in the record that could not be used, in the order they were tried. */
  readonly ignored: readonly IgnoredSeverity[];
}

type Metrics = Readonly<Record<string, readonly string[]>>;

// Table 15 of the v3.1 specification; v3.0 has the same metrics and values.
const V3_BASE: Metrics = { AV: ['N', 'A', 'L', 'P'], AC: ['L', 'H'], PR: ['N', 'L', 'H'], UI: ['N', 'R'], S: ['U', 'C'], C: ['H', 'L', 'N'], I: ['H', 'L', 'N'], A: ['H', 'L', 'N'] };
const V3_OPTIONAL: Metrics = {
  E: ['X', 'H', 'F', 'P', 'U'],
  RL: ['X', 'U', 'W', 'T', 'O'],
  RC: ['X', 'C', 'R', 'U'],
  CR: ['X', 'H', 'M', 'L'],
  IR: ['X', 'H', 'M', 'L'],
  AR: ['X', 'H', 'M', 'L'],
  MAV: ['X', 'N', 'A', 'L', 'P'],
  MAC: ['X', 'L', 'H'],
  MPR: ['X', 'N', 'L', 'H'],
  MUI: ['X', 'N', 'R'],
  MS: ['X', 'U', 'C'],
  MC: ['X', 'N', 'L', 'H'],
  MI: ['X', 'N', 'L', 'H'],
  MA: ['X', 'N', 'L', 'H'],
};
// CVSS v2 Guide, section 2.4 (Table 13).
const V2_BASE: Metrics = { AV: ['L', 'A', 'N'], AC: ['H', 'M', 'L'], Au: ['M', 'S', 'N'], C: ['N', 'P', 'C'], I: ['N', 'P', 'C'], A: ['N', 'P', 'C'] };
const V2_OPTIONAL: Metrics = {
  E: ['U', 'POC', 'F', 'H', 'ND'],
  RL: ['OF', 'TF', 'W', 'U', 'ND'],
  RC: ['UC', 'UR', 'C', 'ND'],
  CDP: ['N', 'L', 'LM', 'MH', 'H', 'ND'],
  TD: ['N', 'L', 'M', 'H', 'ND'],
  CR: ['L', 'M', 'H', 'ND'],
  IR: ['L', 'M', 'H', 'ND'],
  AR: ['L', 'M', 'H', 'ND'],
};

/**
 * Reads a vector into metric -> value. Section 6 of v3.1: metrics in any order, each at most once, every base
 * metric present; the v2 guide's vectors follow the same rules in this reading. Errors: CVSS_MALFORMED.
 */
function parseVector(vector: string, body: string, base: Metrics, optional: Metrics): Map<string, string> {
  const values = new Map<string, string>();
  for (const part of body.split('/')) {
    const colon = part.indexOf(':');
    const metric = colon < 0 ? part : part.slice(0, colon);
    const value = colon < 0 ? '' : part.slice(colon + 1);
    const allowed = Object.hasOwn(base, metric) ? base[metric] : Object.hasOwn(optional, metric) ? optional[metric] : undefined;
    if (allowed === undefined) malformed(vector, `unknown metric ${JSON.stringify(metric)}`);
    if (!allowed.includes(value)) malformed(vector, `${metric} has no value ${JSON.stringify(value)}`);
    if (values.has(metric)) malformed(vector, `${metric} appears twice`);
    values.set(metric, value);
  }
  for (const metric of Object.keys(base)) if (!values.has(metric)) malformed(vector, `the base metric ${metric} is missing`);
  return values;
}

const V3_WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  CIA: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** CVSS v3.0 or v3.1 base score of a vector "CVSS:3.x/AV:.../...". Errors: CVSS_MALFORMED. */
export function cvss3BaseScore(vector: string): CvssScore {
  const m = /^CVSS:(3\.[01])\/(.*)$/.exec(vector);
  if (m === null) malformed(vector, 'a CVSS v3 vector starts with "CVSS:3.0/" or "CVSS:3.1/"');
  const version = m[1] as '3.0' | '3.1';
  const v = parseVector(vector, m[2]!, V3_BASE, V3_OPTIONAL);
  const get = (metric: string): string => v.get(metric)!;
  const changed = get('S') === 'C';
  // Section 7.4: Privileges Required weighs more when the scope changes.
  const pr = { N: 0.85, L: changed ? 0.68 : 0.62, H: changed ? 0.5 : 0.27 }[get('PR') as 'N' | 'L' | 'H'];
  const cia = (metric: string): number => V3_WEIGHTS.CIA[get(metric) as 'H' | 'L' | 'N'];
  // Section 7.1.
  const iss = 1 - (1 - cia('C')) * (1 - cia('I')) * (1 - cia('A'));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability =
    8.22 * V3_WEIGHTS.AV[get('AV') as 'N' | 'A' | 'L' | 'P'] * V3_WEIGHTS.AC[get('AC') as 'L' | 'H'] * pr * V3_WEIGHTS.UI[get('UI') as 'N' | 'R'];
  const score = impact <= 0 ? 0 : roundUp(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
  return { version, score, rating: cvss3Rating(score) };
}

/**
 * Roundup as Appendix A of v3.1 defines it, working on an integer to avoid floating point artefacts. v3.0 defines
 * Roundup as "the smallest number, specified to one decimal place, that is equal to or higher than its input";
 * Appendix A's function is that definition made exact, so it serves both versions.
 */
function roundUp(input: number): number {
  const intInput = Math.round(input * 100_000);
  return intInput % 10_000 === 0 ? intInput / 100_000 : (Math.floor(intInput / 10_000) + 1) / 10;
}

/** Qualitative Severity Rating Scale, v3.1 section 5 (Table 14). */
export function cvss3Rating(score: number): SeverityRating {
  if (score === 0) return 'NONE';
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  if (score < 9) return 'HIGH';
  return 'CRITICAL';
}

const V2_WEIGHTS = {
  AV: { L: 0.395, A: 0.646, N: 1 },
  AC: { H: 0.35, M: 0.61, L: 0.71 },
  Au: { M: 0.45, S: 0.56, N: 0.704 },
  CIA: { N: 0, P: 0.275, C: 0.66 },
} as const;

/** CVSS v2 base score of a vector "AV:N/AC:L/Au:N/C:P/I:P/A:P" (v2 Guide 3.2.1). Errors: CVSS_MALFORMED. */
export function cvss2BaseScore(vector: string): CvssScore {
  const v = parseVector(vector, vector, V2_BASE, V2_OPTIONAL);
  const get = (metric: string): string => v.get(metric)!;
  const cia = (metric: string): number => V2_WEIGHTS.CIA[get(metric) as 'N' | 'P' | 'C'];
  const impact = 10.41 * (1 - (1 - cia('C')) * (1 - cia('I')) * (1 - cia('A')));
  const exploitability = 20 * V2_WEIGHTS.AV[get('AV') as 'L' | 'A' | 'N'] * V2_WEIGHTS.AC[get('AC') as 'H' | 'M' | 'L'] * V2_WEIGHTS.Au[get('Au') as 'M' | 'S' | 'N'];
  const f = impact === 0 ? 0 : 1.176;
  const score = roundHalfUp((0.6 * impact + 0.4 * exploitability - 1.5) * f);
  return { version: '2.0', score, rating: cvss2Rating(score) };
}

/**
 * round_to_1_decimal of the v2 guide, halves rounding up. The products above carry at most 10 significant
 * decimals, so rounding the value to 9 decimals first removes binary floating point error before the half test.
 */
function roundHalfUp(value: number): number {
  const exact = Math.round(value * 1e9) / 1e9;
  return Math.max(0, Math.floor(exact * 10 + 0.5 + 1e-9) / 10);
}

/** The v2 guide defines no ratings; these are NVD's v2 bands (Low 0.0-3.9, Medium 4.0-6.9, High 7.0-10.0). */
export function cvss2Rating(score: number): SeverityRating {
  if (score < 4) return 'LOW';
  if (score < 7) return 'MEDIUM';
  return 'HIGH';
}

// GitHub Advisory Database severities (database_specific.severity); MODERATE is GitHub's name for medium.
const GHSA_RATINGS: ReadonlyMap<string, SeverityRating> = new Map([
  ['LOW', 'LOW'],
  ['MODERATE', 'MEDIUM'],
  ['MEDIUM', 'MEDIUM'],
  ['HIGH', 'HIGH'],
  ['CRITICAL', 'CRITICAL'],
]);

// Debian security tracker urgencies (ecosystem_specific.urgency in Debian's OSV records) and Ubuntu priorities
// (severity type "Ubuntu"). "unimportant" and "negligible" mean the distribution judged the issue to need no
// security update: rated LOW, as the finding still exists. The two urgencies below them carry no rating.
const DISTRIBUTION_RATINGS: ReadonlyMap<string, SeverityRating> = new Map([
  ['unimportant', 'LOW'],
  ['negligible', 'LOW'],
  ['low', 'LOW'],
  ['medium', 'MEDIUM'],
  ['high', 'HIGH'],
  ['critical', 'CRITICAL'],
]);
const DISTRIBUTION_UNRATED: ReadonlyMap<string, string> = new Map([
  ['not yet assigned', 'the distribution has not rated it yet'],
  ['end-of-life', 'the release is past its support, so the distribution rates nothing'],
]);

/**
 * The severity of `advisory`, for the package of `affected[affectedIndex]` when given. Sources in order: that
 * entry's CVSS vectors, the record's CVSS vectors (v3.1/v3.0 before v2 within each list), GHSA's
 * database_specific.severity, then the distribution's rating (that entry's Debian urgency, an "Ubuntu" severity).
 * A vector that does not parse, or a CVSS v4 vector (not scored here), is listed in `ignored` and the next source
 * is tried. Never throws.
 */
export function advisorySeverity(advisory: Advisory, affectedIndex?: number): AdvisorySeverity {
  const ignored: IgnoredSeverity[] = [];
  const entry = affectedIndex === undefined ? undefined : advisory.affected[affectedIndex];
  const fromCvss = (list: readonly Severity[], source: SeveritySource): AdvisorySeverity | undefined => {
    for (const severity of cvssInOrder(list)) {
      try {
        const cvss = severity.type === 'CVSS_V2' ? cvss2BaseScore(severity.score) : cvss3BaseScore(severity.score);
        return { rating: cvss.rating, score: cvss.score, source, value: severity.score, cvssVersion: cvss.version, ignored };
      } catch (e) {
        if (!(e instanceof ProvenantError)) throw e;
        ignored.push({ source, value: severity.score, reason: e.message });
      }
    }
    for (const severity of list) {
      if (severity.type === 'CVSS_V4') ignored.push({ source, value: severity.score, reason: 'CVSS v4 vectors are not scored' });
    }
    return undefined;
  };
  const found = (entry === undefined ? undefined : fromCvss(entry.severity, 'cvss-affected')) ?? fromCvss(advisory.severity, 'cvss-record');
  if (found !== undefined) return found;

  if (advisory.databaseSeverity !== undefined) {
    const rating = GHSA_RATINGS.get(advisory.databaseSeverity.toUpperCase());
    if (rating !== undefined) return { rating, source: 'ghsa-database', value: advisory.databaseSeverity, ignored };
    ignored.push({ source: 'ghsa-database', value: advisory.databaseSeverity, reason: 'not a GitHub advisory severity' });
  }

  const distribution = [
    ...(entry?.distroSeverity === undefined ? [] : [entry.distroSeverity]),
    ...[...(entry?.severity ?? []), ...advisory.severity].filter((s) => s.type === 'Ubuntu').map((s) => s.score),
  ];
  for (const value of distribution) {
    // The tracker marks some urgencies with trailing asterisks ("low**") for ratings set by hand.
    const key = value.replace(/\*+$/, '').trim().toLowerCase();
    const rating = DISTRIBUTION_RATINGS.get(key);
    if (rating !== undefined) return { rating, source: 'distribution', value, ignored };
    ignored.push({ source: 'distribution', value, reason: DISTRIBUTION_UNRATED.get(key) ?? 'not a known distribution rating' });
  }
  return { rating: 'UNKNOWN', source: 'none', ignored };
}

function cvssInOrder(list: readonly Severity[]): Severity[] {
  return [...list.filter((s) => s.type === 'CVSS_V3'), ...list.filter((s) => s.type === 'CVSS_V2')];
}

/** Orders ratings: negative when `a` is less severe than `b`. */
export function compareRatings(a: SeverityRating, b: SeverityRating): number {
  return SEVERITY_RATINGS.indexOf(a) - SEVERITY_RATINGS.indexOf(b);
}

function malformed(vector: string, reason: string): never {
  throw new ProvenantError('CVSS_MALFORMED', `CVSS vector ${JSON.stringify(vector.slice(0, 200))}: ${reason}`, { details: { reason } });
}
