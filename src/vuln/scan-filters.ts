// The filters of a scan, as Trivy spells them (--severity, --ignore-unfixed) plus the one Provenant adds:
// only vulnerabilities published after an instant, usually the image's build time.
import { ProvenantError } from '../core/errors.js';
import { isUtcTimestamp } from '../formats/sbom-package.js';
import { compareModified } from './osv-load.js';
import { ascending } from '../core/order.js';
import type { ScanFinding } from './scan-findings.js';
import { compareRatings, SEVERITY_RATINGS, type SeverityRating } from './severity.js';

export interface ScanFilters {
  /** Keep only these ratings; absent: every rating. */
  readonly severities?: ReadonlySet<SeverityRating>;
  /** Keep only findings published strictly after this instant (RFC 3339 in UTC, see utcInstant). */
  readonly publishedAfter?: string;
  /** Drop findings established as affected for which no fixed version exists. */
  readonly ignoreUnfixed?: boolean;
}

/**
 * Whether `finding` survives `filters`. A finding without a published date never passes publishedAfter: it
 * cannot be shown to be newer. A finding whose version could not be compared passes ignoreUnfixed, because
 * whether a fix applies to it is unknown.
 */
export function passesFilters(finding: ScanFinding, filters: ScanFilters): boolean {
  if (filters.severities !== undefined && !filters.severities.has(finding.severity.rating)) return false;
  if (filters.publishedAfter !== undefined && (finding.published === undefined || compareModified(finding.published, filters.publishedAfter) <= 0)) return false;
  if (filters.ignoreUnfixed === true && finding.comparable && finding.fixedVersions.length === 0) return false;
  return true;
}

/**
 * Sorted for reading and for stable output: by package (name, version, purl, locations), then most severe
 * first, then vulnerability id.
 */
export function sortFindings(findings: readonly ScanFinding[]): ScanFinding[] {
  return [...findings].sort(
    (a, b) =>
      ascending(a.package.name, b.package.name) ||
      ascending(a.package.version, b.package.version) ||
      ascending(a.package.purl, b.package.purl) ||
      ascending(a.package.locations.join('\0'), b.package.locations.join('\0')) ||
      compareRatings(b.severity.rating, a.severity.rating) ||
      ascending(a.vulnerabilityId, b.vulnerabilityId),
  );
}

/** "HIGH,critical" -> {HIGH, CRITICAL}. Errors: USAGE for a name that is not a rating. */
export function parseSeverityList(text: string): Set<SeverityRating> {
  const out = new Set<SeverityRating>();
  for (const raw of text.split(',')) {
    const name = raw.trim().toUpperCase();
    if (!(SEVERITY_RATINGS as readonly string[]).includes(name)) {
      throw new ProvenantError('USAGE', `unknown severity ${JSON.stringify(raw.trim())}; use ${SEVERITY_RATINGS.join(', ')}`, { details: { severity: raw.trim() } });
    }
    out.add(name as SeverityRating);
  }
  return out;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const OFFSET_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An instant in the form OSV timestamps have (RFC 3339, UTC, "Z"), so that it orders against them exactly:
 * a date is its midnight UTC, a UTC timestamp is kept as written, an offset is converted to UTC (milliseconds).
 * Undefined when `text` is none of these.
 */
export function utcInstant(text: string): string | undefined {
  const date = DATE_RE.exec(text);
  if (date !== null) {
    const at = `${text}T00:00:00Z`;
    return isUtcTimestamp(at) ? at : undefined;
  }
  // Date.parse reads RFC 3339 offsets only with an upper-case "T" and "Z".
  const upper = text.toUpperCase();
  if (isUtcTimestamp(text)) return text;
  if (!OFFSET_RE.test(upper)) return undefined;
  // Date.parse rolls an impossible day over ("02-30" becomes March 1st): the calendar date must exist as written.
  if (!isUtcTimestamp(`${upper.slice(0, 10)}T00:00:00Z`)) return undefined;
  const ms = Date.parse(upper);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
