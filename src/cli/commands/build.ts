// `provenant build`: analyse every layer of an image and emit signed SLSA provenance, the per-layer
// predicate and CycloneDX / SPDX SBOMs; `--out` writes them, `--push` attaches them to the image.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildEnvironment } from '../../analyze/environment/index.js';
import { analyzeImage } from '../../analyze/image-analysis.js';
import { attachAttestation, signAttestation, type AttachMode } from '../../attest/attestations.js';
import { provenanceDocuments, type ProvenanceKind } from '../../attest/provenance.js';
import { ProvenantError } from '../../core/errors.js';
import { parseJsonObject, type JsonObject } from '../../core/json.js';
import { envelopeToJson } from '../../formats/index.js';
import { collectHostFacts, readRpmDatabase } from '../../host/index.js';
import { imageName, isArtifactRepository, openImage } from '../../oci/open-image.js';
import { parseImageReference } from '../../oci/reference.js';
import { resolveImage } from '../../oci/resolve.js';
import { readInputFile, writeOutputFile } from '../files.js';
import { addAccessOptions, collect, loadSignerFile, platformOption, registryAccess, type AccessOptions } from '../options.js';
import { terminalProgress } from '../progress.js';
import { PROVENANT_VERSION, printJson, type Io } from '../run.js';
import { withSource } from './with-source.js';

const FILE_NAMES: Record<ProvenanceKind, string> = {
  slsa: 'provenance.slsa',
  layers: 'layers',
  cyclonedx: 'sbom.cdx',
  spdx: 'sbom.spdx',
};
const DEFAULT_BUILDER = 'https://provenant.dev/builders/cli/v1';

interface BuildOptions extends AccessOptions {
  key: string;
  push?: boolean;
  out?: string;
  attach: string;
  builderId: string;
  sourceUri?: string;
  sourceDigest?: string;
  baseImage?: string;
  env?: string[];
  buildEnv?: string;
  quiet?: boolean;
}

