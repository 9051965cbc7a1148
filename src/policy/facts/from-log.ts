// ImageFacts from the transparency log: every entry indexed under the image digest, re-verified from its bytes
// (src/log/entries describeEntry), plus the audits of its lineage records and the revocations of every entry
// used. Evidence that does not re-verify, or whose envelope the log does not hold, is `rejected`, never a fact.
import { parseDigest, sha256Digest, type Digest } from '../../core/digest.js';
import { isProvenantError } from '../../core/errors.js';
import { decodeBase64 } from '../../core/bytes.js';
import { parseEnvelope } from '../../formats/dsse.js';
import { parseStatement, type Statement } from '../../formats/intoto.js';
import { isUtcTimestamp } from '../../formats/sbom-package.js';
import { describeEntry, type EntryDescription } from '../../log/entries/index.js';
import type { LogEntryView, LogService } from '../../log/service.js';
import { leafHash } from '../../merkle/index.js';
import type { AttestationFact, AuditFact, Evidence, ImageFacts, ImageRef, RevocationFact, SignatureFact } from '../facts.js';
import { EntryBudget, mapLimited, readEntries, searchAll } from './log-reads.js';
import { attestationFact, signerFact } from './statement-facts.js';

export interface GatherFromLogOptions {
  /** How many log entries (of every kind) may concern the image before FACTS_TOO_MANY. Default 10,000. */
  readonly maxEntries?: number;
}

export const DEFAULT_MAX_FACT_ENTRIES = 10_000;

interface Described<D extends EntryDescription = EntryDescription> {
  readonly view: LogEntryView;
  readonly description: D;
}
type Of<K extends EntryDescription['kind']> = Described<Extract<EntryDescription, { kind: K }>>;

interface Gathering {
  readonly log: LogService;
  readonly image: Digest;
  readonly budget: EntryBudget;
  readonly seen: Set<bigint>;
  readonly rejected: { digest: string; reason: string }[];
}

/**
 * Errors: FACTS_TOO_MANY, USAGE (a bad limit), DIGEST_MALFORMED, and whatever the log reports when it cannot be
 * read (STORE_UNAVAILABLE, SERVICE_*). Problems of single entries are in `rejected`.
 */
export async function gatherFactsFromLog(log: LogService, image: ImageRef, options: GatherFromLogOptions = {}): Promise<ImageFacts> {
  const digest = parseDigest(image.digest, 'image digest');
  // Taken first: everything the tree of this size holds about the image is read below, perhaps more.
  const { size } = await log.info();
  const g: Gathering = { log, image: digest, budget: new EntryBudget(options.maxEntries ?? DEFAULT_MAX_FACT_ENTRIES, digest), seen: new Set(), rejected: [] };

  const signatures: Of<'signature'>[] = [];
  const attestations: Of<'attestation'>[] = [];
  const lineage: Of<'lineage'>[] = [];
  const audits: Of<'audit'>[] = [];
  const sort = (d: Described): void => {
    if (!d.description.subjects.some((s) => s.digest === digest)) {
      reject(g, d.description.entryDigest, 'ENTRY_MALFORMED', `the entry is indexed under ${digest} but does not name it`);
      return;
    }
    switch (d.description.kind) {
      case 'signature':
        signatures.push(d as Of<'signature'>);
        return;
      case 'attestation':
        attestations.push(d as Of<'attestation'>);
        return;
      case 'lineage':
        lineage.push(d as Of<'lineage'>);
        return;
      case 'audit':
        audits.push(d as Of<'audit'>);
        return;
      case 'revocation':
        // A revocation's subject is the entry it revokes; they are found from their targets below.
        return;
    }
  };
  (await describeAll(g, await searchAll(log, { subject: digest }, g.budget, g.seen))).forEach(sort);

  // Audits name the lineage record they audit; one found only through a record is still checked against it.
  const records = new Set<string>(lineage.map((r) => r.description.entryDigest));
  for (const record of lineage) {
    const found = await describeAll(g, await searchAll(log, { target: record.description.entryDigest, kind: 'audit' }, g.budget, g.seen));
    for (const d of found) {
      if (d.description.kind === 'audit') audits.push(d as Of<'audit'>);
      else reject(g, d.description.entryDigest, 'ENTRY_MALFORMED', `the entry is indexed as an audit but is a ${d.description.kind}`);
    }
  }
  const validAudits = audits.filter((a) => {
    const { target, subjects, entryDigest } = a.description;
    if (target !== null && records.has(target) && subjects.some((s) => s.digest === digest)) return true;
    reject(g, entryDigest, 'LINEAGE_RECORD_INVALID', `the audit names ${target ?? 'no record'}, which is not a lineage record of ${digest}`);
    return false;
  });

  const statements = await mapLimited(attestations, async (a) => ({ a, statement: await statementOf(g, a) }));
  const readable = statements.filter((s): s is { a: Of<'attestation'>; statement: Statement } => s.statement !== undefined);

  const revocable: Described[] = [...signatures, ...readable.map((s) => s.a), ...validAudits];
  const found = await mapLimited(revocable, (d) => revocationsOf(g, d.description.entryDigest));
  const revocations = new Map<string, RevocationFact[]>(revocable.map((d, i) => [d.description.entryDigest, found[i]!]));
  const revoked = (d: Described): RevocationFact[] => revocations.get(d.description.entryDigest) ?? [];

  const attestationFacts: AttestationFact[] = [];
  for (const { a, statement } of readable) {
    try {
      const recordedAt = timeOf(a.view);
      const source = { signer: signerOf(a), evidence: evidence('attestation', a), revocations: revoked(a) };
      attestationFacts.push(attestationFact(statement, digest, recordedAt === undefined ? source : { ...source, recordedAt }));
    } catch (e) {
      rejectError(g, a.description.entryDigest, e);
    }
  }

  return {
    image,
    signatures: signatures.map((s): SignatureFact => {
      const recordedAt = timeOf(s.view);
      return { signer: signerOf(s), evidence: evidence('signature', s), ...(recordedAt === undefined ? {} : { recordedAt }), revocations: revoked(s) };
    }),
    attestations: attestationFacts,
    audits: validAudits.map(
      (a): AuditFact => ({
        auditor: a.description.predicate.auditor,
        type: a.description.predicate.type,
        result: a.description.predicate.result,
        createdAt: a.description.predicate.createdAt,
        signer: signerOf(a),
        evidence: evidence('audit', a),
        revocations: revoked(a),
      }),
    ),
    gatheredFrom: { kind: 'log', treeSize: size.toString() },
    rejected: g.rejected,
  };
}

