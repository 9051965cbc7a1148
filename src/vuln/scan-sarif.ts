// The SARIF 2.1.0 form of a scan report (OASIS SARIF 2.1.0), shaped for GitHub code scanning: one rule per
// vulnerability id with help text and `properties.security-severity` (a numeric string GitHub maps to
// critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9), one result per finding, located at the file the
// package was read from (var/lib/dpkg/status, a package.json) or at the SBOM file.
import type { JsonObject } from '../core/json.js';
import type { ScanFinding } from './scan-findings.js';
import type { ScanReport } from './scan-report.js';
import { compareRatings, type SeverityRating } from './severity.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://provenant.dev';

/** When no CVSS score is known, a value inside GitHub's band for the rating. */
const RATING_SCORES: Readonly<Record<SeverityRating, string | undefined>> = {
  CRITICAL: '9.5',
  HIGH: '8.0',
  MEDIUM: '5.5',
  LOW: '2.0',
  NONE: '0.0',
  UNKNOWN: undefined,
};

type Level = 'error' | 'warning' | 'note';

function levelOf(rating: SeverityRating): Level {
  switch (rating) {
    case 'CRITICAL':
    case 'HIGH':
      return 'error';
    case 'MEDIUM':
      return 'warning';
    case 'LOW':
    case 'NONE':
    case 'UNKNOWN':
      return 'note';
  }
}

function securitySeverity(f: ScanFinding): string | undefined {
  return f.severity.score === undefined ? RATING_SCORES[f.severity.rating] : f.severity.score.toFixed(1);
}

export function scanSarif(report: ScanReport): JsonObject {
  const ruleIndex = new Map<string, number>();
  const byRule = new Map<string, ScanFinding[]>();
  for (const f of report.findings) {
    if (!ruleIndex.has(f.vulnerabilityId)) ruleIndex.set(f.vulnerabilityId, ruleIndex.size);
    byRule.set(f.vulnerabilityId, [...(byRule.get(f.vulnerabilityId) ?? []), f]);
  }
  const rules = [...byRule.values()].map((findings) => rule(findings));
  const results = report.findings.map((f): JsonObject => ({
    ruleId: f.vulnerabilityId,
    ruleIndex: ruleIndex.get(f.vulnerabilityId)!,
    level: levelOf(f.severity.rating),
    message: { text: resultText(f) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uriOf(f.package.locations[0] ?? (report.target.kind === 'sbom' ? report.target.path : f.package.purl)) },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
        },
        message: { text: `${f.package.name}@${f.installedVersion}` },
      },
    ],
    properties: { purl: f.package.purl, advisories: [...f.advisories], comparable: f.comparable },
  }));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'provenant', version: report.tool.version, informationUri: INFORMATION_URI, rules } },
        results,
        columnKind: 'utf16CodeUnits',
        properties: { target: targetText(report), datasetDigest: report.dataset.digest },
      },
    ],
  };
}

function rule(findings: readonly ScanFinding[]): JsonObject {
  // The rule stands for the vulnerability; its severity is that of its most severe finding.
  const worst = [...findings].sort((a, b) => compareRatings(b.severity.rating, a.severity.rating) || (b.severity.score ?? -1) - (a.severity.score ?? -1))[0]!;
  const id = worst.vulnerabilityId;
  const title = worst.title ?? id;
  const link = `https://osv.dev/vulnerability/${encodeURIComponent(worst.advisories[0] ?? id)}`;
  const severity = securitySeverity(worst);
  const aliases = worst.aliases.length === 0 ? '' : ` Also known as ${worst.aliases.join(', ')}.`;
  const rated = `Severity ${worst.severity.rating}${worst.severity.score === undefined ? '' : ` (CVSS ${worst.severity.score.toFixed(1)})`} from ${worst.severity.source}.`;
  return {
    id,
    name: 'PackageVulnerability',
    shortDescription: { text: title },
    fullDescription: { text: `${title}.${aliases}` },
    defaultConfiguration: { level: levelOf(worst.severity.rating) },
    helpUri: link,
    help: {
      text: `Vulnerability ${id}. ${rated}${aliases} Advisories: ${worst.advisories.join(', ')}. ${link}`,
      markdown: `**Vulnerability ${id}**\n\n${rated}${aliases}\n\n| Package | Installed | Fixed |\n| --- | --- | --- |\n${findings
        .map((f) => `| ${md(f.package.name)} | ${md(f.installedVersion)} | ${md(f.fixedVersions.join(', ') || 'none')} |`)
        .join('\n')}\n\n[${id}](${link})`,
    },
    properties: {
      precision: 'very-high',
      ...(severity === undefined ? {} : { 'security-severity': severity }),
      tags: ['vulnerability', 'security', worst.severity.rating],
    },
  };
}

function resultText(f: ScanFinding): string {
  return [
    `Package: ${f.package.name}`,
    `Installed Version: ${f.installedVersion}${f.comparable ? '' : ' (could not be compared with the advisory ranges)'}`,
    `Vulnerability ${f.vulnerabilityId}`,
    `Severity: ${f.severity.rating}`,
    `Fixed Version: ${f.fixedVersions.join(', ') || 'none'}`,
  ].join('\n');
}

function targetText(report: ScanReport): string {
  const t = report.target;
  switch (t.kind) {
    case 'image':
      return `${t.reference}@${t.digest}`;
    case 'sbom':
      return `${t.path} (${t.digest})`;
  }
}

/** A path as a URI reference: each segment percent-encoded, so a ":" in a first segment is not a scheme. */
function uriOf(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function md(text: string): string {
  return text.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);
}
