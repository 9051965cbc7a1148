// What a client checks before it trusts a newer checkpoint of a log it already knows: the same log, no going back,
// and a consistency proof that the new tree extends the trusted one (RFC 6962 §2.1.2). A log that shows two
// clients different histories must then show one of them an inconsistency, which is how split views are caught.
import { ProvenantError, isProvenantError } from '../core/errors.js';
import type { Checkpoint } from '../formats/checkpoint.js';
import { verifyConsistency } from '../merkle/index.js';
import type { ConsistencyProof } from './service.js';

/**
 * Checks that `latest` (already signature-verified) may replace `trusted` (null: nothing trusted yet, so it is
 * taken as is) and returns it. `consistency` must prove trusted.size -> latest.size when the log grew from a
 * non-empty tree. Errors: CHECKPOINT_ORIGIN_MISMATCH, LOG_ROLLBACK (smaller than trusted), LOG_FORK (same size
 * with another root, or a missing or failing consistency proof; details say which).
 */
export function checkNewCheckpoint(trusted: Checkpoint | null, latest: Checkpoint, consistency: ConsistencyProof | null): Checkpoint {
  if (trusted === null) return latest;
  const sizes = { trustedSize: trusted.size.toString(), size: latest.size.toString() };
  if (latest.origin !== trusted.origin) {
    throw new ProvenantError('CHECKPOINT_ORIGIN_MISMATCH', `the checkpoint is of log ${JSON.stringify(latest.origin)}, not ${JSON.stringify(trusted.origin)}`, {
      details: { origin: latest.origin, expected: trusted.origin },
    });
  }
  if (latest.size < trusted.size) {
    throw new ProvenantError('LOG_ROLLBACK', `the log presented size ${latest.size}, smaller than the trusted ${trusted.size}`, { details: sizes });
  }
  if (latest.size === trusted.size) {
    if (!latest.rootHash.equals(trusted.rootHash)) {
      throw fork('the log presented another root for the trusted size', {
        ...sizes,
        trustedRoot: trusted.rootHash.toString('hex'),
        root: latest.rootHash.toString('hex'),
      });
    }
    return latest;
  }
  // Every tree extends the empty one.
  if (trusted.size === 0n) return latest;
  if (consistency === null) throw fork('no consistency proof was given for the new size', { ...sizes, reason: 'missing' });
  if (consistency.from !== trusted.size || consistency.to !== latest.size) {
    throw fork('the consistency proof is for other sizes', { ...sizes, from: String(consistency.from), to: String(consistency.to), reason: 'sizes' });
  }
  const proof = consistency.hashes.map((h, i) => {
    if (typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h)) throw fork(`consistency proof hash ${i} is not 64 lowercase hex digits`, { ...sizes, reason: 'malformed' });
    return Buffer.from(h, 'hex');
  });
  try {
    verifyConsistency(trusted.size, latest.size, proof, trusted.rootHash, latest.rootHash);
  } catch (e) {
    if (isProvenantError(e, 'MERKLE_PROOF_INVALID') || isProvenantError(e, 'MERKLE_ROOT_MISMATCH')) {
      throw fork('the new checkpoint is not consistent with the trusted one', { ...sizes, reason: e.code, ...(e.details ?? {}) }, e);
    }
    throw e;
  }
  return latest;
}

function fork(message: string, details: Record<string, unknown>, cause?: unknown): ProvenantError {
  return new ProvenantError('LOG_FORK', message, cause === undefined ? { details } : { details, cause });
}
