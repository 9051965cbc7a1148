// The layer-by-layer analysis behind `provenant build` and `provenant sbom`: every layer is walked once as
// a stream (hashing every file, keeping only package metadata), applied to a view of the root filesystem
// (whiteouts included), and the package set visible after it is compared with the one below it.
import type { Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { layerHistory, MAX_CONFIG_BYTES, parseImageConfig, type ImageConfig } from '../oci/image-config.js';
import type { ResolvedImage } from '../oci/resolve.js';
import type { Descriptor, ImageSource } from '../oci/types.js';
import { catalogAll, CATALOGERS, type CatalogProblem, type Cataloger, type OsRelease, type Package } from './catalog/index.js';
import { layerFileTreeHash } from './file-tree-hash.js';
import type { LayerEntry } from './layer-entry.js';
import type { LayerLimits } from './layer-limits.js';
import { walkLayer, type LayerSummary } from './layer-walk.js';
import { diffPackages, type PackageChanges } from './package-diff.js';
import { RootfsView } from './rootfs-view.js';

export interface LayerAnalysis {
  index: number;
  descriptor: Descriptor;
  diffID: Digest;
  createdBy: string | null;
  fileTreeHash: Digest;
  entries: number;
  uncompressedBytes: number;
  packages: PackageChanges;
}

export interface ImageAnalysis {
  config: ImageConfig;
  configDigest: Digest;
  layers: LayerAnalysis[];
  /** Every package visible in the final root filesystem. */
  packages: Package[];
  /** The layer index that last added or changed each package, by purl. */
  introducedBy: Map<string, number>;
  osRelease?: OsRelease;
  problems: CatalogProblem[];
}

export interface AnalysisProgress {
  layerStarted(index: number, total: number, descriptor: Descriptor): void;
  layerDone(index: number, summary: LayerSummary): void;
}

export interface AnalyzeOptions {
  limits?: Partial<LayerLimits>;
  catalogers?: readonly Cataloger[];
  progress?: AnalysisProgress;
}

/**
 * Catalogers that read whole files chosen by path. Go binaries are recognised by content and would mean
 * buffering every executable, so they are not part of the streaming analysis.
 */
export const LAYER_CATALOGERS: readonly Cataloger[] = CATALOGERS.filter((c) => c.sniff === undefined);

export async function analyzeImage(source: ImageSource, resolved: ResolvedImage, options: AnalyzeOptions = {}): Promise<ImageAnalysis> {
  const catalogers = options.catalogers ?? LAYER_CATALOGERS;
  const configBytes = await source.readBlob(resolved.manifest.config, MAX_CONFIG_BYTES);
  const config = parseImageConfig(configBytes);
  const history = layerHistory(config);
  const layers = resolved.manifest.layers;
  if (config.diffIds.length !== layers.length) {
    throw new ProvenantError('CONFIG_MALFORMED', `the config lists ${config.diffIds.length} diff IDs for ${layers.length} layers`);
  }

  const view = new RootfsView();
  const metadata = new Map<string, Buffer>();
  const wanted = (path: string): boolean =>
    catalogers.some((c) => c.matches(path) || c.consults?.(path) === true) || path === 'etc/os-release' || path === 'usr/lib/os-release';
  let below: Package[] = [];
  const introducedBy = new Map<string, number>();
  const out: LayerAnalysis[] = [];
  let catalog = catalogAll(metadata, undefined, catalogers);

  for (const [index, descriptor] of layers.entries()) {
    options.progress?.layerStarted(index, layers.length, descriptor);
    const entries: LayerEntry[] = [];
    const walker = walkLayer(await source.openBlob(descriptor), {
      mediaType: descriptor.mediaType,
      capture: (path) => wanted(path),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    });
    let summary: LayerSummary;
    for (;;) {
      const next = await walker.next();
      if (next.done === true) {
        summary = next.value;
        break;
      }
      const { content, ...entry } = next.value;
      entries.push(entry);
      if (content !== undefined) metadata.set(entry.path, content);
      else metadata.delete(entry.path);
    }
    if (summary.diffId !== config.diffIds[index]) {
      throw new ProvenantError('DIGEST_MISMATCH', `layer ${index} unpacks to ${summary.diffId}, the config says ${config.diffIds[index]}`, {
        details: { layer: descriptor.digest, expected: config.diffIds[index], actual: summary.diffId },
      });
    }
    view.applyLayer(entries);
    for (const path of [...metadata.keys()]) if (!view.has(path)) metadata.delete(path);

    catalog = catalogAll(metadata, undefined, catalogers);
    const changes = diffPackages(below, catalog.packages);
    for (const p of changes.added) introducedBy.set(p.purl, index);
    for (const u of changes.upgraded) introducedBy.set(u.to.purl, index);
    below = catalog.packages;
    out.push({
      index,
      descriptor,
      diffID: summary.diffId,
      createdBy: history.perLayer[index]?.createdBy ?? null,
      fileTreeHash: layerFileTreeHash(entries),
      entries: summary.entries,
      uncompressedBytes: summary.uncompressedBytes,
      packages: changes,
    });
    options.progress?.layerDone(index, summary);
  }

  const result: ImageAnalysis = {
    config,
    configDigest: resolved.manifest.config.digest,
    layers: out,
    packages: catalog.packages,
    introducedBy,
    problems: catalog.problems,
  };
  if (catalog.osRelease !== undefined) result.osRelease = catalog.osRelease;
  return result;
}
