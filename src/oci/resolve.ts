// From a reference to one image: the top-level manifest the reference names (which is what signatures
// cover, as with cosign) and, through an index, the platform image whose layers are analysed.
import { ProvenantError } from '../core/errors.js';
import { parseManifest, type ImageIndex, type ImageManifest } from './manifest.js';
import { selectPlatformManifest } from './platform.js';
import type { ImageSource, Platform, RawManifest } from './types.js';

export interface ResolvedImage {
  /** What the reference names: an image manifest, or an index. Signatures cover this digest. */
  top: RawManifest;
  index?: ImageIndex;
  /** The single-platform image manifest (equal to `top` when the reference names a manifest). */
  image: RawManifest;
  manifest: ImageManifest;
  platform?: Platform;
}

export async function resolveImage(source: ImageSource, platform?: Platform): Promise<ResolvedImage> {
  const top = await source.resolve();
  const parsed = parseManifest(top.bytes, top.mediaType);
  switch (parsed.kind) {
    case 'manifest':
      return { top, image: top, manifest: parsed };
    case 'index': {
      const chosen = selectPlatformManifest(parsed, platform);
      const image = await source.fetchManifest(chosen.digest);
      const manifest = parseManifest(image.bytes, chosen.mediaType);
      if (manifest.kind !== 'manifest') {
        throw new ProvenantError('MANIFEST_MALFORMED', `index entry ${chosen.digest} is itself an index; nested indexes are not followed`);
      }
      return { top, index: parsed, image, manifest, ...(chosen.platform === undefined ? {} : { platform: chosen.platform }) };
    }
  }
}
