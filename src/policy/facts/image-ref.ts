// The image a decision is about: the reference as asked, in Docker's normalised form (src/oci/reference.ts), and
// the manifest digest it resolved to. Reference parsing is pure text work, so the policy layer may use it.
import { parseDigest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { parseImageReference } from '../../oci/reference.js';
import type { ImageRef } from '../facts.js';

/**
 * `reference` ("nginx:1.27", "ghcr.io/acme/app@sha256:...") resolved to `digest`. A reference that pins another
 * digest is refused. Errors: REFERENCE_INVALID, DIGEST_MALFORMED, UNSUPPORTED (not sha256), USAGE (digests differ).
 */
export function imageRefOf(reference: string, digest: string): ImageRef {
  const ref = parseImageReference(reference);
  const resolved = parseDigest(digest, 'image digest');
  if (ref.digest !== undefined && ref.digest !== resolved) {
    throw new ProvenantError('USAGE', `${reference} pins ${ref.digest}, not the digest ${resolved} it was resolved to`, {
      details: { reference, pinned: ref.digest, digest: resolved },
    });
  }
  return {
    reference,
    registry: ref.registry,
    repository: ref.repository,
    ...(ref.tag === undefined ? {} : { tag: ref.tag }),
    digest: resolved,
  };
}
