// Opening and analysing the image a command names, the way `provenant sbom` does: registry access options,
// platform choice, a progress display on a terminal, and catalog problems reported as warnings.
import type { Digest } from '../core/digest.js';
import { analyzeImage, type ImageAnalysis } from '../analyze/image-analysis.js';
import { readRpmDatabase } from '../host/index.js';
import { imageName, openImage } from '../oci/open-image.js';
import { resolveImage } from '../oci/resolve.js';
import { withSource } from './commands/with-source.js';
import { platformOption, registryAccess, type AccessOptions } from './options.js';
import { terminalProgress } from './progress.js';
import type { Io } from './run.js';

export interface AnalyzedImage {
  analysis: ImageAnalysis;
  /** The digest of what the reference names (manifest or index), as signatures and `provenant sbom` use it. */
  digest: Digest;
  /** Repository name without tag or digest. */
  name: string;
  /** The reference as given. */
  reference: string;
}

/** Errors: those of openImage, resolveImage and analyzeImage. */
export async function analyzeImageArgument(image: string, opts: AccessOptions & { quiet?: boolean }, io: Io): Promise<AnalyzedImage> {
  return withSource(openImage(image, await registryAccess(opts, io)), async (source) => {
    const resolved = await resolveImage(source, platformOption(opts));
    const progress = terminalProgress(io.stderr, opts.quiet === true);
    const analysis = await analyzeImage(source, resolved, { rpmDatabase: readRpmDatabase, ...(progress === undefined ? {} : { progress }) });
    for (const p of analysis.problems) io.stderr.write(`warning[${p.code}]: ${p.path}: ${p.message}\n`);
    return { analysis, digest: resolved.top.digest, name: imageName(image), reference: image };
  });
}
