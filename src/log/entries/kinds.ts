// The vocabulary of log entries: the apiVersion every entry carries, its kinds, the predicate types of the
// Provenant-defined statements and the size limits that keep appends cheap and entries fit in a tile bundle.

export const ENTRY_API_VERSION = 'provenant.dev/v1';

export const ENTRY_KINDS = ['signature', 'attestation', 'lineage', 'audit', 'revocation'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** The kinds whose stored spec is the full signed envelope. */
export type RecordKind = 'lineage' | 'audit' | 'revocation';

export const LINEAGE_PREDICATE_TYPE = 'https://provenant.dev/attestation/lineage/v1';
export const AUDIT_PREDICATE_TYPE = 'https://provenant.dev/attestation/audit/v1';
export const REVOCATION_PREDICATE_TYPE = 'https://provenant.dev/attestation/revocation/v1';

export const RECORD_PREDICATE_TYPES: Readonly<Record<RecordKind, string>> = {
  lineage: LINEAGE_PREDICATE_TYPE,
  audit: AUDIT_PREDICATE_TYPE,
  revocation: REVOCATION_PREDICATE_TYPE,
};

/** Media type of the full DSSE envelope kept as a blob beside a compact attestation entry. */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

/**
 * Entry bundles of tlog-tiles (C2SP tlog-tiles, "Entry bundles") prefix each entry with a big-endian uint16
 * length, so no stored entry may reach 64 KiB; 60 KiB leaves room for the entry's own wrapper.
 */
export const MAX_ENTRY_BYTES = 60 * 1024;

/** Proposals of attestations carry the whole predicate (SBOMs are large); their entries stay compact. */
export const MAX_ATTESTATION_PROPOSAL_BYTES = 4 * 1024 * 1024;
export const MAX_PROPOSAL_BYTES = 64 * 1024;

export function isEntryKind(value: unknown): value is EntryKind {
  return typeof value === 'string' && (ENTRY_KINDS as readonly string[]).includes(value);
}

export function isRecordPredicateType(value: string): boolean {
  return value === LINEAGE_PREDICATE_TYPE || value === AUDIT_PREDICATE_TYPE || value === REVOCATION_PREDICATE_TYPE;
}
