// The layer-by-layer analysis behind `provenant build` and `provenant sbom`: every layer is walked once as
// a stream (hashing every file, keeping only package metadata), applied to a view of the root filesystem
// (whiteouts included), and the package set visible after it is compared with the one below it. Go executables
// are recognised by content, so every regular file streams through a bounded Go build info scanner
// (catalog/go-stream.ts) instead of being kept. RPM databases are SQLite, read through the RpmDatabaseReader
// port when the caller gives one.
import type { Digest } from '../core/digest.js';
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { layerHistory, MAX_CONFIG_BYTES, parseImageConfig, type ImageConfig } from '../oci/image-config.js';
import type { ResolvedImage } from '../oci/resolve.js';
import type { Descriptor, ImageSource } from '../oci/types.js';
import { GO_CATALOGER, goBinaryScanner, mergeGoPackages, type GoScanResult } from './catalog/go-stream.js';
import {
  catalogAll,
  CATALOGERS,
  catalogRpmHeaders,
  goBinaryCataloger,
  RPMDB_SQLITE_PATHS,
  type CatalogProblem,
  type Cataloger,
  type CatalogResult,
  type OsRelease,
  type Package,
  type RpmDatabaseReader,
} from './catalog/index.js';
import { layerFileTreeHash } from './file-tree-hash.js';
import type { LayerEntry } from './layer-entry.js';
import type { LayerLimits } from './layer-limits.js';
import { walkLayer, type LayerSummary } from './layer-walk.js';
import { diffPackages, type PackageChanges } from './package-diff.js';
import { RootfsView } from './rootfs-view.js';
import { ascending } from '../core/order.js';

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
  /** Reads rpmdb.sqlite; without it RPM databases are not catalogued. */
  rpmDatabase?: RpmDatabaseReader;
}

/**
 * Catalogers that read whole files chosen by path. Those that recognise files by content (Go binaries) would
 * mean buffering every executable; Go binaries are read by the streaming scanner instead.
 */
export const LAYER_CATALOGERS: readonly Cataloger[] = CATALOGERS.filter((c) => c.sniff === undefined);

/** Smaller files cannot hold an ELF header and Go build info. */
const MIN_GO_SCAN_BYTES = 64;

