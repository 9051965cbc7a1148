// cosign's tag-based discovery (cosign specs/SIGNATURE_SPEC.md, ATTESTATION_SPEC.md): the attachments of
// image `sha256:<hex>` live in the same repository under the tag `sha256-<hex>.sig` (simple-signing payloads,
// signature in the layer annotation) or `sha256-<hex>.att` (DSSE envelopes), one manifest per image with
// one layer per signature.
import { digestHex, type Digest } from '../../core/digest.js';
import { bytesEqual } from '../../core/bytes.js';
import { MediaType } from '../media-types.js';
import type { ArtifactRepository, Descriptor, RawManifest } from '../types.js';
import {
  attachmentManifest,
  blobDescriptor,
  ociManifest,
  readLayers,
  type AttachedLayer,
  type AttachmentBlob,
} from './artifact-manifest.js';

export type CosignTagKind = 'sig' | 'att' | 'sbom';

export const COSIGN_SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const COSIGN_CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const COSIGN_CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
export const COSIGN_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const PREDICATE_TYPE_ANNOTATION = 'predicateType';
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

export function cosignTag(subject: Digest, kind: CosignTagKind): string {
  return `sha256-${digestHex(subject)}.${kind}`;
}

/** The layers under the subject's cosign tag, each read and digest-checked; none when the tag is absent. */
export async function readCosignLayers(repo: ArtifactRepository, subject: Digest, kind: CosignTagKind): Promise<AttachedLayer[]> {
  const raw = await repo.fetchTag(cosignTag(subject, kind));
  if (raw === undefined) return [];
  return readLayers(repo, attachmentManifest(raw));
}

/**
 * Adds one layer to the subject's cosign tag, keeping the layers already there. A layer with the same
 * payload and annotations is not added twice. Like cosign, this is read-modify-write on a tag: two
 * writers racing on the same image can lose one signature, which the writer can detect by reading back.
 */
export async function appendCosignLayer(
  repo: ArtifactRepository,
  subject: Digest,
  kind: CosignTagKind,
  blob: AttachmentBlob,
  /** Whether a layer already there stands for this one; default: same digest, media type and annotations. */
  isSame?: (existing: Descriptor) => boolean,
): Promise<{ manifest: RawManifest; added: boolean; existing?: Descriptor }> {
  const tag = cosignTag(subject, kind);
  const existingRaw = await repo.fetchTag(tag);
  const existing = existingRaw === undefined ? [] : attachmentManifest(existingRaw).layers;
  const layer = blobDescriptor(blob);
  const same = existing.find(isSame ?? ((d) => sameLayer(d, layer)));
  if (existingRaw !== undefined && same !== undefined) return { manifest: existingRaw, added: false, existing: same };

  await repo.pushBlob(blob.bytes, blob.mediaType);
  const layers = [...existing, layer];
  const config = Buffer.from(JSON.stringify(signatureImageConfig(layers)));
  const configDesc = await repo.pushBlob(config, MediaType.ociConfig);
  const manifest = ociManifest({ config: { mediaType: MediaType.ociConfig, digest: configDesc.digest, size: configDesc.size }, layers });
  await repo.pushManifest(manifest, tag);
  return { manifest, added: true };
}

function sameLayer(a: Descriptor, b: Descriptor): boolean {
  if (a.digest !== b.digest || a.mediaType !== b.mediaType) return false;
  const left = JSON.stringify(Object.entries(a.annotations ?? {}).sort());
  const right = JSON.stringify(Object.entries(b.annotations ?? {}).sort());
  return bytesEqual(Buffer.from(left), Buffer.from(right));
}

/**
 * The image config cosign's signature images carry (go-containerregistry's empty image with the payload
 * layers appended): the layers are stored uncompressed, so their diff IDs are their digests.
 */
function signatureImageConfig(layers: Descriptor[]): object {
  return {
    architecture: '',
    created: '0001-01-01T00:00:00Z',
    history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
    os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    config: {},
  };
}
