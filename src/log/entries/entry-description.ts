// What a verified entry says, whichever kind it is: the facts `log verify`, `history` and the lineage chain
// read, plus what each kind's reader hands the entry layer (stored spec, search terms, blobs).
import type { Digest } from '../../core/digest.js';
import type { JsonObject } from '../../core/json.js';
import type { Blob, IndexTerm, IndexTermName } from '../../store/ports.js';
import type { EntryKind } from './kinds.js';
import type { AuditPredicate, LineagePredicate, RevocationPredicate } from './predicates.js';

export interface EntrySubject {
  readonly name?: string;
  readonly digest: Digest;
}

export interface EntryFacts {
  /** "sha256:" of the canonical entry bytes. */
  readonly entryDigest: Digest;
  /** Key id of the verified signer: "sha256:<hex of the SPKI DER>". */
  readonly signer: string;
  /** The signer's public key, canonical SPKI PEM. */
  readonly publicKey: string;
  readonly subjects: readonly EntrySubject[];
  readonly predicateType: string | null;
  /** The entry digest a lineage record (its predecessor), audit or revocation points at. */
  readonly target: Digest | null;
  readonly line: string | null;
  /** False only for an attestation described without its envelope blob: its shape was checked, not its signatures. */
  readonly signaturesChecked: boolean;
}

export type EntryDescription =
  | (EntryFacts & { readonly kind: 'signature'; readonly repository: string })
  | (EntryFacts & { readonly kind: 'attestation'; readonly envelopeDigest: Digest })
  | (EntryFacts & { readonly kind: 'lineage'; readonly predicate: LineagePredicate })
  | (EntryFacts & { readonly kind: 'audit'; readonly predicate: AuditPredicate })
  | (EntryFacts & { readonly kind: 'revocation'; readonly predicate: RevocationPredicate });

type WithoutDigest<T> = T extends unknown ? Omit<T, 'entryDigest'> : never;

/** What one kind's reader produces from a proposal or stored spec. */
export interface KindOutcome {
  readonly kind: EntryKind;
  readonly spec: JsonObject;
  readonly terms: readonly IndexTerm[];
  readonly blobs: readonly Blob[];
  readonly description: WithoutDigest<EntryDescription>;
}

/** Index terms without repeats (a statement may name one digest twice). */
export function indexTerms(pairs: readonly (readonly [IndexTermName, string | null | undefined])[]): IndexTerm[] {
  const seen = new Set<string>();
  const terms: IndexTerm[] = [];
  for (const [name, value] of pairs) {
    if (value === null || value === undefined) continue;
    const key = `${name}\u0000${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push({ name, value });
  }
  return terms;
}
