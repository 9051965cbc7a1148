// Sigstore bundles attached as OCI 1.1 referrers (cosign specs/BUNDLE_SPEC.md): one manifest per bundle,
// `artifactType` the bundle media type, the empty config, one layer holding the bundle JSON, and `subject`
// naming the image. Registries without the referrers API get the `sha256-<hex>` fallback index, which the
// repository adapters maintain on push.
import type { Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { MediaType } from '../media-types.js';
import type { ArtifactRepository, Descriptor, RawManifest } from '../types.js';
import { fetchAttachment, ociManifest, readLayers, type AttachedLayer } from './artifact-manifest.js';

export const SIGSTORE_BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const BUNDLE_CONTENT_ANNOTATION = 'dev.sigstore.bundle.content';
export const BUNDLE_PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
const TITLE_ANNOTATION = 'org.opencontainers.image.title';

/** The OCI empty descriptor: the two bytes `{}` (image-spec manifest.md, "Guidance for an Empty Descriptor"). */
const EMPTY_CONFIG = Buffer.from('{}');

export interface BundleReferrer {
  bundleJson: Buffer;
  content: 'dsse-envelope' | 'message-signature';
  predicateType?: string;
  created: Date;
}

export async function attachBundleReferrer(repo: ArtifactRepository, subject: RawManifest, referrer: BundleReferrer): Promise<RawManifest> {
  const config = await repo.pushBlob(EMPTY_CONFIG, MediaType.ociEmpty);
  const layer = await repo.pushBlob(referrer.bundleJson, SIGSTORE_BUNDLE_MEDIA_TYPE);
  const annotations: Record<string, string> = { [BUNDLE_CONTENT_ANNOTATION]: referrer.content };
  if (referrer.predicateType !== undefined) annotations[BUNDLE_PREDICATE_TYPE_ANNOTATION] = referrer.predicateType;
  annotations[CREATED_ANNOTATION] = referrer.created.toISOString();
  const manifest = ociManifest({
    artifactType: SIGSTORE_BUNDLE_MEDIA_TYPE,
    config: { mediaType: MediaType.ociEmpty, digest: config.digest, size: config.size },
    layers: [
      {
        mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE,
        digest: layer.digest,
        size: layer.size,
        annotations: { [TITLE_ANNOTATION]: `${layer.digest.replace(':', '-')}.sigstore.json` },
      },
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length },
    annotations,
  });
  await repo.pushManifest(manifest);
  return manifest;
}

export interface FoundBundle extends AttachedLayer {
  referrer: Descriptor;
}

export interface RejectedReferrer {
  referrer: Descriptor;
  error: ProvenantError;
}

/**
 * The bundle layers of every referrer of `subject` with the bundle artifact type. The listing is the
 * registry's claim: a referrer whose own manifest names another subject, or that cannot be read, is set
 * aside in `rejected` (so one bad entry cannot hide the good ones) and never used as evidence.
 */
export async function readBundleReferrers(
  repo: ArtifactRepository,
  subject: Digest,
): Promise<{ found: FoundBundle[]; rejected: RejectedReferrer[] }> {
  const found: FoundBundle[] = [];
  const rejected: RejectedReferrer[] = [];
  for (const referrer of await repo.listReferrers(subject, SIGSTORE_BUNDLE_MEDIA_TYPE)) {
    if (referrer.artifactType !== undefined && referrer.artifactType !== SIGSTORE_BUNDLE_MEDIA_TYPE) continue;
    try {
      const { manifest } = await fetchAttachment(repo, referrer.digest);
      if (manifest.subject?.digest !== subject) {
        throw new ProvenantError('SIGNATURE_DIGEST_MISMATCH', `referrer ${referrer.digest} is listed for ${subject} but names ${manifest.subject?.digest ?? 'no subject'}`);
      }
      for (const layer of await readLayers(repo, manifest)) {
        if (layer.descriptor.mediaType === SIGSTORE_BUNDLE_MEDIA_TYPE) found.push({ ...layer, referrer });
      }
    } catch (e) {
      if (!(e instanceof ProvenantError) || e.code === 'REGISTRY_UNREACHABLE' || e.code === 'REGISTRY_TIMEOUT') throw e;
      rejected.push({ referrer, error: e });
    }
  }
  return { found, rejected };
}
