// Which revocations of an entry count. A revocation counts when its signer is the revoked entry's own signer (the
// same key, or for keyless signing the same issuer and subject, whose keys are ephemeral) or a revocation authority
// the deployment trusts; anyone else's is recorded as ignored, so a stranger cannot take an image down.
import type { UsedFact } from '../decision.js';
import type { Evidence, RevocationFact, SignerFact } from '../facts.js';
import { describeSigner } from './signer-match.js';
import { instantMs } from './instant.js';

export interface Revocable {
  readonly signer: SignerFact;
  readonly evidence: Evidence;
  readonly revocations: readonly RevocationFact[];
}

export interface RevocationSplit {
  /** Oldest first. */
  readonly effective: readonly RevocationFact[];
  readonly ignored: readonly RevocationFact[];
}

export function splitRevocations(entry: Revocable, authorities: ReadonlySet<string>): RevocationSplit {
  const effective: RevocationFact[] = [];
  const ignored: RevocationFact[] = [];
  for (const revocation of entry.revocations) {
    (countsFor(entry.signer, revocation.signer, authorities) ? effective : ignored).push(revocation);
  }
  return { effective: effective.sort(oldestFirst), ignored: ignored.sort(oldestFirst) };
}

export function isRevoked(entry: Revocable, authorities: ReadonlySet<string>): boolean {
  return entry.revocations.some((r) => countsFor(entry.signer, r.signer, authorities));
}

function countsFor(owner: SignerFact, revoker: SignerFact, authorities: ReadonlySet<string>): boolean {
  if (revoker.keyId === owner.keyId || authorities.has(revoker.keyId)) return true;
  return owner.issuer !== undefined && owner.subject !== undefined && revoker.issuer === owner.issuer && revoker.subject === owner.subject;
}

function oldestFirst(a: RevocationFact, b: RevocationFact): number {
  const ta = instantMs(a.createdAt) ?? -Infinity;
  const tb = instantMs(b.createdAt) ?? -Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.evidence.digest < b.evidence.digest ? -1 : a.evidence.digest > b.evidence.digest ? 1 : 0;
}

/** The facts a rule lists for the revocations it did not count. */
export function ignoredRevocationFacts(entry: Revocable, split: RevocationSplit): UsedFact[] {
  return split.ignored.map((r) => ({
    name: 'revocation.ignored',
    value: `${r.evidence.digest} of ${entry.evidence.digest} by ${describeSigner(r.signer)}: neither its signer nor a revocation authority`,
  }));
}

export function describeRevocation(entry: Revocable, revocation: RevocationFact): string {
  return `${entry.evidence.digest} was revoked by ${describeSigner(revocation.signer)} at ${revocation.createdAt}: ${revocation.reason}`;
}
