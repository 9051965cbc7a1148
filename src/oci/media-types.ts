// Media types of manifests, configs and layers: OCI image-spec v1.1 (media-types.md) and Docker Image Manifest
// V2 Schema 2. Docker schema 1 is named only to be refused: it carries no content-addressed config and its
// signatures are not what Provenant verifies.
import { ProvenantError } from '../core/errors.js';

export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** The four manifest formats Provenant reads. */
export type ManifestFormat = 'oci-manifest' | 'oci-index' | 'docker-manifest' | 'docker-manifest-list';

const FORMAT_BY_MEDIA_TYPE: Readonly<Record<string, ManifestFormat>> = {
  [MediaType.ociManifest]: 'oci-manifest',
  [MediaType.ociIndex]: 'oci-index',
  [MediaType.dockerManifest]: 'docker-manifest',
  [MediaType.dockerManifestList]: 'docker-manifest-list',
};

/** Manifest media types, in the order of preference a registry client should put in its Accept header. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
];


/** RFC 6838 section 4.2 restricted-name, as image-spec descriptor.md requires of `mediaType`. */
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function isValidMediaType(value: string): boolean {
  return MEDIA_TYPE_RE.test(value);
}

export function manifestFormatOf(mediaType: string): ManifestFormat | undefined {
  return Object.hasOwn(FORMAT_BY_MEDIA_TYPE, mediaType) ? FORMAT_BY_MEDIA_TYPE[mediaType] : undefined;
}

export function isManifestMediaType(mediaType: string): boolean {
  return manifestFormatOf(mediaType) !== undefined;
}

export function isIndexFormat(format: ManifestFormat): boolean {
  switch (format) {
    case 'oci-index':
    case 'docker-manifest-list':
      return true;
    case 'oci-manifest':
    case 'docker-manifest':
      return false;
  }
}

export function mediaTypeOfFormat(format: ManifestFormat): string {
  switch (format) {
    case 'oci-manifest':
      return MediaType.ociManifest;
    case 'oci-index':
      return MediaType.ociIndex;
    case 'docker-manifest':
      return MediaType.dockerManifest;
    case 'docker-manifest-list':
      return MediaType.dockerManifestList;
  }
}

export function isSchema1MediaType(mediaType: string): boolean {
  return mediaType === MediaType.dockerSchema1 || mediaType === MediaType.dockerSchema1Signed;
}

/**
 * The media type of an HTTP Content-Type value: parameters ("; charset=utf-8") dropped, case folded (RFC 9110
 * section 8.3.1 makes type and subtype case-insensitive). Undefined for an absent or empty header.
 */
export function contentTypeMediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const value = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return value === '' ? undefined : value;
}

export type LayerCompression = 'none' | 'gzip' | 'zstd';

const COMPRESSION_BY_LAYER_TYPE: Readonly<Record<string, LayerCompression>> = {
  [MediaType.ociLayer]: 'none',
  [MediaType.dockerLayer]: 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  [MediaType.ociLayerGzip]: 'gzip',
  [MediaType.dockerLayerGzip]: 'gzip',
  [MediaType.dockerForeignLayerGzip]: 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  [MediaType.ociLayerZstd]: 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
};

/** How a layer media type says its bytes are compressed; undefined for media types that are not layers. */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  return Object.hasOwn(COMPRESSION_BY_LAYER_TYPE, mediaType) ? COMPRESSION_BY_LAYER_TYPE[mediaType] : undefined;
}

/** Throws MEDIA_TYPE_UNSUPPORTED for a manifest media type Provenant does not read. */
export function requireManifestFormat(mediaType: string, what = 'manifest'): ManifestFormat {
  const format = manifestFormatOf(mediaType);
  if (format !== undefined) return format;
  const reason = isSchema1MediaType(mediaType) ? 'Docker schema 1 manifests are not supported' : 'unknown manifest media type';
  throw new ProvenantError('MEDIA_TYPE_UNSUPPORTED', `${what} has media type ${JSON.stringify(mediaType)}: ${reason}`, {
    details: { mediaType },
  });
}
