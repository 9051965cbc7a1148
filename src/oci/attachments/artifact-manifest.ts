// Building the small OCI manifests that carry attachments, and reading their layers back with bounds.
import { sha256Digest, type Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { parseManifest, toRawManifest, type ImageManifest } from '../manifest.js';
import { MediaType } from '../media-types.js';
import type { ArtifactRepository, Descriptor, RawManifest } from '../types.js';

/** Largest attachment layer read (a signature payload, a DSSE envelope, a bundle with an SBOM inside). */
export const MAX_ATTACHMENT_BYTES = 32 * 1024 * 1024;
/** Most layers read from one attachment manifest; more is refused rather than fetched. */
export const MAX_ATTACHMENT_LAYERS = 256;

export interface AttachmentBlob {
  mediaType: string;
  bytes: Buffer;
  annotations?: Record<string, string>;
}

export interface AttachedLayer {
  descriptor: Descriptor;
  bytes: Buffer;
}

export function blobDescriptor(blob: AttachmentBlob): Descriptor {
  const desc: Descriptor = { mediaType: blob.mediaType, digest: sha256Digest(blob.bytes), size: blob.bytes.length };
  if (blob.annotations !== undefined && Object.keys(blob.annotations).length > 0) desc.annotations = blob.annotations;
  return desc;
}

/** Serialises an OCI image manifest with members in the image-spec's order, and validates it. */
export function ociManifest(fields: {
  config: Descriptor;
  layers: Descriptor[];
  artifactType?: string;
  subject?: Descriptor;
  annotations?: Record<string, string>;
}): RawManifest {
  const doc: Record<string, unknown> = { schemaVersion: 2, mediaType: MediaType.ociManifest };
  if (fields.artifactType !== undefined) doc.artifactType = fields.artifactType;
  doc.config = fields.config;
  doc.layers = fields.layers;
  if (fields.subject !== undefined) doc.subject = fields.subject;
  if (fields.annotations !== undefined) doc.annotations = fields.annotations;
  return toRawManifest(Buffer.from(JSON.stringify(doc)), MediaType.ociManifest).raw;
}

/** Parses an attachment manifest, which must be a single image manifest of bounded size. */
export function attachmentManifest(raw: RawManifest): ImageManifest {
  const parsed = parseManifest(raw.bytes, raw.mediaType);
  if (parsed.kind !== 'manifest') {
    throw new ProvenantError('MANIFEST_MALFORMED', `attachment ${raw.digest} is an index, not a manifest`);
  }
  if (parsed.layers.length > MAX_ATTACHMENT_LAYERS) {
    throw new ProvenantError('INPUT_TOO_LARGE', `attachment ${raw.digest} has ${parsed.layers.length} layers, over ${MAX_ATTACHMENT_LAYERS}`);
  }
  return parsed;
}

/** Reads every layer of an attachment manifest, each checked against its digest. */
export async function readLayers(repo: ArtifactRepository, manifest: ImageManifest): Promise<AttachedLayer[]> {
  const out: AttachedLayer[] = [];
  for (const descriptor of manifest.layers) {
    out.push({ descriptor, bytes: await repo.readBlob(descriptor, MAX_ATTACHMENT_BYTES) });
  }
  return out;
}

export async function fetchAttachment(repo: ArtifactRepository, digest: Digest): Promise<{ raw: RawManifest; manifest: ImageManifest }> {
  const raw = await repo.fetchManifest(digest);
  return { raw, manifest: attachmentManifest(raw) };
}
