// The metadata of `docker save` archives: manifest.json (moby image/tarexport: an array of {Config, RepoTags,
// Layers} items), the choice of one image by reference or `@N`, and the Docker v2 schema 2 manifest that
// stands for a classic archive image.
import type { Digest } from '../core/digest.js';
import { isProvenantError, ProvenantError } from '../core/errors.js';
import { isJsonObject, parseJson, type JsonValue } from '../core/json.js';
import { MAX_DESCRIPTORS } from './descriptor.js';
import { MAX_MANIFEST_BYTES } from './manifest.js';
import { MediaType } from './media-types.js';
import { parseImageReference, type ImageReference } from './reference.js';
import type { Descriptor } from './types.js';

export interface ArchiveItem {
  config: string;
  repoTags: string[];
  layers: string[];
}

/** What `docker-archive:FILE:REF` selects: nothing (the only image), a reference, or the N-th image. */
export type ArchiveSelector = { kind: 'only' } | { kind: 'reference'; ref: ImageReference; text: string } | { kind: 'index'; index: number };

export const CONTAINERD_IMAGE_NAME = 'io.containerd.image.name';

function archiveError(reason: string, cause?: unknown): ProvenantError {
  return new ProvenantError('ARCHIVE_MALFORMED', `docker archive manifest.json ${reason}`, { details: { file: 'manifest.json' }, cause });
}

function strings(value: JsonValue | undefined, where: string, optional: boolean): string[] {
  if (optional && (value === undefined || value === null)) return [];
  if (!Array.isArray(value) || value.length > MAX_DESCRIPTORS) throw archiveError(`${where} must be an array of strings`);
  return value.map((v) => {
    if (typeof v !== 'string') throw archiveError(`${where} must be an array of strings`);
    return v;
  });
}

/** Parses manifest.json. Errors: ARCHIVE_MALFORMED, INPUT_TOO_LARGE. */
export function parseArchiveManifest(bytes: Uint8Array): ArchiveItem[] {
  let doc: JsonValue;
  try {
    doc = parseJson(bytes, 'manifest.json', { maxLength: MAX_MANIFEST_BYTES });
  } catch (e) {
    if (isProvenantError(e, 'INPUT_TOO_LARGE')) throw e;
    throw archiveError('is not valid JSON', e);
  }
  if (!Array.isArray(doc) || doc.length > MAX_DESCRIPTORS) throw archiveError('must be an array of images');
  return doc.map((item, i) => {
    if (!isJsonObject(item) || typeof item['Config'] !== 'string') throw archiveError(`item ${i} must have a Config path`);
    return {
      config: item['Config'],
      repoTags: strings(item['RepoTags'], `item ${i} RepoTags`, true),
      layers: strings(item['Layers'], `item ${i} Layers`, false),
    };
  });
}

/** Parses the REF part of `docker-archive:FILE:REF`: "" (none), "@N", or an image reference without digest. */
export function parseArchiveSelector(text: string | undefined): ArchiveSelector {
  if (text === undefined || text === '') return { kind: 'only' };
  if (text.startsWith('@')) {
    if (!/^@(0|[1-9][0-9]{0,8})$/.test(text)) {
      throw new ProvenantError('REFERENCE_INVALID', `${JSON.stringify(text)} is not a source index (@N)`, { details: { reference: text } });
    }
    return { kind: 'index', index: Number(text.slice(1)) };
  }
  const ref = parseImageReference(text);
  if (ref.digest !== undefined) {
    throw new ProvenantError('REFERENCE_INVALID', 'a docker-archive reference names a tag, not a digest', { details: { reference: text } });
  }
  return { kind: 'reference', ref, text };
}

/** True when `candidate` (a RepoTag or containerd image name) names the same repository and tag as `ref`. */
export function sameTaggedName(candidate: string, ref: ImageReference): boolean {
  try {
    const parsed = parseImageReference(candidate);
    return parsed.name === ref.name && parsed.tag === ref.tag && parsed.digest === undefined;
  } catch {
    return false;
  }
}

function notFound(selector: ArchiveSelector): ProvenantError {
  const what = selector.kind === 'reference' ? selector.text : selector.kind === 'index' ? `@${selector.index}` : 'an image';
  return new ProvenantError('MANIFEST_NOT_FOUND', `the archive has no image ${what}`, { details: { reference: what } });
}

function ambiguous(count: number, names: string[]): ProvenantError {
  return new ProvenantError('IMAGE_AMBIGUOUS', `the archive holds ${count} images; name one (docker-archive:FILE:REF or :@N)`, {
    details: { names },
  });
}

/** The manifest.json item a classic archive reference selects. */
export function selectArchiveItem(items: ArchiveItem[], selector: ArchiveSelector): ArchiveItem {
  switch (selector.kind) {
    case 'only':
      if (items.length === 0) throw archiveError('lists no image');
      if (items.length > 1) throw ambiguous(items.length, items.flatMap((i) => i.repoTags));
      return items[0]!;
    case 'index': {
      const item = items[selector.index];
      if (item === undefined) throw notFound(selector);
      return item;
    }
    case 'reference': {
      const item = items.find((i) => i.repoTags.some((t) => sameTaggedName(t, selector.ref)));
      if (item === undefined) throw notFound(selector);
      return item;
    }
  }
}

/** The index.json entry an OCI-shaped archive reference selects (by containerd image name or exact ref.name). */
export function selectIndexEntry(manifests: Descriptor[], selector: ArchiveSelector): Descriptor {
  switch (selector.kind) {
    case 'only': {
      if (manifests.length === 0) throw archiveError('index.json lists no image');
      const digests = new Set(manifests.map((d) => d.digest));
      if (digests.size > 1) throw ambiguous(digests.size, manifests.flatMap((d) => d.annotations?.[CONTAINERD_IMAGE_NAME] ?? []));
      return manifests[0]!;
    }
    case 'index': {
      const desc = manifests[selector.index];
      if (desc === undefined) throw notFound(selector);
      return desc;
    }
    case 'reference': {
      const desc = manifests.find((d) => {
        const name = d.annotations?.[CONTAINERD_IMAGE_NAME];
        if (name !== undefined && sameTaggedName(name, selector.ref)) return true;
        return d.annotations?.['org.opencontainers.image.ref.name'] === selector.text;
      });
      if (desc === undefined) throw notFound(selector);
      return desc;
    }
  }
}

/**
 * The Docker v2 schema 2 manifest for a classic archive image, serialised with the property order
 * containers/image uses (schemaVersion, mediaType, config, layers; each descriptor mediaType, size, digest).
 */
export function synthesizeDockerManifest(config: { digest: Digest; size: number }, layers: Descriptor[]): Buffer {
  const descriptor = (mediaType: string, d: { digest: Digest; size: number }) => ({ mediaType, size: d.size, digest: d.digest });
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.dockerManifest,
    config: descriptor(MediaType.dockerConfig, config),
    layers: layers.map((l) => descriptor(l.mediaType, l)),
  };
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}
