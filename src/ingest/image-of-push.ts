// Which image a pushed manifest concerns. Signatures and attestations are pushed after their image, each push
// with its own event, so a push of an attachment means its subject must be examined again:
// - cosign's tags `sha256-<hex>.sig`, `.att`, `.sbom` (cosign specs/SIGNATURE_SPEC.md, ATTESTATION_SPEC.md);
// - the referrers fallback index `sha256-<hex>` (distribution-spec "Referrers Tag Schema");
// - a manifest with a `subject` (OCI image-spec v1.1 manifest.md "subject"), as pushed to registries that have
//   the referrers API.
// Anything else is an image (or an index of images) in its own right.
import { digestFromHex, type Digest } from '../core/digest.js';
import { parseManifest, type Manifest } from '../oci/manifest.js';
import { DSSE_MEDIA_TYPE, SIMPLE_SIGNING_MEDIA_TYPE } from '../oci/attachments/cosign-tags.js';
import { SIGSTORE_BUNDLE_MEDIA_TYPE } from '../oci/attachments/referrers.js';
import type { RawManifest } from '../oci/types.js';

const COSIGN_TAG_RE = /^sha256-([0-9a-f]{64})\.(sig|att|sbom)$/;
const REFERRERS_TAG_RE = /^sha256-([0-9a-f]{64})$/;
/** Layer media types that only attachments carry: a manifest of these alone, with no subject, is not an image. */
const ATTACHMENT_LAYER_TYPES = new Set<string>([SIMPLE_SIGNING_MEDIA_TYPE, DSSE_MEDIA_TYPE, SIGSTORE_BUNDLE_MEDIA_TYPE]);

export type TagAttachment = { via: 'cosign-tag'; kind: 'sig' | 'att' | 'sbom'; subject: Digest } | { via: 'referrers-tag'; subject: Digest };

/** The image a tag of an attachment names, or undefined for an ordinary tag. */
export function subjectOfTag(tag: string | undefined): TagAttachment | undefined {
  if (tag === undefined) return undefined;
  const cosign = COSIGN_TAG_RE.exec(tag);
  if (cosign !== null) return { via: 'cosign-tag', kind: cosign[2] as 'sig' | 'att' | 'sbom', subject: digestFromHex(cosign[1]!) };
  const fallback = REFERRERS_TAG_RE.exec(tag);
  if (fallback !== null) return { via: 'referrers-tag', subject: digestFromHex(fallback[1]!) };
  return undefined;
}

export type ManifestRole =
  /** The manifest is an image or an index: examine it. */
  | { role: 'image'; manifest: Manifest }
  /** The manifest refers to another one: examine its subject. */
  | { role: 'referrer'; subject: Digest }
  /** Attachment layers with nothing saying what they are attached to: nothing to examine. */
  | { role: 'detached-attachment' };

/** What a pushed manifest is. Errors: those of parseManifest (MANIFEST_MALFORMED, MEDIA_TYPE_UNSUPPORTED, ...). */
export function roleOfManifest(raw: RawManifest): ManifestRole {
  const manifest = parseManifest(raw.bytes, raw.mediaType);
  if (manifest.subject !== undefined) return { role: 'referrer', subject: manifest.subject.digest };
  if (manifest.kind === 'manifest' && manifest.layers.length > 0 && manifest.layers.every((l) => ATTACHMENT_LAYER_TYPES.has(l.mediaType))) {
    return { role: 'detached-attachment' };
  }
  return { role: 'image', manifest };
}

export interface ImageOfPush {
  readonly image: Digest;
  /** The tag the image itself was pushed under; unknown when the push was of an attachment. */
  readonly tag?: string;
  /** The image manifest when the push was of the image itself (saves fetching it again). */
  readonly raw?: RawManifest;
}

/**
 * The image a push concerns: from the tag alone when it is an attachment tag, else by reading the pushed manifest
 * (`fetch` is called at most once). Undefined when there is nothing to examine.
 */
export async function imageOfPush(
  push: { digest: Digest; tag?: string },
  fetch: (digest: Digest) => Promise<RawManifest>,
): Promise<ImageOfPush | undefined> {
  const byTag = subjectOfTag(push.tag);
  if (byTag !== undefined) return { image: byTag.subject };
  const raw = await fetch(push.digest);
  const role = roleOfManifest(raw);
  switch (role.role) {
    case 'image':
      return { image: push.digest, raw, ...(push.tag === undefined ? {} : { tag: push.tag }) };
    case 'referrer':
      return { image: role.subject };
    case 'detached-attachment':
      return undefined;
  }
}

/**
 * distribution announces a push by tag before it links the tag (the manifest is stored, the event sent, then the tag
 * written), so an examination started at once can read the attachment tag as it was before the push. Waits, with
 * growing pauses, until `tag` names `digest`; false when it never did (a later push may have moved it, and brings
 * its own event).
 */
export async function tagSettles(
  head: (tag: string) => Promise<{ digest: Digest } | undefined>,
  tag: string,
  digest: Digest,
  pausesMs: readonly number[] = TAG_SETTLE_PAUSES_MS,
): Promise<boolean> {
  for (let i = 0; ; i++) {
    if ((await head(tag))?.digest === digest) return true;
    const pause = pausesMs[i];
    if (pause === undefined) return false;
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

/** The tag is written right after the manifest: waits of this order cover it, and bound the cost of a moved tag. */
export const TAG_SETTLE_PAUSES_MS: readonly number[] = [25, 50, 100, 200, 400];
