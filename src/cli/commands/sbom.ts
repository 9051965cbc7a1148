// `provenant sbom`: the image's packages as CycloneDX 1.6, SPDX 2.3 or a table, without signing anything.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { analyzeImage } from '../../analyze/image-analysis.js';
import { sbomDocument } from '../../attest/provenance.js';
import { ProvenantError } from '../../core/errors.js';
import { readRpmDatabase } from '../../host/index.js';
import { imageName, openImage } from '../../oci/open-image.js';
import { resolveImage } from '../../oci/resolve.js';
import { addAccessOptions, platformOption, registryAccess, type AccessOptions } from '../options.js';
import { terminalProgress } from '../progress.js';
import { PROVENANT_VERSION, printJson, type Io } from '../run.js';
import { withSource } from './with-source.js';

const FORMATS = ['cyclonedx-json', 'spdx-json', 'table'] as const;
type SbomFormat = (typeof FORMATS)[number];

export function installSbom(program: Command, io: Io): void {
  addAccessOptions(
    program
      .command('sbom')
      .description('list the packages of an image, with the layer that introduced each')
      .argument('<image>', 'registry reference, oci:DIR[:TAG] or docker-archive:FILE[:REF]')
      .option('--format <format>', FORMATS.join('|'), 'table')
      .option('-q, --quiet', 'no progress display'),
  ).action(async (image: string, opts: AccessOptions & { format: string; quiet?: boolean }) => {
    if (!FORMATS.includes(opts.format as SbomFormat)) throw new ProvenantError('USAGE', `--format must be one of ${FORMATS.join(', ')}`);
    const format = opts.format as SbomFormat;
    await withSource(openImage(image, await registryAccess(opts, io)), async (source) => {
      const resolved = await resolveImage(source, platformOption(opts));
      const progress = terminalProgress(io.stderr, opts.quiet === true);
      const analysis = await analyzeImage(source, resolved, { rpmDatabase: readRpmDatabase, ...(progress === undefined ? {} : { progress }) });
      for (const p of analysis.problems) io.stderr.write(`warning[${p.code}]: ${p.path}: ${p.message}\n`);
      const now = new Date();
      const input = {
        analysis,
        imageName: imageName(image),
        imageReference: image,
        digest: resolved.top.digest,
        buildEnvironment: {},
        builderId: 'https://provenant.dev/builders/cli/v1',
        toolVersion: PROVENANT_VERSION,
        startedOn: now,
        finishedOn: now,
        uuid: randomUUID(),
      };
      switch (format) {
        case 'cyclonedx-json':
          printJson(io, sbomDocument('cyclonedx', input).predicate);
          return;
        case 'spdx-json':
          printJson(io, sbomDocument('spdx', input).predicate);
          return;
        case 'table': {
          const rows = [...analysis.packages]
            .sort((a, b) => a.ecosystem.localeCompare(b.ecosystem) || a.name.localeCompare(b.name))
            .map((p) => [p.name, p.version, p.ecosystem, String((analysis.introducedBy.get(p.purl) ?? -1) + 1)]);
          const table = [['NAME', 'VERSION', 'TYPE', 'LAYER'], ...rows];
          const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
          for (const row of table) io.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
          return;
        }
      }
    });
  });
}