export function installBuild(program: Command, io: Io): void {
  addAccessOptions(
    program
      .command('build')
      .description('analyse every layer of an image and emit signed provenance and SBOMs')
      .argument('<image>', 'registry reference, oci:DIR[:TAG] or docker-archive:FILE[:REF]')
      .requiredOption('--key <file>', 'private key that signs the statements')
      .option('--push', 'attach the signed statements to the image (registry or OCI layout)')
      .option('--out <dir>', 'write the signed envelopes and the SBOMs into this directory')
      .option('--attach <mode>', 'with --push: legacy (.att tag), referrers or both', 'both')
      .option('--builder-id <uri>', 'SLSA builder.id', DEFAULT_BUILDER)
      .option('--source-uri <uri>', 'the source the image was built from (e.g. git+https://host/repo)')
      .option('--source-digest <sha>', 'its revision: a git commit (40 or 64 hex) or ALG:HEX')
      .option('--base-image <ref@digest>', 'the image the build started FROM (default: the OCI base annotations)')
      .option('--env <name>', 'record this environment variable in clear (repeatable; secrets are refused)', collect)
      .option('--build-env <file>', 'a JSON object of extra build facts to record')
      .option('-q, --quiet', 'no progress display'),
  ).action(async (image: string, opts: BuildOptions) => {
    if (opts.push !== true && opts.out === undefined) throw new ProvenantError('USAGE', 'give --out DIR, --push, or both');
    const attach = opts.attach as AttachMode;
    if (!['legacy', 'referrers', 'both'].includes(attach)) throw new ProvenantError('USAGE', '--attach must be legacy, referrers or both');
    const signer = await loadSignerFile(opts.key, io);
    const extra = opts.buildEnv === undefined ? undefined : parseJsonObject(await readInputFile(opts.buildEnv, 'build environment file', 1024 * 1024), opts.buildEnv);
    const startedOn = new Date();
    const environment = buildEnvironment(await collectHostFacts({ env: io.env }), {
      salt: randomBytes(32),
      allowInClear: opts.env ?? [],
      ...(extra === undefined ? {} : { extra }),
      builderId: opts.builderId,
      ...(opts.sourceUri === undefined ? {} : { sourceUri: opts.sourceUri }),
      ...(opts.sourceDigest === undefined ? {} : { sourceDigest: sourceDigest(opts.sourceDigest) }),
    });

    await withSource(openImage(image, await registryAccess(opts, io)), async (source) => {
      if (opts.push === true && !isArtifactRepository(source)) {
        throw new ProvenantError('SOURCE_UNSUPPORTED', `${source.describe()} is read-only; --push needs a registry or an OCI layout`);
      }
      const resolved = await resolveImage(source, platformOption(opts));
      const progress = terminalProgress(io.stderr, opts.quiet === true);
      const analysis = await analyzeImage(source, resolved, { rpmDatabase: readRpmDatabase, ...(progress === undefined ? {} : { progress }) });
      const documents = provenanceDocuments({
        analysis,
        imageName: imageName(image),
        imageReference: image,
        digest: resolved.top.digest,
        ...tagOf(image),
        buildEnvironment: environment as JsonObject,
        builderId: opts.builderId,
        toolVersion: PROVENANT_VERSION,
        ...(environment.source?.uri === undefined ? {} : { source: { uri: environment.source.uri, ...(environment.source.digest === undefined ? {} : { digest: environment.source.digest }) } }),
        ...(opts.baseImage === undefined ? baseImageOf(resolved.manifest.annotations) : { baseImage: baseImageOption(opts.baseImage) }),
        startedOn,
        finishedOn: new Date(),
        uuid: randomUUID(),
      });
      if (opts.out !== undefined) await mkdir(opts.out, { recursive: true });
      const written: Array<Record<string, unknown>> = [];
      for (const doc of documents) {
        const signed = await signAttestation({ subject: resolved.top, subjectName: imageName(image), signer, predicateType: doc.predicateType, predicate: doc.predicate });
        const record: Record<string, unknown> = { kind: doc.kind, predicateType: doc.predicateType };
        if (opts.out !== undefined) {
          record.envelope = join(opts.out, `${FILE_NAMES[doc.kind]}.dsse.json`);
          await writeOutputFile(record.envelope as string, `${envelopeToJson(signed.envelope)}\n`, { overwrite: true });
          if (doc.kind === 'cyclonedx' || doc.kind === 'spdx') {
            record.document = join(opts.out, `${FILE_NAMES[doc.kind]}.json`);
            await writeOutputFile(record.document as string, `${JSON.stringify(doc.predicate, null, 2)}\n`, { overwrite: true });
          }
        }
        if (opts.push === true && isArtifactRepository(source)) Object.assign(record, await attachAttestation(source, resolved.top, signed, attach));
        written.push(record);
      }
      for (const p of analysis.problems) io.stderr.write(`warning[${p.code}]: ${p.path}: ${p.message}\n`);
      printJson(io, {
        digest: resolved.top.digest,
        layers: analysis.layers.map((l) => ({
          digest: l.descriptor.digest,
          createdBy: l.createdBy,
          fileTreeHash: l.fileTreeHash,
          added: l.packages.added.length,
          upgraded: l.packages.upgraded.length,
          removed: l.packages.removed.length,
        })),
        packages: analysis.packages.length,
        statements: written,
      });
    });
  });
}

function sourceDigest(value: string): Record<string, string> {
  if (/^[0-9a-f]{40}$/.test(value) || /^[0-9a-f]{64}$/.test(value)) return { gitCommit: value };
  const m = /^([a-z0-9]+):([0-9a-f]{8,128})$/.exec(value);
  if (m === null) throw new ProvenantError('USAGE', `--source-digest ${JSON.stringify(value)} is neither a git commit nor ALG:HEX`);
  return { [m[1]!]: m[2]! };
}

function tagOf(image: string): { tag?: string } {
  if (image.startsWith('oci:') || image.startsWith('docker-archive:')) return {};
  const tag = parseImageReference(image.replace(/^docker:\/\//, '')).tag;
  return tag === undefined ? {} : { tag };
}

function baseImageOption(value: string): { reference: string; digest: `sha256:${string}` } {
  const ref = parseImageReference(value.replace(/^docker:\/\//, ''));
  if (ref.digest === undefined) throw new ProvenantError('USAGE', `--base-image must pin a digest (NAME@sha256:...), got ${JSON.stringify(value)}`);
  return { reference: ref.tag === undefined ? ref.name : `${ref.name}:${ref.tag}`, digest: ref.digest };
}

/** The base image named by the OCI annotations (image-spec annotations.md), if both are present and well formed. */
function baseImageOf(annotations: Record<string, string> | undefined): { baseImage?: { reference: string; digest: `sha256:${string}` } } {
  const name = annotations?.['org.opencontainers.image.base.name'];
  const digest = annotations?.['org.opencontainers.image.base.digest'];
  if (name === undefined || digest === undefined || !/^sha256:[0-9a-f]{64}$/.test(digest)) return {};
  return { baseImage: { reference: name, digest: digest as `sha256:${string}` } };
}
