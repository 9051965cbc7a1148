// Why a piece of evidence was not accepted. Verification looks at every candidate signature or attestation
// and keeps a reason for each one it rejects, so the final error says what was found and why none passed.
import type { ErrorCode } from '../core/errors.js';
import { ProvenantError } from '../core/errors.js';

export interface RejectedEvidence {
  /** Where it was found: `sha256-<hex>.sig` layer, `.att` layer, or a referrer. */
  source: string;
  /** Digest of the layer or referrer manifest. */
  digest: string;
  code: ErrorCode;
  reason: string;
}

export function rejection(source: string, digest: string, e: unknown): RejectedEvidence {
  if (e instanceof ProvenantError) return { source, digest, code: e.code, reason: e.message };
  throw e;
}

/**
 * The error for "nothing verified": MISSING when there was no candidate at all, DIGEST_MISMATCH when a
 * candidate was validly signed but for another image, else the candidates' own failure (bad signature).
 */
export function noEvidenceError(what: string, subject: string, rejected: RejectedEvidence[], missing: ErrorCode): ProvenantError {
  const details = { subject, rejected };
  if (rejected.length === 0) return new ProvenantError(missing, `no ${what} found for ${subject}`, { details });
  const mismatch = rejected.find((r) => r.code === 'SIGNATURE_DIGEST_MISMATCH');
  const chosen = mismatch ?? rejected.find((r) => r.code === 'SIGNATURE_INVALID') ?? rejected[0]!;
  const summary = rejected.map((r) => `${r.source} ${r.digest}: ${r.reason}`).join('; ');
  return new ProvenantError(chosen.code, `no valid ${what} for ${subject} (${rejected.length} rejected: ${summary})`, { details });
}
