// Arguments of the store commands: log indices and sizes, record references (an index or an entry digest).
import { isDigest, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { MAX_U64 } from '../merkle/index.js';

/** A log index or tree size in decimal. Errors: USAGE. */
export function parseIndex(value: string, what: string): bigint {
  if (!/^(?:0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) > MAX_U64) {
    throw new ProvenantError('USAGE', `${what} must be a non-negative decimal integer, not ${JSON.stringify(value)}`);
  }
  return BigInt(value);
}

/** An entry named by log index or by entry digest. Errors: USAGE, DIGEST_MALFORMED. */
export function parseEntryRef(value: string, what: string): { index: bigint } | { digest: Digest } {
  if (value.startsWith('sha256:')) {
    if (!isDigest(value)) throw new ProvenantError('DIGEST_MALFORMED', `${what} is not sha256:<64 lowercase hex>`, { details: { value } });
    return { digest: value };
  }
  if (/^[0-9]+$/.test(value)) return { index: parseIndex(value, what) };
  throw new ProvenantError('USAGE', `${what} must be a log index or an entry digest sha256:<hex>, not ${JSON.stringify(value)}`);
}
