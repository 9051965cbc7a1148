// CycloneDX 1.6 JSON BOMs (cyclonedx.org/docs/1.6/json) for an image and the packages in it. The image is
// metadata.component (type container); each package is a library component whose properties name the layer
// that installed it. Pure: the serial number and timestamp are inputs, so equal inputs give equal bytes.
import { ProvenantError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { assertSbomInput, imagePurl, isUtcTimestamp, orderPackages, resolveDependencies, type AttributedPackage, type ImageInfo, type Package } from './sbom-package.js';
import { interpretLicenses } from './spdx.js';

export const CYCLONEDX_SPEC_VERSION = '1.6';
/** CycloneDX property names Provenant writes (namespaced as the property taxonomy asks of tools). */
export const CYCLONEDX_PROPERTIES = {
  layerDigest: 'provenant:layer:digest',
  layerIndex: 'provenant:layer:index',
  // The source package of a deb or apk binary package: distribution advisories name source packages.
  sourceName: 'provenant:package:source-name',
  sourceVersion: 'provenant:package:source-version',
} as const;

export interface CycloneDxInput {
  /** "urn:uuid:" and an RFC 4122 UUID in lowercase; the caller makes it (a new one per BOM). */
  serialNumber: string;
  /** Creation time, RFC 3339 in UTC. */
  timestamp: string;
  /** Provenant's version, recorded in metadata.tools. */
  toolVersion: string;
  image: ImageInfo;
  packages: readonly AttributedPackage[];
}

const SERIAL_RE = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Builds the BOM. Errors: USAGE for an input the format cannot carry. */
export function buildCycloneDx(input: CycloneDxInput): JsonObject {
  if (!SERIAL_RE.test(input.serialNumber)) usage('serialNumber must be urn:uuid:<lowercase RFC 4122 UUID>');
  if (!isUtcTimestamp(input.timestamp)) usage('timestamp must be RFC 3339 in UTC ("Z")');
  if (typeof input.toolVersion !== 'string' || input.toolVersion === '') usage('toolVersion must not be empty');
  assertSbomInput(input.image, input.packages, 'CycloneDX BOM');

  const imageRef = imagePurl(input.image);
  const used = new Set<string>([imageRef]);
  const packages = orderPackages(input.packages);
  const refs = packages.map(({ package: p }) => uniqueRef(p.purl, used));
  const dependencies = resolveDependencies(packages.map((p) => p.package)).flatMap((targets, i) =>
    targets.length === 0 ? [] : [{ ref: refs[i]!, dependsOn: targets.map((t) => refs[t]!) }],
  );

  const bom: JsonObject = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber: input.serialNumber,
    version: 1,
    metadata: {
      timestamp: input.timestamp,
      tools: { components: [{ type: 'application', name: 'provenant', version: input.toolVersion }] },
      component: { type: 'container', 'bom-ref': imageRef, name: input.image.name, version: input.image.digest, purl: imageRef },
    },
    components: packages.map((p, i) => component(p, refs[i]!)),
  };
  if (dependencies.length > 0) bom.dependencies = dependencies;
  return bom;
}

function component({ package: p, layer }: AttributedPackage, ref: string): JsonObject {
  const out: JsonObject = { 'bom-ref': ref, type: 'library', ...nameAndGroup(p), version: p.version, purl: p.purl };
  const licenses = licenseChoice(p.licenses);
  if (licenses.length > 0) out.licenses = licenses;
  const properties: JsonObject[] = [];
  if (layer !== undefined) {
    properties.push({ name: CYCLONEDX_PROPERTIES.layerDigest, value: layer.digest }, { name: CYCLONEDX_PROPERTIES.layerIndex, value: String(layer.index) });
  }
  if (p.source !== undefined) {
    properties.push({ name: CYCLONEDX_PROPERTIES.sourceName, value: p.source.name });
    if (p.source.version !== undefined) properties.push({ name: CYCLONEDX_PROPERTIES.sourceVersion, value: p.source.version });
  }
  if (properties.length > 0) out.properties = properties;
  const locations = [...new Set(p.locations)];
  if (locations.length > 0) out.evidence = { occurrences: locations.map((location) => ({ location })) };
  return out;
}

/** npm scopes are the component's group ("@babel" / "core"), as CycloneDX's own npm tooling records them. */
function nameAndGroup(p: Package): JsonObject {
  const slash = p.name.indexOf('/');
  return p.ecosystem === 'npm' && p.name.startsWith('@') && slash > 1 && slash < p.name.length - 1
    ? { group: p.name.slice(0, slash), name: p.name.slice(slash + 1) }
    : { name: p.name };
}

/**
 * licenseChoice allows either a list of licences (each an SPDX id or a name) or exactly one expression.
 * Plain ids stay a list; compound expressions become one expression ANDing every declaration; when free text
 * is mixed with compound expressions no single expression exists, so each expression is kept as a name.
 */
function licenseChoice(declared: string[] | undefined): JsonObject[] {
  const { terms, expression } = interpretLicenses(declared);
  if (terms.some((t) => t.kind !== 'id') && expression !== undefined) return [{ expression }];
  return terms.map((t): JsonObject => {
    switch (t.kind) {
      case 'id':
        return { license: { id: t.id } };
      case 'expression':
        return { license: { name: t.expression } };
      case 'name':
        return { license: { name: t.name } };
    }
  });
}

/** bom-refs must be unique in the BOM; a repeated purl (the same package in two places) gets "|2", "|3", ... */
function uniqueRef(purl: string, used: Set<string>): string {
  let ref = purl;
  for (let n = 2; used.has(ref); n++) ref = `${purl}|${n}`;
  used.add(ref);
  return ref;
}

function usage(message: string): never {
  throw new ProvenantError('USAGE', `CycloneDX BOM: ${message}`);
}
