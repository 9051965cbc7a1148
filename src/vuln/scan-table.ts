// The table form of a scan report, laid out as Trivy's table output is: a heading naming the target, a total
// with counts by severity, then one row per finding.
import type { ScanReport } from './scan-report.js';
import { SEVERITY_RATINGS, type SeverityRating } from './severity.js';

const COLUMNS = ['PACKAGE', 'VULNERABILITY ID', 'SEVERITY', 'INSTALLED', 'FIXED', 'TITLE'] as const;
const MAX_TITLE = 80;
const NOT_COMPARABLE_MARK = ' (?)';

export function formatScanTable(report: ScanReport): string {
  const lines: string[] = [];
  const heading = `${targetName(report)}${report.osRelease === null ? '' : ` (${[report.osRelease.distro, report.osRelease.versionId].filter((s) => s !== undefined).join(' ')})`}`;
  lines.push(clean(heading), '='.repeat(Math.min(clean(heading).length, 120)));
  const shown = summaryRatings(report);
  lines.push(`Total: ${report.summary.findings} (${shown.map((r) => `${r}: ${report.summary.bySeverity[r]}`).join(', ')})`);
  if (report.findings.length > 0) {
    const rows = report.findings.map((f) => [
      f.package.name,
      f.vulnerabilityId,
      f.severity.rating,
      `${f.installedVersion}${f.comparable ? '' : NOT_COMPARABLE_MARK}`,
      f.fixedVersions.join(', '),
      shorten(f.title ?? ''),
    ]);
    const table = [[...COLUMNS], ...rows].map((row) => row.map(clean));
    const widths = COLUMNS.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    lines.push('');
    for (const row of table) lines.push(row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  }
  if (report.findings.some((f) => !f.comparable)) {
    lines.push('', `${NOT_COMPARABLE_MARK.trim()} the installed version could not be compared with the advisory's ranges: the package may be affected`);
  }
  if (report.notScanned.length > 0) lines.push('', `${report.notScanned.length} package(s) not scanned (see the JSON report's notScanned)`);
  return `${lines.join('\n')}\n`;
}

function targetName(report: ScanReport): string {
  const t = report.target;
  switch (t.kind) {
    case 'image':
      return `${t.reference} (${t.digest})`;
    case 'sbom':
      return `${t.path} (${t.format} ${t.specVersion})`;
  }
}

/** The filtered ratings when --severity was given, as Trivy does; otherwise every rating, NONE only when present. */
function summaryRatings(report: ScanReport): SeverityRating[] {
  if (report.filters.severities !== null) return [...report.filters.severities];
  return SEVERITY_RATINGS.filter((r) => r !== 'NONE' || report.summary.bySeverity.NONE > 0);
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_TITLE ? `${line.slice(0, MAX_TITLE - 1)}…` : line;
}

/** Advisory text is third-party data: control characters (terminal escapes) never reach the terminal. */
function clean(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    out += c < 0x20 || (c >= 0x7f && c < 0xa0) ? '\uFFFD' : ch;
  }
  return out;
}