/** Every revocation naming `target`, with its signer; whose revocations count is the evaluator's choice. */
async function revocationsOf(g: Gathering, target: Digest): Promise<RevocationFact[]> {
  const found = await describeAll(g, await searchAll(g.log, { target, kind: 'revocation' }, g.budget, g.seen));
  const facts: RevocationFact[] = [];
  for (const d of found) {
    const { description } = d;
    if (description.kind !== 'revocation' || description.target !== target) {
      reject(g, description.entryDigest, 'ENTRY_MALFORMED', `the entry is indexed as a revocation of ${target} but is not one`);
      continue;
    }
    facts.push({ evidence: evidence('revocation', d), reason: description.predicate.reason, createdAt: description.predicate.createdAt, signer: signerOf(d) });
  }
  return facts;
}

/** The attestation's statement, read from its envelope blob after the entry re-verifies with it; undefined when rejected. */
async function statementOf(g: Gathering, a: Of<'attestation'>): Promise<Statement | undefined> {
  const { envelopeDigest, entryDigest } = a.description;
  const blob = await g.log.blob(envelopeDigest);
  if (blob === null) {
    reject(g, entryDigest, 'BLOB_NOT_FOUND', `the log does not hold the envelope ${envelopeDigest} of the attestation`);
    return undefined;
  }
  try {
    // Verifies the envelope's signature with the entry's key and that the blob is the envelope the entry names.
    describeEntry(a.view.entryBytes, (d) => (d === envelopeDigest ? blob.data : undefined));
    return parseStatement(decodeBase64(parseEnvelope(blob.data).payload, 'DSSE payload'));
  } catch (e) {
    rejectError(g, entryDigest, e);
    return undefined;
  }
}

/** The entries at `indices`, re-verified from their bytes; an entry that does not is rejected. */
async function describeAll(g: Gathering, indices: readonly bigint[]): Promise<Described[]> {
  const out: Described[] = [];
  for (const view of await readEntries(g.log, indices)) {
    const entryDigest = sha256Digest(view.entryBytes);
    if (leafHash(view.entryBytes).toString('hex') !== view.leafHash) {
      reject(g, entryDigest, 'LOG_ENTRY_TAMPERED', `entry ${view.index} does not hash to its leaf hash`);
      continue;
    }
    try {
      out.push({ view, description: describeEntry(view.entryBytes) });
    } catch (e) {
      rejectError(g, entryDigest, e);
    }
  }
  return out;
}

function evidence(kind: Evidence['kind'], d: Described): Evidence {
  return { kind, digest: d.description.entryDigest, logIndex: d.view.index.toString() };
}

function signerOf(d: Described): ReturnType<typeof signerFact> {
  return signerFact(d.description.signer, d.description.publicKey);
}

function timeOf(view: LogEntryView): string | undefined {
  return isUtcTimestamp(view.integratedAt) ? view.integratedAt : undefined;
}

function reject(g: Gathering, digest: string, code: string, message: string): void {
  g.rejected.push({ digest, reason: `${code}: ${message}` });
}

function rejectError(g: Gathering, digest: string, e: unknown): void {
  if (!isProvenantError(e)) throw e;
  reject(g, digest, e.code, e.message);
}

