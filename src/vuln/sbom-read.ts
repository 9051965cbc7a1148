// Packages read back from an SBOM so that it can be scanned like an image: CycloneDX JSON (any 1.x; components
// and their purls) and SPDX 2.x JSON (packages and their purl external references). What Provenant's own
// writers record beyond the purl is read back too (formats/cyclonedx.ts: the layer properties and evidence
// occurrences; formats/spdx.ts: the layer and source package in sourceInfo), as is the operating-system
// component other tools write.
import { isDigest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { isJsonObject, parseJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { CYCLONEDX_PROPERTIES } from '../formats/cyclonedx.js';
import type { AttributedPackage, LayerRef, Package } from '../formats/sbom-package.js';
import type { DistroRelease } from './package-ecosystem.js';
import { packageOfPurl, releaseOfDistro } from './sbom-read-purl.js';

export type SbomFormat = 'cyclonedx' | 'spdx';

export interface SbomNotScanned {
  readonly purl: string;
  readonly reason: string;
}

export interface SbomContents {
  readonly format: SbomFormat;
  /** CycloneDX specVersion ("1.6") or SPDX spdxVersion ("SPDX-2.3"). */
  readonly specVersion: string;
  readonly packages: readonly AttributedPackage[];
  /** Components with a purl this scanner does not match (maven, generic, ...). */
  readonly notScanned: readonly SbomNotScanned[];
  readonly release?: DistroRelease;
  /** An operating-system component (CycloneDX) or package (SPDX), or the `distro` qualifier of a purl. */
  readonly releaseFrom?: 'operating-system' | 'purl';
  /** CycloneDX metadata.timestamp or SPDX creationInfo.created, as written. */
  readonly created?: string;
  /** What the SBOM describes: CycloneDX metadata.component, or the package SPDX's DESCRIBES names. */
  readonly subject?: { readonly name: string; readonly version?: string };
}

export const SBOM_LIMITS = {
  /** Characters of the SBOM's JSON text. */
  maxLength: 512 * 1024 * 1024,
  maxDepth: 64,
  maxPackages: 1_000_000,
} as const;

/** Reads a CycloneDX or SPDX JSON document. Errors: SBOM_MALFORMED, INPUT_TOO_LARGE, JSON_*. */
export function readSbom(input: string | Uint8Array, what = 'SBOM'): SbomContents {
  const doc = parseJsonObject(input, what, { maxLength: SBOM_LIMITS.maxLength, maxDepth: SBOM_LIMITS.maxDepth });
  if (doc.bomFormat === 'CycloneDX') return readCycloneDx(doc);
  if (typeof doc.spdxVersion === 'string' && doc.spdxVersion.startsWith('SPDX-2.')) return readSpdx(doc);
  malformed('the document is neither CycloneDX JSON (bomFormat) nor SPDX 2 JSON (spdxVersion)', 'format');
}

class Collector {
  readonly packages: AttributedPackage[] = [];
  readonly notScanned: SbomNotScanned[] = [];
  private purlRelease: DistroRelease | undefined;
  osRelease: DistroRelease | undefined;

  add(purl: string, locations: readonly string[], layer: LayerRef | undefined): void {
    if (this.packages.length + this.notScanned.length >= SBOM_LIMITS.maxPackages) {
      throw new ProvenantError('INPUT_TOO_LARGE', `the SBOM lists more than ${SBOM_LIMITS.maxPackages} packages`);
    }
    const read = packageOfPurl(purl, locations);
    if (read.package === undefined) {
      this.notScanned.push({ purl, reason: read.unsupported ?? 'no package' });
      return;
    }
    this.packages.push(layer === undefined ? { package: read.package } : { package: read.package, layer });
    this.purlRelease ??= read.release;
  }

  private release(): Pick<SbomContents, 'release' | 'releaseFrom'> {
    if (this.osRelease !== undefined) return { release: this.osRelease, releaseFrom: 'operating-system' };
    return this.purlRelease === undefined ? {} : { release: this.purlRelease, releaseFrom: 'purl' };
  }

  contents(format: SbomContents['format'], specVersion: string, created: string | undefined, subject: SbomContents['subject']): SbomContents {
    return {
      format,
      specVersion,
      packages: this.packages,
      notScanned: this.notScanned,
      ...this.release(),
      ...(created === undefined ? {} : { created }),
      ...(subject === undefined ? {} : { subject }),
    };
  }
}

function readCycloneDx(doc: JsonObject): SbomContents {
  const specVersion = requiredString(doc.specVersion, 'specVersion');
  const metadata = optionalObject(doc.metadata, 'metadata');
  const collector = new Collector();
  const visit = (list: JsonValue | undefined, path: string): void => {
    for (const [i, value] of array(list, path).entries()) {
      const where = `${path}[${i}]`;
      if (!isJsonObject(value)) malformed(`${where} is not an object`, where);
      if (value.type === 'operating-system') collector.osRelease ??= osRelease(value.name, value.version);
      const purl = optionalString(value.purl, `${where}.purl`);
      if (purl !== undefined) {
        const before = collector.packages.length;
        collector.add(purl, occurrences(value.evidence, where), cycloneDxLayer(value.properties, where));
        const added = collector.packages[before];
        if (added !== undefined) withCycloneDxSource(added.package, value.properties, where);
      }
      visit(value.components, `${where}.components`);
    }
  };
  visit(doc.components, 'components');
  const component = optionalObject(metadata?.component, 'metadata.component');
  if (component?.type === 'operating-system') collector.osRelease ??= osRelease(component.name, component.version);
  const created = optionalString(metadata?.timestamp, 'metadata.timestamp');
  const subject = subjectOf(component?.name, component?.version);
  return collector.contents('cyclonedx', specVersion, created, subject);
}

function occurrences(evidence: JsonValue | undefined, where: string): string[] {
  const occ = optionalObject(evidence, `${where}.evidence`)?.occurrences;
  return array(occ, `${where}.evidence.occurrences`).flatMap((o) => (isJsonObject(o) && typeof o.location === 'string' ? [o.location] : []));
}

function propertyReader(properties: JsonValue | undefined, where: string): (name: string) => string | undefined {
  return (name) => {
    for (const p of array(properties, `${where}.properties`)) {
      if (isJsonObject(p) && p.name === name && typeof p.value === 'string') return p.value;
    }
    return undefined;
  };
}

function cycloneDxLayer(properties: JsonValue | undefined, where: string): LayerRef | undefined {
  const value = propertyReader(properties, where);
  return layerRef(value(CYCLONEDX_PROPERTIES.layerIndex), value(CYCLONEDX_PROPERTIES.layerDigest));
}

function withCycloneDxSource(pkg: Package, properties: JsonValue | undefined, where: string): void {
  const value = propertyReader(properties, where);
  const name = value(CYCLONEDX_PROPERTIES.sourceName);
  if (name === undefined || name === '' || pkg.source !== undefined || (pkg.ecosystem !== 'deb' && pkg.ecosystem !== 'apk')) return;
  const version = value(CYCLONEDX_PROPERTIES.sourceVersion);
  pkg.source = version === undefined || version === '' ? { name } : { name, version };
}

function readSpdx(doc: JsonObject): SbomContents {
  const specVersion = doc.spdxVersion as string;
  const collector = new Collector();
  const described = new Set<string>(array(doc.documentDescribes, 'documentDescribes').filter((d): d is string => typeof d === 'string'));
  for (const r of array(doc.relationships, 'relationships')) {
    if (isJsonObject(r) && r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES' && typeof r.relatedSpdxElement === 'string') {
      described.add(r.relatedSpdxElement);
    }
  }
  let subject: SbomContents['subject'];
  for (const [i, value] of array(doc.packages, 'packages').entries()) {
    const where = `packages[${i}]`;
    if (!isJsonObject(value)) malformed(`${where} is not an object`, where);
    if (typeof value.SPDXID === 'string' && described.has(value.SPDXID)) subject ??= subjectOf(value.name, value.versionInfo);
    if (value.primaryPackagePurpose === 'OPERATING-SYSTEM') collector.osRelease ??= osRelease(value.name, value.versionInfo);
    // The image itself carries a pkg:oci purl; it is the subject, not one of its packages.
    if (value.primaryPackagePurpose === 'CONTAINER') continue;
    const purl = array(value.externalRefs, `${where}.externalRefs`).find((r) => isJsonObject(r) && r.referenceType === 'purl');
    if (!isJsonObject(purl)) continue;
    const locator = requiredString(purl.referenceLocator, `${where}.externalRefs.referenceLocator`);
    const info = typeof value.sourceInfo === 'string' ? value.sourceInfo : '';
    const before = collector.packages.length;
    collector.add(locator, [], spdxLayer(info));
    const added = collector.packages[before];
    if (added !== undefined) withSpdxSource(added.package, info);
  }
  const created = optionalString(optionalObject(doc.creationInfo, 'creationInfo')?.created, 'creationInfo.created');
  return collector.contents('spdx', specVersion, created, subject);
}

// The sentences formats/spdx.ts writes into sourceInfo.
const SPDX_LAYER_RE = /installed by image layer (\d+) \((sha256:[0-9a-f]{64})\)/;
const SPDX_SOURCE_RE = /built from source package ([^\s;]+)(?: ([^\s;]+))?/;

function spdxLayer(info: string): LayerRef | undefined {
  const m = SPDX_LAYER_RE.exec(info);
  return m === null ? undefined : layerRef(m[1], m[2]);
}

function withSpdxSource(pkg: Package, info: string): void {
  const m = SPDX_SOURCE_RE.exec(info);
  if (m === null || pkg.source !== undefined || (pkg.ecosystem !== 'deb' && pkg.ecosystem !== 'apk')) return;
  pkg.source = m[2] === undefined ? { name: m[1]! } : { name: m[1]!, version: m[2] };
}

function layerRef(index: string | undefined, digest: string | undefined): LayerRef | undefined {
  if (index === undefined || digest === undefined || !/^\d{1,6}$/.test(index) || !isDigest(digest)) return undefined;
  return { index: Number(index), digest };
}

/** An operating-system component names the distribution by os-release ID and its version by VERSION_ID. */
function osRelease(name: JsonValue | undefined, version: JsonValue | undefined): DistroRelease | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  if (typeof version !== 'string' || version === '') return { distro: name.toLowerCase() };
  return releaseOfDistro(`${name}-${version}`);
}

function subjectOf(name: JsonValue | undefined, version: JsonValue | undefined): SbomContents['subject'] {
  if (typeof name !== 'string' || name === '') return undefined;
  return typeof version === 'string' && version !== '' ? { name, version } : { name };
}

function array(value: JsonValue | undefined, path: string): JsonValue[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) malformed(`${path} is not an array`, path);
  return value;
}

function optionalObject(value: JsonValue | undefined, path: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) malformed(`${path} is not an object`, path);
  return value;
}

function optionalString(value: JsonValue | undefined, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') malformed(`${path} is not a string`, path);
  return value;
}

function requiredString(value: JsonValue | undefined, path: string): string {
  if (typeof value !== 'string' || value === '') malformed(`${path} must be a non-empty string`, path);
  return value;
}

function malformed(reason: string, path: string): never {
  throw new ProvenantError('SBOM_MALFORMED', `SBOM: ${reason}`, { details: { path, reason } });
}
