// What `provenant inspect` reports: the digest a reference resolves to, the platform image, its layers with
// their history, and the signatures, attestations and referrers attached to it.
import type { Digest } from '../core/digest.js';
import { cosignTag, readCosignLayers } from '../oci/attachments/cosign-tags.js';
import { layerHistory, MAX_CONFIG_BYTES, parseImageConfig } from '../oci/image-config.js';
import { formatPlatform } from '../oci/platform.js';
import { resolveImage } from '../oci/resolve.js';
import type { ArtifactRepository, ImageSource, Platform } from '../oci/types.js';
import { isArtifactRepository } from '../oci/open-image.js';

export interface LayerSummary {
  digest: Digest;
  diffID: Digest | null;
  size: number;
  mediaType: string;
  createdBy: string | null;
}

export interface AttachmentSummary {
  tag: string;
  layers: Array<{ digest: Digest; mediaType: string; predicateType?: string }>;
}

export interface ImageInspection {
  source: string;
  transport: string;
  digest: Digest;
  mediaType: string;
  platform: string | null;
  imageDigest: Digest;
  config: { digest: Digest; os: string; architecture: string; created: string | null };
  layers: LayerSummary[];
  attachments: {
    signatures: AttachmentSummary | null;
    attestations: AttachmentSummary | null;
    referrers: Array<{ digest: Digest; artifactType: string | null; annotations: Record<string, string> }>;
  } | null;
}

export async function inspectImage(source: ImageSource, platform?: Platform): Promise<ImageInspection> {
  const resolved = await resolveImage(source, platform);
  const configBytes = await source.readBlob(resolved.manifest.config, MAX_CONFIG_BYTES);
  const config = parseImageConfig(configBytes);
  const history = layerHistory(config);
  const layers = resolved.manifest.layers.map((layer, i) => ({
    digest: layer.digest,
    diffID: config.diffIds[i] ?? null,
    size: layer.size,
    mediaType: layer.mediaType,
    createdBy: history.perLayer[i]?.createdBy ?? null,
  }));
  const chosen = resolved.platform ?? { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  return {
    source: source.describe(),
    transport: source.transport,
    digest: resolved.top.digest,
    mediaType: resolved.top.mediaType,
    platform: config.os === '' ? null : formatPlatform(chosen),
    imageDigest: resolved.image.digest,
    config: { digest: resolved.manifest.config.digest, os: config.os, architecture: config.architecture, created: config.created ?? null },
    layers,
    attachments: isArtifactRepository(source) ? await attachments(source, resolved.top.digest) : null,
  };
}

async function attachments(repo: ArtifactRepository, digest: Digest): Promise<NonNullable<ImageInspection['attachments']>> {
  const summary = async (kind: 'sig' | 'att'): Promise<AttachmentSummary | null> => {
    const layers = await readCosignLayers(repo, digest, kind);
    if (layers.length === 0) return null;
    return {
      tag: cosignTag(digest, kind),
      layers: layers.map((l) => ({
        digest: l.descriptor.digest,
        mediaType: l.descriptor.mediaType,
        ...(l.descriptor.annotations?.predicateType === undefined ? {} : { predicateType: l.descriptor.annotations.predicateType }),
      })),
    };
  };
  const referrers = await repo.listReferrers(digest);
  return {
    signatures: await summary('sig'),
    attestations: await summary('att'),
    referrers: referrers.map((r) => ({ digest: r.digest, artifactType: r.artifactType ?? null, annotations: r.annotations ?? {} })),
  };
}