const RPM_CATALOGER = 'rpm';
const RPMDB_PATHS: readonly string[] = RPMDB_SQLITE_PATHS;

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
  // Per path, what the Go scanner found in the file visible there (a binary replaced or removed is dropped).
  const goFound = new Map<string, GoScanResult>();
  // A caller that asks for the whole-file Go cataloger gets it instead of the scanner, not on top of it.
  const scanGo = !catalogers.includes(goBinaryCataloger);
  const rpmDatabase = options.rpmDatabase;
  const wanted = (path: string): boolean =>
    catalogers.some((c) => c.matches(path) || c.consults?.(path) === true) ||
    path === 'etc/os-release' ||
    path === 'usr/lib/os-release' ||
    (rpmDatabase !== undefined && RPMDB_PATHS.includes(path));
  // The header blobs last read from each rpmdb, kept while the layers above leave that file alone.
  const rpmBlobs = new Map<string, { bytes: Uint8Array; blobs: Uint8Array[] }>();
  let rpm: { packages: Package[]; problems: CatalogProblem[] } = { packages: [], problems: [] };
  let below: Package[] = [];
  const introducedBy = new Map<string, number>();
  const out: LayerAnalysis[] = [];
  let catalog = catalogAll(metadata, undefined, catalogers);
  let packages: Package[] = catalog.packages;

  for (const [index, descriptor] of layers.entries()) {
    options.progress?.layerStarted(index, layers.length, descriptor);
    const entries: LayerEntry[] = [];
    const walker = walkLayer<GoScanResult>(await source.openBlob(descriptor), {
      mediaType: descriptor.mediaType,
      capture: (path) => wanted(path),
      scan: (path, size) => (scanGo && size >= MIN_GO_SCAN_BYTES ? goBinaryScanner(path) : undefined),
      ...(options.limits === undefined ? {} : { limits: options.limits }),
    });
    let summary: LayerSummary;
    // Package metadata is re-cataloged only after a layer that wrote or removed some of it.
    let metadataChanged = false;
    for (;;) {
      const next = await walker.next();
      if (next.done === true) {
        summary = next.value;
        break;
      }
      const { content, scan, ...entry } = next.value;
      entries.push(entry);
      if (content !== undefined) {
        metadata.set(entry.path, content);
        metadataChanged = true;
      } else if (metadata.delete(entry.path)) {
        metadataChanged = true;
      }
      if (scan !== undefined) goFound.set(entry.path, scan);
      else goFound.delete(entry.path);
    }
    if (summary.diffId !== config.diffIds[index]) {
      throw new ProvenantError('DIGEST_MISMATCH', `layer ${index} unpacks to ${summary.diffId}, the config says ${config.diffIds[index]}`, {
        details: { layer: descriptor.digest, expected: config.diffIds[index], actual: summary.diffId },
      });
    }
    view.applyLayer(entries);
    for (const path of [...metadata.keys()]) {
      if (!view.has(path)) metadataChanged = metadata.delete(path) || metadataChanged;
    }
    for (const path of [...goFound.keys()]) if (!view.has(path)) goFound.delete(path);

    if (metadataChanged) catalog = catalogAll(metadata, undefined, catalogers);
    if (rpmDatabase !== undefined) rpm = catalogRpmDatabases(metadata, catalog, rpmDatabase, rpmBlobs);
    packages = [...catalog.packages, ...rpm.packages, ...mergeGoPackages(goPackagesByPath(goFound))];
    const changes = diffPackages(below, packages);
    for (const p of changes.added) introducedBy.set(p.purl, index);
    for (const u of changes.upgraded) introducedBy.set(u.to.purl, index);
    below = packages;
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
    packages,
    introducedBy,
    problems: [...catalog.problems, ...rpm.problems, ...goProblems(goFound)],
  };
  if (catalog.osRelease !== undefined) result.osRelease = catalog.osRelease;
  return result;
}

function catalogRpmDatabases(
  files: ReadonlyMap<string, Uint8Array>,
  catalog: CatalogResult,
  read: RpmDatabaseReader,
  cache: Map<string, { bytes: Uint8Array; blobs: Uint8Array[] }>,
): { packages: Package[]; problems: CatalogProblem[] } {
  const packages: Package[] = [];
  const problems: CatalogProblem[] = [];
  for (const path of RPMDB_PATHS) {
    const bytes = files.get(path);
    if (bytes === undefined) {
      cache.delete(path);
      continue;
    }
    try {
      let cached = cache.get(path);
      if (cached?.bytes !== bytes) {
        cache.delete(path);
        cached = { bytes, blobs: read(bytes) };
        cache.set(path, cached);
      }
      packages.push(...catalogRpmHeaders(cached.blobs, path, catalog.osRelease === undefined ? {} : { osRelease: catalog.osRelease }));
    } catch (e) {
      if (!isProvenantError(e)) throw e;
      problems.push({ path, cataloger: RPM_CATALOGER, code: e.code, message: e.message });
    }
  }
  return { packages, problems };
}

function goPackagesByPath(found: ReadonlyMap<string, GoScanResult>): Map<string, Package[]> {
  const out = new Map<string, Package[]>();
  for (const [path, result] of found) if (result.kind === 'packages') out.set(path, result.packages);
  return out;
}

function goProblems(found: ReadonlyMap<string, GoScanResult>): CatalogProblem[] {
  const out: CatalogProblem[] = [];
  for (const path of [...found.keys()].sort(ascending)) {
    const result = found.get(path)!;
    if (result.kind === 'problem') out.push({ path, cataloger: GO_CATALOGER, code: result.code, message: result.message });
  }
  return out;
}
