// `provenant scan`: known vulnerabilities (OSV advisories) in the packages of an image or an SBOM, with Trivy's
// filters and exit status: --exit-code N only when a finding survives every filter.
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { sha256Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import type { AttributedPackage, LayerRef } from '../../formats/sbom-package.js';
import { loadOsv } from '../../vuln/osv-load.js';
import type { DistroRelease } from '../../vuln/package-ecosystem.js';
import { parseSeverityList, utcInstant, type ScanFilters } from '../../vuln/scan-filters.js';
import { scanData, type NotScanned } from '../../vuln/scan-findings.js';
import { buildScanReport, type ScanReport, type ScanTarget } from '../../vuln/scan-report.js';
import { scanSarif } from '../../vuln/scan-sarif.js';
import { formatScanTable } from '../../vuln/scan-table.js';
import { readSbom, SBOM_LIMITS } from '../../vuln/sbom-read.js';
import { analyzeImageArgument } from '../analyzed-image.js';
import { readInputFile, writeOutputFile } from '../files.js';
import { addAccessOptions, type AccessOptions } from '../options.js';
import { osvSourceOf } from '../osv-source.js';
import { PROVENANT_VERSION, type Io } from '../run.js';

const FORMATS = ['table', 'json', 'sarif'] as const;
type ScanFormat = (typeof FORMATS)[number];

interface ScanOptions extends AccessOptions {
  db: string;
  severity?: string;
  exitCode: string;
  publishedAfter?: string;
  ignoreUnfixed?: boolean;
  format: string;
  output?: string;
  quiet?: boolean;
}

/** What was scanned, reduced to what the report needs. */
interface ScanInput {
  target: ScanTarget;
  packages: readonly AttributedPackage[];
  release?: DistroRelease;
  buildDate?: { at: string; from: 'image-config' | 'sbom' };
  notScanned: readonly NotScanned[];
}

/**
 * Ends the run with the status --exit-code asked for. runCli takes a command's exit status from the error's
 * exitCode, so this one error carries the user's number instead of its code's family status.
 */
class ScanFindingsFailure extends ProvenantError {
  constructor(
    private readonly exitStatus: number,
    findings: number,
  ) {
    super('SCAN_FINDINGS', `${findings} finding(s) survived the filters (--exit-code ${exitStatus})`, { details: { findings, exitCode: exitStatus } });
  }

  override get exitCode(): number {
    return this.exitStatus;
  }
}

export function installScan(program: Command, io: Io): void {
  addAccessOptions(
    program
      .command('scan')
      .description('find known vulnerabilities (OSV advisories) in the packages of an image or an SBOM')
      .argument('<target>', 'an SBOM file (CycloneDX or SPDX JSON), or an image: registry reference, oci:DIR[:TAG], docker-archive:FILE[:REF]')
      .requiredOption('--db <path>', 'OSV advisories: a directory of OSV JSON files, an NDJSON file or an osv.dev all.zip')
      .option('--severity <list>', 'report only these severities, comma-separated (UNKNOWN,NONE,LOW,MEDIUM,HIGH,CRITICAL)')
      .option('--exit-code <n>', 'exit with status N when at least one finding survives the filters', '0')
      .option('--published-after <when>', 'only vulnerabilities published after "build" (the build time), YYYY-MM-DD or an RFC 3339 time')
      .option('--ignore-unfixed', 'leave out vulnerabilities that have no fixed version')
      .option('--format <format>', FORMATS.join('|'), 'table')
      .option('--output <file>', 'write the report to FILE (replacing it) instead of stdout')
      .option('-q, --quiet', 'no progress display'),
  ).action(async (targetArg: string, opts: ScanOptions) => {
    if (!FORMATS.includes(opts.format as ScanFormat)) throw new ProvenantError('USAGE', `--format must be one of ${FORMATS.join(', ')}`);
    const format = opts.format as ScanFormat;
    if (!/^\d{1,3}$/.test(opts.exitCode) || Number(opts.exitCode) > 255) throw new ProvenantError('USAGE', '--exit-code must be an integer from 0 to 255');
    const exitCode = Number(opts.exitCode);
    const severities = opts.severity === undefined ? undefined : parseSeverityList(opts.severity);
    const after = opts.publishedAfter === undefined ? undefined : publishedAfterOption(opts.publishedAfter);

    const source = await osvSourceOf(opts.db, '--db');
    const target = (await isRegularFile(targetArg)) ? await sbomInput(targetArg) : await imageInput(targetArg, opts, io);
    const dataset = await loadOsv(source);
    const loadedAt = new Date().toISOString();

    let publishedAfter: string | undefined;
    if (after === 'build') {
      if (target.buildDate === undefined) {
        throw new ProvenantError('USAGE', `--published-after build: ${targetArg} records no build time (image config "created", SBOM creation time); give a date`);
      }
      publishedAfter = target.buildDate.at;
    } else {
      publishedAfter = after;
    }
    const filters: ScanFilters = {
      ...(severities === undefined ? {} : { severities }),
      ...(publishedAfter === undefined ? {} : { publishedAfter }),
      ...(opts.ignoreUnfixed === true ? { ignoreUnfixed: true } : {}),
    };
    const report = buildScanReport({
      toolVersion: PROVENANT_VERSION,
      createdAt: new Date().toISOString(),
      target: target.target,
      packages: target.packages,
      ...(target.release === undefined ? {} : { release: target.release }),
      ...(target.buildDate === undefined ? {} : { buildDate: target.buildDate }),
      dataset: dataset.identity,
      loadedAt,
      data: scanData(dataset.advisories),
      filters,
      ...(after === undefined ? {} : { publishedAfterFrom: after === 'build' ? 'build' : 'date' }),
      notScanned: target.notScanned,
    });
    const text = render(report, format);
    if (opts.output === undefined) io.stdout.write(text);
    else await writeOutputFile(opts.output, text, { overwrite: true });
    if (exitCode !== 0 && report.findings.length > 0) throw new ScanFindingsFailure(exitCode, report.findings.length);
  });
}

function render(report: ScanReport, format: ScanFormat): string {
  switch (format) {
    case 'table':
      return formatScanTable(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(scanSarif(report), null, 2)}\n`;
  }
}

/** "build", or an instant. Errors: USAGE. */
function publishedAfterOption(value: string): 'build' | string {
  if (value === 'build') return value;
  const at = utcInstant(value);
  if (at === undefined) throw new ProvenantError('USAGE', `--published-after must be "build", YYYY-MM-DD or an RFC 3339 time, not ${JSON.stringify(value)}`);
  return at;
}

async function isRegularFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}



async function sbomInput(path: string): Promise<ScanInput> {
  const bytes = await readInputFile(path, 'SBOM', SBOM_LIMITS.maxLength);
  const sbom = readSbom(bytes, `SBOM ${path}`);
  const created = sbom.created === undefined ? undefined : utcInstant(sbom.created);
  return {
    target: {
      kind: 'sbom',
      path,
      digest: sha256Digest(bytes),
      format: sbom.format,
      specVersion: sbom.specVersion,
      ...(sbom.subject === undefined ? {} : { describes: sbom.subject }),
    },
    packages: sbom.packages,
    ...(sbom.release === undefined ? {} : { release: sbom.release }),
    ...(created === undefined ? {} : { buildDate: { at: created, from: 'sbom' as const } }),
    notScanned: sbom.notScanned,
  };
}

async function imageInput(reference: string, opts: ScanOptions, io: Io): Promise<ScanInput> {
  const { analysis, digest, name } = await analyzeImageArgument(reference, opts, io);
  const packages = analysis.packages.map((pkg): AttributedPackage => {
    const index = analysis.introducedBy.get(pkg.purl);
    const layer = index === undefined ? undefined : analysis.layers[index];
    const ref: LayerRef | undefined = layer === undefined ? undefined : { index: layer.index, digest: layer.descriptor.digest };
    return ref === undefined ? { package: pkg } : { package: pkg, layer: ref };
  });
  const os = analysis.osRelease;
  const created = analysis.config.created === undefined ? undefined : utcInstant(analysis.config.created);
  return {
    target: { kind: 'image', reference, name, digest },
    packages,
    ...(os === undefined ? {} : { release: { distro: os.id, ...(os.versionId === undefined ? {} : { versionId: os.versionId }) } }),
    ...(created === undefined ? {} : { buildDate: { at: created, from: 'image-config' as const } }),
    notScanned: [],
  };
}
