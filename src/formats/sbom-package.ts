// The inputs shared by the statements `provenant build` emits (layers predicate, CycloneDX, SPDX): packages as
// the catalogers report them, per-layer records, and the image. `Package` is structurally identical to the
// cataloger's type in analyze/catalog/package.ts, which sits above this layer and so cannot be imported here.
// Also here, because both SBOM formats need them: the final inventory of an image from its layer records, the
// image's purl, and the dependency graph between packages.
import { isDigest, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { canonicalJson, type JsonObject } from '../core/json.js';
import { ascending } from '../core/order.js';

export type Ecosystem = 'deb' | 'apk' | 'rpm' | 'npm' | 'pypi' | 'golang';
export const ECOSYSTEMS: readonly Ecosystem[] = ['deb', 'apk', 'rpm', 'npm', 'pypi', 'golang'];

export interface Package {
  ecosystem: Ecosystem;
  /** The name as the ecosystem's own metadata spells it. */
  name: string;
  /** The ecosystem's version string; for deb and rpm it includes the epoch ("1:2.3-4"). */
  version: string;
  /** Package URL, canonical form. */
  purl: string;
  /** The source package a binary package was built from. */
  source?: { name: string; version?: string };
  /** Licence declarations as written by the package (not mapped to SPDX). */
  licenses?: string[];
  arch?: string;
  /** Names of packages of the same ecosystem this one depends on. */
  dependsOn?: string[];
  /** Root-relative paths of the files this entry was read from. */
  locations: string[];
}

export interface PackageUpgrade {
  from: Package;
  to: Package;
}

export interface LayerPackages {
  added: Package[];
  upgraded: PackageUpgrade[];
  removed: Package[];
}

/** One layer of the image, in manifest order, with what it changed. */
export interface LayerRecord {
  /** Position in the manifest's `layers` array. */
  index: number;
  /** Digest of the layer blob as stored (usually compressed). */
  digest: Digest;
  /** Digest of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffID: Digest;
  mediaType: string;
  size: number;
  /** The history entry's created_by, or null when the image has no history for this layer. */
  createdBy: string | null;
  emptyLayer?: false;
  /** Hash of the layer's file tree (paths, modes, contents), independent of tar framing. */
  fileTreeHash: Digest;
  /** Number of entries in the layer tar. */
  entries: number;
  packages: LayerPackages;
}

/** Facts about the build host and tools; opaque to the formats layer. */
export type BuildEnvironment = JsonObject;

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageInfo {
  /** Repository, without tag or digest: "registry.example/team/app". */
  name: string;
  /** Manifest digest. */
  digest: Digest;
  configDigest: Digest;
  platform: Platform;
  tag?: string;
}

export interface LayerRef {
  index: number;
  digest: Digest;
}

/** A package of the final image and the layer that installed its current version (absent when unknown). */
export interface AttributedPackage {
  package: Package;
  layer?: LayerRef;
}

/**
 * The packages present after the last layer: each layer's removals, then upgrades, then additions are applied
 * in order. A removed or upgraded package is matched by ecosystem and purl (preferring equal locations).
 */
export function inventoryFromLayers(layers: readonly LayerRecord[]): AttributedPackage[] {
  const present: AttributedPackage[] = [];
  const remove = (pkg: Package): void => {
    const same = (a: AttributedPackage): boolean => a.package.ecosystem === pkg.ecosystem && a.package.purl === pkg.purl;
    const where = present.findIndex((a) => same(a) && sameStrings(a.package.locations, pkg.locations));
    const at = where >= 0 ? where : present.findLastIndex(same);
    if (at >= 0) present.splice(at, 1);
  };
  for (const layer of layers) {
    const ref: LayerRef = { index: layer.index, digest: layer.digest };
    for (const pkg of layer.packages.removed) remove(pkg);
    for (const { from, to } of layer.packages.upgraded) {
      remove(from);
      present.push({ package: to, layer: ref });
    }
    for (const pkg of layer.packages.added) present.push({ package: pkg, layer: ref });
  }
  return orderPackages(present);
}

/** A stable order independent of catalog order: by layer index, then purl, then the whole entry. */
export function orderPackages(packages: readonly AttributedPackage[]): AttributedPackage[] {
  const keyed = packages.map((p) => ({ p, index: p.layer?.index ?? Number.MAX_SAFE_INTEGER, whole: canonicalJson(p) }));
  keyed.sort((a, b) => a.index - b.index || ascending(a.p.package.purl, b.p.package.purl) || ascending(a.whole, b.whole));
  return keyed.map((k) => k.p);
}


function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

/** RFC 3339 in UTC ("Z"), a real calendar date; `fraction: false` also refuses fractional seconds. */
export function isUtcTimestamp(value: unknown, fraction = true): value is string {
  if (typeof value !== 'string') return false;
  const m = TIMESTAMP_RE.exec(value);
  if (m === null || (!fraction && m[7] !== undefined)) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

const PURL_KEEP_RE = /[A-Za-z0-9.\-_~:]/;

/** purl-spec percent-encoding: everything but ASCII letters, digits, ".-_~" and ":" is encoded, as UTF-8. */
function purlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && PURL_KEEP_RE.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The image's purl, type oci (purl-spec types/oci-definition.json): the name is the repository's last segment
 * lowercased, the version the manifest digest, and the repository goes in `repository_url`.
 */
export function imagePurl(image: ImageInfo): string {
  const name = image.name.slice(image.name.lastIndexOf('/') + 1).toLowerCase();
  const qualifiers: [string, string | undefined][] = [
    ['arch', image.platform.architecture],
    ['repository_url', image.name],
    ['tag', image.tag],
  ];
  const query = qualifiers.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${purlEncode(v!)}`);
  return `pkg:oci/${purlEncode(name)}@${purlEncode(image.digest)}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

/**
 * For each entry (by position), the positions of the entries its `dependsOn` names resolve to: entries of the
 * same ecosystem with that name (PyPI names compared after PEP 503 normalisation). A name that several
 * entries carry (two versions of an npm package) resolves to all of them; one that none carries is dropped.
 */
export function resolveDependencies(packages: readonly Package[]): number[][] {
  const key = (ecosystem: Ecosystem, name: string): string =>
    `${ecosystem}\0${ecosystem === 'pypi' ? name.replace(/[-_.]+/g, '-').toLowerCase() : name}`;
  const byName = new Map<string, number[]>();
  packages.forEach((p, i) => {
    const k = key(p.ecosystem, p.name);
    byName.set(k, [...(byName.get(k) ?? []), i]);
  });
  return packages.map((p, i) => {
    const targets = (p.dependsOn ?? []).flatMap((name) => byName.get(key(p.ecosystem, name)) ?? []);
    return [...new Set(targets)].filter((t) => t !== i);
  });
}

/** Checks what both SBOM builders rely on. Errors: USAGE. */
export function assertSbomInput(image: ImageInfo, packages: readonly AttributedPackage[], what: string): void {
  const fail = (message: string, details: Record<string, unknown> = {}): never => {
    throw new ProvenantError('USAGE', `${what}: ${message}`, { details });
  };
  if (typeof image.name !== 'string' || image.name.trim() === '' || /\s/.test(image.name)) fail('the image needs a repository name');
  if (!isDigest(image.digest)) fail('the image digest must be sha256:<64 lowercase hex>');
  packages.forEach(({ package: p, layer }, i) => {
    if (!ECOSYSTEMS.includes(p.ecosystem)) fail(`package ${i} has an unknown ecosystem`, { index: i });
    if (typeof p.name !== 'string' || p.name === '' || typeof p.version !== 'string' || p.version === '') fail(`package ${i} needs a name and a version`, { index: i });
    if (typeof p.purl !== 'string' || !p.purl.startsWith(`pkg:${p.ecosystem}/`) || /\s/.test(p.purl)) fail(`package ${i} has a purl that is not pkg:${p.ecosystem}/...`, { index: i });
    if (layer !== undefined && (!Number.isSafeInteger(layer.index) || layer.index < 0 || !isDigest(layer.digest))) fail(`package ${i} names a malformed layer`, { index: i });
  });
}
