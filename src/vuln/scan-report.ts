// The report of `provenant scan`: what was scanned (an image or an SBOM, each by digest), against which advisory
// data (by its content digest, so the scan can be replayed), with which filters, and the findings that survived
// them. docs/scan.md documents every field; the JSON output is this object.
import type { Digest } from '../core/digest.js';
import type { AttributedPackage } from '../formats/sbom-package.js';
import type { OsvDatasetIdentity, OsvSourceKind } from './osv-load.js';
import type { DistroRelease } from './package-ecosystem.js';
import { passesFilters, sortFindings, type ScanFilters } from './scan-filters.js';
import { matchPackages, type NotScanned, type ScanData, type ScanFinding } from './scan-findings.js';
import type { SbomFormat } from './sbom-read.js';
import { SEVERITY_RATINGS, type SeverityRating } from './severity.js';

export const SCAN_REPORT_SCHEMA = 'https://provenant.dev/scan-report/v1';

export type ScanTarget =
  | { readonly kind: 'image'; readonly reference: string; readonly name: string; readonly digest: Digest }
  | {
      readonly kind: 'sbom';
      readonly path: string;
      /** SHA-256 of the SBOM file's bytes. */
      readonly digest: Digest;
      readonly format: SbomFormat;
      readonly specVersion: string;
      readonly describes?: { readonly name: string; readonly version?: string };
    };

export interface ScanDataset {
  readonly digest: Digest;
  readonly advisories: number;
  readonly newestModified: string | null;
  readonly source: OsvSourceKind;
  readonly loadedAt: string;
}

export interface ScanReport {
  readonly schema: typeof SCAN_REPORT_SCHEMA;
  readonly tool: { readonly name: 'provenant'; readonly version: string };
  readonly createdAt: string;
  readonly target: ScanTarget;
  readonly osRelease: DistroRelease | null;
  /** The image config's `created`, or the SBOM's creation time; what --published-after build means. */
  readonly buildDate: { readonly at: string; readonly from: 'image-config' | 'sbom' } | null;
  readonly dataset: ScanDataset;
  readonly filters: {
    readonly severities: readonly SeverityRating[] | null;
    readonly publishedAfter: string | null;
    readonly publishedAfterFrom: 'build' | 'date' | null;
    readonly ignoreUnfixed: boolean;
  };
  readonly summary: {
    readonly packages: number;
    readonly packagesNotScanned: number;
    /** Findings before the filters. */
    readonly matched: number;
    /** Findings after the filters: the length of `findings`. */
    readonly findings: number;
    readonly notComparable: number;
    readonly bySeverity: Readonly<Record<SeverityRating, number>>;
  };
  readonly findings: readonly ScanFinding[];
  readonly notScanned: readonly NotScanned[];
}

export interface ScanResult {
  /** The findings that survive the filters, sorted (sortFindings). */
  readonly findings: ScanFinding[];
  /** Findings before the filters. */
  readonly matched: number;
  readonly notScanned: NotScanned[];
}

/** Matches `packages` against the advisories of `data` and applies `filters`. Pure. */
export function scanPackages(packages: readonly AttributedPackage[], release: DistroRelease | undefined, data: ScanData, filters: ScanFilters = {}): ScanResult {
  const { findings, notScanned } = matchPackages(packages, release, data);
  return { findings: sortFindings(findings.filter((f) => passesFilters(f, filters))), matched: findings.length, notScanned };
}

export interface ScanReportInput {
  readonly toolVersion: string;
  readonly createdAt: string;
  readonly target: ScanTarget;
  readonly packages: readonly AttributedPackage[];
  readonly release?: DistroRelease;
  readonly buildDate?: ScanReport['buildDate'];
  readonly dataset: OsvDatasetIdentity;
  readonly loadedAt: string;
  readonly data: ScanData;
  readonly filters: ScanFilters;
  readonly publishedAfterFrom?: 'build' | 'date';
  /** Packages the target lists that cannot be matched (from the SBOM reader). */
  readonly notScanned?: readonly NotScanned[];
}

export function buildScanReport(input: ScanReportInput): ScanReport {
  const result = scanPackages(input.packages, input.release, input.data, input.filters);
  const notScanned = [...(input.notScanned ?? []), ...result.notScanned];
  const bySeverity = Object.fromEntries(SEVERITY_RATINGS.map((r) => [r, 0])) as Record<SeverityRating, number>;
  for (const f of result.findings) bySeverity[f.severity.rating]++;
  const { filters } = input;
  return {
    schema: SCAN_REPORT_SCHEMA,
    tool: { name: 'provenant', version: input.toolVersion },
    createdAt: input.createdAt,
    target: input.target,
    osRelease: input.release ?? null,
    buildDate: input.buildDate ?? null,
    dataset: {
      digest: input.dataset.digest,
      advisories: input.dataset.advisories,
      newestModified: input.dataset.newestModified,
      source: input.dataset.source,
      loadedAt: input.loadedAt,
    },
    filters: {
      severities: filters.severities === undefined ? null : SEVERITY_RATINGS.filter((r) => filters.severities!.has(r)),
      publishedAfter: filters.publishedAfter ?? null,
      publishedAfterFrom: filters.publishedAfter === undefined ? null : (input.publishedAfterFrom ?? 'date'),
      ignoreUnfixed: filters.ignoreUnfixed === true,
    },
    summary: {
      packages: input.packages.length + (input.notScanned?.length ?? 0),
      packagesNotScanned: notScanned.length,
      matched: result.matched,
      findings: result.findings.length,
      notComparable: result.findings.filter((f) => !f.comparable).length,
      bySeverity,
    },
    findings: result.findings,
    notScanned,
  };
}
