// A log entry is canonical JSON (RFC 8785) { apiVersion, kind, spec }. Proposals have the same wrapper with the
// kind's proposal spec; preparing one verifies it and yields the stored entry. Describing a stored entry runs
// the same reader over it and requires the result to be the stored bytes exactly, so an edited entry fails
// either its signature or that comparison.
import { sha256Digest, type Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { canonicalJsonBytes, isJsonObject } from '../../core/json.js';
import { parseFormatJson } from '../../formats/format-json.js';
import { describeAttestation, prepareAttestation } from './attestation-entry.js';
import type { EntryDescription, KindOutcome } from './entry-description.js';
import { ENTRY_API_VERSION, isEntryKind, MAX_ENTRY_BYTES, type EntryKind } from './kinds.js';
import type { EntryPreparer, PreparedEntry } from './prepared.js';
import { prepareRecord } from './record-entry.js';
import { describeSignature, prepareSignature } from './signature-entry.js';

/** "sha256:" of the canonical entry bytes: how lineage records, audits and revocations name an entry. */
export function entryDigest(entryBytes: Uint8Array): Digest {
  return sha256Digest(entryBytes);
}

/**
 * Parses and verifies a proposal. Two equal proposals give byte-identical entries. Errors: ENTRY_MALFORMED,
 * ENTRY_KIND_UNKNOWN, INPUT_TOO_LARGE, SIGNATURE_INVALID, DSSE_MALFORMED, STATEMENT_MALFORMED, PREDICATE_MALFORMED,
 * PAYLOAD_MALFORMED, BASE64_MALFORMED, UNSUPPORTED, PEM_MALFORMED, KEY_MALFORMED, KEY_UNSUPPORTED, KEY_MISMATCH.
 */
export const prepareEntry: EntryPreparer = async (proposed) => prepareEntrySync(proposed);

export function prepareEntrySync(proposed: unknown): PreparedEntry {
  const { kind, spec } = readWrapper(proposed, 'proposed entry');
  const outcome = prepareKind(kind, spec);
  const entry = entryBytes(outcome);
  // Every entry is indexed by its own digest, so a client finds the entry a digest names with one search.
  return { entry, terms: [...outcome.terms, { name: 'entry', value: entryDigest(entry) }], blobs: outcome.blobs };
}

/**
 * Re-reads a stored entry strictly and re-verifies its signatures. An attestation's signatures are checked only
 * when `blob` yields its envelope; otherwise its shape is checked and `signaturesChecked` is false.
 * Errors: as prepareEntry, plus ENTRY_MALFORMED for bytes that are not the canonical entry of their content and
 * DIGEST_MISMATCH for an envelope blob that does not hash to its name.
 */
export function describeEntry(entry: Buffer, blob?: (digest: Digest) => Buffer | undefined): EntryDescription {
  const parsed = parseFormatJson(entry, 'ENTRY_MALFORMED', 'log entry', { maxBytes: MAX_ENTRY_BYTES, maxDepth: 16 });
  const { kind, spec } = readWrapper(parsed, 'log entry');
  const outcome = describeKind(kind, spec, blob);
  if (!entryBytes(outcome).equals(entry)) {
    throw new ProvenantError('ENTRY_MALFORMED', `the ${kind} entry is not the canonical entry of its own content`);
  }
  return { ...outcome.description, entryDigest: entryDigest(entry) } as EntryDescription;
}

function prepareKind(kind: EntryKind, spec: unknown): KindOutcome {
  switch (kind) {
    case 'signature':
      return prepareSignature(spec);
    case 'attestation':
      return prepareAttestation(spec);
    case 'lineage':
    case 'audit':
    case 'revocation':
      return prepareRecord(kind, spec);
  }
}

function describeKind(kind: EntryKind, spec: unknown, blob: ((digest: Digest) => Buffer | undefined) | undefined): KindOutcome {
  switch (kind) {
    case 'signature':
      return describeSignature(spec);
    case 'attestation':
      return describeAttestation(spec, blob);
    case 'lineage':
    case 'audit':
    case 'revocation':
      return prepareRecord(kind, spec);
  }
}

function entryBytes(outcome: KindOutcome): Buffer {
  const bytes = canonicalJsonBytes({ apiVersion: ENTRY_API_VERSION, kind: outcome.kind, spec: outcome.spec });
  if (bytes.length > MAX_ENTRY_BYTES) {
    throw new ProvenantError('INPUT_TOO_LARGE', `the ${outcome.kind} entry would be ${bytes.length} bytes, over the limit of ${MAX_ENTRY_BYTES}`, {
      details: { limit: MAX_ENTRY_BYTES },
    });
  }
  return bytes;
}

function readWrapper(value: unknown, what: string): { kind: EntryKind; spec: unknown } {
  if (!isJsonObject(value)) throw new ProvenantError('ENTRY_MALFORMED', `${what} must be a JSON object`);
  if (value.apiVersion !== ENTRY_API_VERSION) {
    throw new ProvenantError('ENTRY_KIND_UNKNOWN', `${what} has apiVersion ${JSON.stringify(value.apiVersion ?? null)}, expected ${ENTRY_API_VERSION}`);
  }
  const kind = value.kind;
  if (!isEntryKind(kind)) throw new ProvenantError('ENTRY_KIND_UNKNOWN', `${what} has an unknown kind ${JSON.stringify(kind ?? null)}`);
  for (const key of Object.keys(value)) {
    if (key !== 'apiVersion' && key !== 'kind' && key !== 'spec') {
      throw new ProvenantError('ENTRY_MALFORMED', `${what} has an unknown field ${JSON.stringify(key)}`, { details: { field: key } });
    }
  }
  if (!isJsonObject(value.spec)) throw new ProvenantError('ENTRY_MALFORMED', `${what} needs a spec object`);
  return { kind, spec: value.spec };
}
