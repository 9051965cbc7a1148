// The public API of the local OCI transports (OCI layout, docker-archive) and of the format code they share
// with the registry client. The package index re-exports from here.
import { ProvenantError } from '../core/errors.js';
import { DockerArchive } from './docker-archive.js';
import { OciLayout } from './layout.js';
import type { ImageSource } from './types.js';

export { DockerArchive } from './docker-archive.js';
export { parseArchiveSelector, synthesizeDockerManifest, type ArchiveItem, type ArchiveSelector } from './docker-archive-manifest.js';
export { layerHistory, MAX_CONFIG_BYTES, parseImageConfig, type HistoryEntry, type ImageConfig, type LayerHistory } from './image-config.js';
export { createLayout, MAX_REFERRER_SCAN_BYTES, OciLayout, parseOciLayoutSpec } from './layout.js';
export { isValidRefName, REF_NAME_ANNOTATION } from './layout-index.js';
export {
  artifactTypeOf,
  manifestDescriptor,
  MAX_MANIFEST_BYTES,
  parseManifest,
  parseRawManifest,
  toRawManifest,
  type ImageIndex,
  type ImageManifest,
  type Manifest,
} from './manifest.js';
export {
  contentTypeMediaType,
  isManifestMediaType,
  layerCompression,
  MANIFEST_MEDIA_TYPES,
  manifestFormatOf,
  MediaType,
  type LayerCompression,
  type ManifestFormat,
} from './media-types.js';
export { parseDescriptor, MAX_DESCRIPTORS } from './descriptor.js';
export {
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
  platformMatches,
  selectPlatformManifest,
} from './platform.js';
export {
  DOCKER_HUB,
  isValidTag,
  parseImageReference,
  registryApiHost,
  withDigest,
  withTag,
  type ImageReference,
} from './reference.js';
export { TarIndex, type TarEntry } from './tar-index.js';
export { readVerified, verifiedStream } from './verified-stream.js';

/**
 * Opens a local image source from its transport-prefixed name: `oci:DIR[:NAME]` or `docker-archive:FILE[:REF]`.
 * Anything else is SOURCE_UNSUPPORTED (registry references are the registry client's).
 */
export async function openLocalSource(spec: string): Promise<ImageSource> {
  if (spec.startsWith('oci:')) return OciLayout.fromSpec(spec);
  if (spec.startsWith('docker-archive:')) return DockerArchive.fromSpec(spec);
  throw new ProvenantError('SOURCE_UNSUPPORTED', `${JSON.stringify(spec)} is not an oci: or docker-archive: source`, {
    details: { source: spec },
  });
}
