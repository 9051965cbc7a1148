// Provenant's per-layer predicate, https://provenant.dev/attestation/layers/v1 (docs/layers-predicate.md):
// which layer of an image installed, upgraded or removed which packages, and the environment of the build.
// Unlike SLSA, this format is read strictly: an unknown field, a null or a wrong type is refused, so that a
// verifier never silently skips a claim made by a newer writer (new fields mean a new predicate version).
import { isDigest, type Digest } from '../core/digest.js';
import { ProvenantError, type ErrorCode } from '../core/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json.js';
import { parseFormatJson } from './format-json.js';
import { ECOSYSTEMS, type BuildEnvironment, type Ecosystem, type ImageInfo, type LayerRecord, type Package, type Platform } from './sbom-package.js';

export const LAYERS_PREDICATE_TYPE = 'https://provenant.dev/attestation/layers/v1';

/** A package as the predicate records it: identity only (licences, dependencies and paths are in the SBOMs). */
export type PredicatePackage = Pick<Package, 'ecosystem' | 'name' | 'version' | 'purl' | 'source'>;

/** A layer as the predicate records it: the LayerRecord with its packages reduced to their identity. */
export interface PredicateLayer extends Omit<LayerRecord, 'emptyLayer' | 'packages'> {
  packages: {
    added: PredicatePackage[];
    upgraded: { from: PredicatePackage; to: PredicatePackage }[];
    removed: PredicatePackage[];
  };
}

export interface LayersPredicate {
  image: { digest: Digest; configDigest: Digest; platform: Platform };
  buildEnvironment: BuildEnvironment;
  layers: PredicateLayer[];
}

export interface LayersPredicateInput {
  image: Pick<ImageInfo, 'digest' | 'configDigest' | 'platform'>;
  buildEnvironment: BuildEnvironment;
  /** Every layer of the manifest, in order. */
  layers: readonly LayerRecord[];
}

/** Builds the predicate. Errors: USAGE when an input is not of the form the format requires. */
export function buildLayersPredicate(input: LayersPredicateInput): JsonObject {
  const platform: JsonObject = { os: input.image.platform.os, architecture: input.image.platform.architecture };
  if (input.image.platform.variant !== undefined) platform.variant = input.image.platform.variant;
  const predicate: JsonObject = {
    image: { digest: input.image.digest, configDigest: input.image.configDigest, platform },
    buildEnvironment: input.buildEnvironment,
    layers: input.layers.map((l) => ({
      index: l.index,
      digest: l.digest,
      diffID: l.diffID,
      mediaType: l.mediaType,
      size: l.size,
      createdBy: l.createdBy,
      fileTreeHash: l.fileTreeHash,
      entries: l.entries,
      packages: {
        added: l.packages.added.map(trim),
        upgraded: l.packages.upgraded.map((u) => ({ from: trim(u.from), to: trim(u.to) })),
        removed: l.packages.removed.map(trim),
      },
    })),
  };
  // A deep copy, so that later changes to the caller's objects cannot alter what was checked.
  const copy = structuredClone(predicate);
  readPredicate(copy, 'USAGE');
  return copy;
}

function trim(p: Package): JsonObject {
  const out: JsonObject = { ecosystem: p.ecosystem, name: p.name, version: p.version, purl: p.purl };
  if (p.source !== undefined) {
    out.source = p.source.version === undefined ? { name: p.source.name } : { name: p.source.name, version: p.source.version };
  }
  return out;
}

/** Reads a predicate object (e.g. `statement.predicate`). Errors: PREDICATE_MALFORMED. */
export function layersPredicateFromJson(value: unknown): LayersPredicate {
  return readPredicate(value, 'PREDICATE_MALFORMED');
}

/** Reads predicate JSON text or bytes. Errors: PREDICATE_MALFORMED, INPUT_TOO_LARGE. */
export function parseLayersPredicate(input: string | Uint8Array, maxBytes = 32 * 1024 * 1024): LayersPredicate {
  return readPredicate(parseFormatJson(input, 'PREDICATE_MALFORMED', 'layers predicate', { maxBytes }), 'PREDICATE_MALFORMED');
}

class Reader {
  constructor(private readonly code: ErrorCode) {}

  fail(path: string, problem: string): never {
    throw new ProvenantError(this.code, `layers predicate: ${path} ${problem}`, { details: { field: path } });
  }

  /** The object at `path`, refusing missing required members and members not listed. */
  object(value: JsonValue | undefined, path: string, required: readonly string[], optional: readonly string[] = []): JsonObject {
    if (!isJsonObject(value)) return this.fail(path, 'must be an object');
    for (const key of required) if (!Object.hasOwn(value, key)) this.fail(`${path}.${key}`, 'is required');
    for (const key of Object.keys(value)) {
      if (!required.includes(key) && !optional.includes(key)) this.fail(`${path}.${key}`, 'is not a field of this format');
    }
    return value;
  }

