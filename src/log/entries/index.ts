// The entry layer of the transparency log: what may be appended (and is verified before it is), how a stored
// entry is re-verified, and the builders of proposals. docs/log-entries.md describes the kinds for users.
export {
  ENTRY_API_VERSION,
  ENTRY_KINDS,
  LINEAGE_PREDICATE_TYPE,
  AUDIT_PREDICATE_TYPE,
  REVOCATION_PREDICATE_TYPE,
  DSSE_ENVELOPE_MEDIA_TYPE,
  MAX_ENTRY_BYTES,
  isEntryKind,
} from './kinds.js';
export type { EntryKind } from './kinds.js';
export { prepareEntry, describeEntry, entryDigest } from './entry.js';
export type { EntryDescription, EntryFacts, EntrySubject } from './entry-description.js';
export type { EntryPreparer, PreparedEntry } from './prepared.js';
export { isLineName, ARTIFACT_KINDS, AUDIT_TYPES, AUDIT_RESULTS } from './predicates.js';
export type { ArtifactKind, AuditType, AuditResult, LineageArtifact, LineagePredicate, AuditPredicate, RevocationPredicate } from './predicates.js';
export { proposeSignature, proposeAttestation, proposeLineageRecord, proposeAudit, proposeRevocation } from './proposals.js';
export type { LineageRecordInput, AuditInput, RevocationInput } from './proposals.js';
