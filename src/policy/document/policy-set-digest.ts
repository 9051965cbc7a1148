// The digest of a set of policies, for naming a set that has no log index (offline evaluation, `policy test`):
// the canonical JSON of [{ name, digest }] sorted by name, so the order of files and documents does not matter and
// any change to any document changes it.
import { sha256Digest, type Digest } from '../../core/digest.js';
import { canonicalJson } from '../../core/json.js';
import type { Policy } from '../policy.js';
import { ascending } from '../../core/order.js';

export function policySetDigest(policies: readonly Pick<Policy, 'name' | 'origin'>[]): Digest {
  const entries = policies
    .map((p) => ({ name: p.name, digest: p.origin.digest }))
    .sort((a, b) => ascending(a.name, b.name) || ascending(a.digest, b.digest));
  return sha256Digest(canonicalJson(entries));
}