  text(value: JsonValue | undefined, path: string): string {
    return typeof value === 'string' && value !== '' ? value : this.fail(path, 'must be a non-empty string');
  }

  count(value: JsonValue | undefined, path: string): number {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : this.fail(path, 'must be a non-negative integer');
  }

  digest(value: JsonValue | undefined, path: string): Digest {
    return isDigest(value) ? value : this.fail(path, 'must be sha256:<64 lowercase hex>');
  }

  array(value: JsonValue | undefined, path: string): JsonValue[] {
    return Array.isArray(value) ? value : this.fail(path, 'must be an array');
  }
}

function readPredicate(value: unknown, code: ErrorCode): LayersPredicate {
  const r = new Reader(code);
  const root = r.object(value as JsonValue, 'predicate', ['image', 'buildEnvironment', 'layers']);
  const image = r.object(root.image, 'image', ['digest', 'configDigest', 'platform']);
  const platformJson = r.object(image.platform, 'image.platform', ['os', 'architecture'], ['variant']);
  const platform: Platform = { os: r.text(platformJson.os, 'image.platform.os'), architecture: r.text(platformJson.architecture, 'image.platform.architecture') };
  if (Object.hasOwn(platformJson, 'variant')) platform.variant = r.text(platformJson.variant, 'image.platform.variant');
  const buildEnvironment = root.buildEnvironment;
  if (!isJsonObject(buildEnvironment)) return r.fail('buildEnvironment', 'must be an object');
  return {
    image: { digest: r.digest(image.digest, 'image.digest'), configDigest: r.digest(image.configDigest, 'image.configDigest'), platform },
    buildEnvironment,
    layers: r.array(root.layers, 'layers').map((l, i) => readLayer(r, l, i)),
  };
}

const LAYER_FIELDS = ['index', 'digest', 'diffID', 'mediaType', 'size', 'createdBy', 'fileTreeHash', 'entries', 'packages'];

function readLayer(r: Reader, value: JsonValue, i: number): PredicateLayer {
  const at = `layers[${i}]`;
  const l = r.object(value, at, LAYER_FIELDS);
  if (r.count(l.index, `${at}.index`) !== i) r.fail(`${at}.index`, `must be ${i}, the layer's position in the manifest`);
  if (l.createdBy !== null && typeof l.createdBy !== 'string') r.fail(`${at}.createdBy`, 'must be a string or null');
  const p = r.object(l.packages, `${at}.packages`, ['added', 'upgraded', 'removed']);
  const list = (key: 'added' | 'removed'): PredicatePackage[] =>
    r.array(p[key], `${at}.packages.${key}`).map((v, j) => readPackage(r, v, `${at}.packages.${key}[${j}]`));
  return {
    index: i,
    digest: r.digest(l.digest, `${at}.digest`),
    diffID: r.digest(l.diffID, `${at}.diffID`),
    mediaType: r.text(l.mediaType, `${at}.mediaType`),
    size: r.count(l.size, `${at}.size`),
    createdBy: l.createdBy as string | null,
    fileTreeHash: r.digest(l.fileTreeHash, `${at}.fileTreeHash`),
    entries: r.count(l.entries, `${at}.entries`),
    packages: {
      added: list('added'),
      upgraded: r.array(p.upgraded, `${at}.packages.upgraded`).map((v, j) => {
        const path = `${at}.packages.upgraded[${j}]`;
        const u = r.object(v, path, ['from', 'to']);
        return { from: readPackage(r, u.from, `${path}.from`), to: readPackage(r, u.to, `${path}.to`) };
      }),
      removed: list('removed'),
    },
  };
}

function readPackage(r: Reader, value: JsonValue | undefined, path: string): PredicatePackage {
  const p = r.object(value, path, ['ecosystem', 'name', 'version', 'purl'], ['source']);
  const ecosystem = p.ecosystem as Ecosystem;
  if (!ECOSYSTEMS.includes(ecosystem)) r.fail(`${path}.ecosystem`, `must be one of ${ECOSYSTEMS.join(', ')}`);
  const purl = r.text(p.purl, `${path}.purl`);
  // Each ecosystem's purl type has the ecosystem's name.
  if (!purl.startsWith(`pkg:${ecosystem}/`) || /\s/.test(purl)) r.fail(`${path}.purl`, `must be a pkg:${ecosystem}/ package URL`);
  const out: PredicatePackage = { ecosystem, name: r.text(p.name, `${path}.name`), version: r.text(p.version, `${path}.version`), purl };
  if (Object.hasOwn(p, 'source')) {
    const s = r.object(p.source, `${path}.source`, ['name'], ['version']);
    out.source = { name: r.text(s.name, `${path}.source.name`) };
    if (Object.hasOwn(s, 'version')) out.source.version = r.text(s.version, `${path}.source.version`);
  }
  return out;
}
