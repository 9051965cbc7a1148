// The four statements `provenant build` emits about one image: SLSA provenance v1, the per-layer
// predicate, and CycloneDX and SPDX SBOMs. Everything that varies between runs (time, serial numbers,
// the environment) is an input, so the same inputs give the same predicates.
import type { Digest } from '../core/digest.js';
import type { JsonObject } from '../core/json.js';
import type { ImageAnalysis } from '../analyze/image-analysis.js';
import {
  buildCycloneDx,
  buildLayersPredicate,
  buildSlsaProvenance,
  buildSpdx,
  inventoryFromLayers,
  LAYERS_PREDICATE_TYPE,
  resolvePredicateType,
  SLSA_PROVENANCE_V1,
  type ImageInfo,
  type LayerRecord,
} from '../formats/index.js';

export type ProvenanceKind = 'slsa' | 'layers' | 'cyclonedx' | 'spdx';

export interface ProvenanceDocument {
  kind: ProvenanceKind;
  predicateType: string;
  predicate: JsonObject;
}

export interface ProvenanceInput {
  analysis: ImageAnalysis;
  /** Repository name without tag or digest, e.g. "registry.example/app". */
  imageName: string;
  /** The reference as the user gave it, recorded in the SLSA external parameters. */
  imageReference: string;
  digest: Digest;
  tag?: string;
  buildEnvironment: JsonObject;
  builderId: string;
  toolVersion: string;
  source?: { uri: string; digest?: Record<string, string> };
  /** From the manifest's org.opencontainers.image.base.{name,digest} annotations, when present. */
  baseImage?: { reference: string; digest: Digest };
  startedOn: Date;
  finishedOn: Date;
  /** A fresh RFC 4122 UUID (lowercase) for the CycloneDX serial number and the SPDX namespace. */
  uuid: string;
}

export function layerRecords(analysis: ImageAnalysis): LayerRecord[] {
  return analysis.layers.map((l) => ({
    index: l.index,
    digest: l.descriptor.digest,
    diffID: l.diffID,
    mediaType: l.descriptor.mediaType,
    size: l.descriptor.size,
    createdBy: l.createdBy,
    fileTreeHash: l.fileTreeHash,
    entries: l.entries,
    packages: l.packages,
  }));
}

export function imageInfo(input: Pick<ProvenanceInput, 'analysis' | 'imageName' | 'digest' | 'tag'>): ImageInfo {
  const { config } = input.analysis;
  return {
    name: input.imageName,
    digest: input.digest,
    configDigest: input.analysis.configDigest,
    platform: { os: config.os, architecture: config.architecture, ...(config.variant === undefined ? {} : { variant: config.variant }) },
    ...(input.tag === undefined ? {} : { tag: input.tag }),
  };
}

/** RFC 3339 in UTC without fractional seconds, as SPDX 2.3 §6.9 requires. */
function wholeSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function sbomDocument(kind: 'cyclonedx' | 'spdx', input: ProvenanceInput): ProvenanceDocument {
  const image = imageInfo(input);
  const packages = inventoryFromLayers(layerRecords(input.analysis));
  switch (kind) {
    case 'cyclonedx':
      return {
        kind,
        predicateType: resolvePredicateType('cyclonedx'),
        predicate: buildCycloneDx({ serialNumber: `urn:uuid:${input.uuid}`, timestamp: wholeSeconds(input.finishedOn), toolVersion: input.toolVersion, image, packages }),
      };
    case 'spdx':
      return {
        kind,
        predicateType: resolvePredicateType('spdxjson'),
        predicate: buildSpdx({
          name: input.imageReference,
          documentNamespace: `https://provenant.dev/spdx/${input.uuid}`,
          created: wholeSeconds(input.finishedOn),
          toolVersion: input.toolVersion,
          image,
          packages,
        }),
      };
  }
}

export function provenanceDocuments(input: ProvenanceInput): ProvenanceDocument[] {
  const records = layerRecords(input.analysis);
  const slsa = buildSlsaProvenance({
    image: input.imageReference,
    ...(input.source === undefined ? {} : { source: input.source }),
    ...(input.baseImage === undefined ? {} : { baseImages: [input.baseImage] }),
    buildEnvironment: input.buildEnvironment,
    builder: { id: input.builderId, version: { provenant: input.toolVersion } },
    metadata: { startedOn: input.startedOn.toISOString(), finishedOn: input.finishedOn.toISOString() },
  });
  const layers = buildLayersPredicate({ image: imageInfo(input), buildEnvironment: input.buildEnvironment, layers: records });
  return [
    { kind: 'slsa', predicateType: SLSA_PROVENANCE_V1, predicate: slsa },
    { kind: 'layers', predicateType: LAYERS_PREDICATE_TYPE, predicate: layers },
    sbomDocument('cyclonedx', input),
    sbomDocument('spdx', input),
  ];
}
