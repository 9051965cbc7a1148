// What `provenant record` records: a file (a VM disk image or anything else, hashed as a stream) or a container
// image (resolved to the digest of its manifest). An existing path is a file; `oci:` and `docker-archive:` specs and
// anything else are image references.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ProvenantError } from '../core/errors.js';
import type { Digest } from '../core/digest.js';
import type { ArtifactKind } from '../log/entries/index.js';
import { imageName, isLocalSpec, openImage, type RegistryAccess } from '../oci/open-image.js';
import { resolveImage } from '../oci/resolve.js';
import type { Platform } from '../oci/types.js';
import { hashFile } from './file-hash.js';

const DISK_IMAGE_RE = /\.(?:qcow2|raw|img|vmdk|vhdx?|vdi|iso|ova)$/i;

export interface RecordedArtifact {
  readonly kind: ArtifactKind;
  readonly name: string;
  readonly digest: Digest;
  readonly size: number;
  readonly mediaType?: string;
}

export async function resolveArtifact(spec: string, access: RegistryAccess, platform: Platform | undefined): Promise<RecordedArtifact> {
  if (!isLocalSpec(spec) && (await isPath(spec))) {
    const { digest, size } = await hashFile(spec);
    return { kind: 'file', name: basename(spec), digest, size };
  }
  // A path (or a disk image name) that does not exist is a typo, not an image reference to look up in a registry.
  if (!isLocalSpec(spec) && (/^(?:\.{1,2}\/|\/)/.test(spec) || DISK_IMAGE_RE.test(spec))) {
    throw new ProvenantError('FILE_NOT_FOUND', `${spec} does not exist`, { details: { path: spec } });
  }
  const source = await openImage(spec, access);
  try {
    // Without --platform the reference's own manifest (an index, possibly) is recorded, as signatures cover it.
    const manifest = platform === undefined ? await source.resolve() : (await resolveImage(source, platform)).image;
    return { kind: 'oci-image', name: recordedImageName(spec), digest: manifest.digest, size: manifest.bytes.length, mediaType: manifest.mediaType };
  } finally {
    await source.close?.();
  }
}

async function isPath(spec: string): Promise<boolean> {
  try {
    await stat(spec);
    return true;
  } catch {
    return false;
  }
}

// A record is public and permanent: a local layout or archive is named by its last path element, never by where it
// sits on this machine; registry images by their repository, as signatures name them.
function recordedImageName(spec: string): string {
  const name = imageName(spec);
  if (!isLocalSpec(spec)) return name;
  const colon = name.indexOf(':');
  return `${name.slice(0, colon)}:${basename(name.slice(colon + 1))}`;
}
