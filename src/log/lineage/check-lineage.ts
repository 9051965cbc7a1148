// The pure part of a line's history: given the entries the log returned for a line (its records and the audits
// on them), re-verify each from its bytes and check the chain. Nothing the store says about an entry is taken on
// trust: the leaf hash and entry digest are recomputed from the entry bytes.
import { isProvenantError } from '../../core/errors.js';
import { leafHash } from '../../merkle/index.js';
import {
  describeEntry,
  type AuditPredicate,
  type EntryDescription,
  type EntryFacts,
  type LineagePredicate,
  type RevocationPredicate,
} from '../entries/index.js';
import type { LogEntryView } from '../service.js';
import { chainProblems } from './chain.js';
import type { AuditView, LineageProblem, LineageRecordView, LineHistory, LineHistoryOptions, RevocationView } from './line-history.js';
import { ascending } from '../../core/order.js';

type Described<P> = EntryFacts & { readonly predicate: P; readonly index: bigint };

/** An entry found under the line that the log could not even return (its stored bytes are not an entry). */
export interface UnreadableEntry {
  readonly index: bigint;
  readonly message: string;
}

/** Builds the history of `line` from `entries` (in any order, repeats allowed). */
export function checkLineage(
  line: string,
  entries: readonly LogEntryView[],
  options: LineHistoryOptions = {},
  unreadable: readonly UnreadableEntry[] = [],
): LineHistory {
  const trusted = options.trustedSigners === undefined ? undefined : new Set(options.trustedSigners);
  const problems: LineageProblem[] = unreadable.map((u) => invalid(u.index, null, u.message));
  const records: Described<LineagePredicate>[] = [];
  const audits: Described<AuditPredicate>[] = [];
  const revocations: Described<RevocationPredicate>[] = [];
  const seen = new Set<bigint>();
  for (const view of [...entries].sort((a, b) => ascending(a.index, b.index))) {
    if (seen.has(view.index)) continue;
    seen.add(view.index);
    const read = readEntry(view);
    if (typeof read === 'string') {
      problems.push({ code: 'LINEAGE_RECORD_INVALID', index: view.index, sequence: null, message: read });
      continue;
    }
    switch (read.kind) {
      case 'lineage':
        if (read.predicate.line !== line) {
          problems.push(invalid(view.index, read.predicate.sequence, `the record names the line ${read.predicate.line}, not ${line}`));
        } else {
          records.push({ ...read, index: view.index });
          if (trusted !== undefined && !trusted.has(read.signer)) {
            problems.push({ code: 'LINEAGE_UNTRUSTED_SIGNER', index: view.index, sequence: read.predicate.sequence, message: `signed by ${read.signer}, not a trusted signer` });
          }
        }
        break;
      case 'audit':
        audits.push({ ...read, index: view.index });
        break;
      case 'revocation':
        revocations.push({ ...read, index: view.index });
        break;
      case 'signature':
      case 'attestation':
        problems.push(invalid(view.index, null, `a ${read.kind} entry is indexed under the line`));
        break;
    }
  }
  const chained = records.filter((r) => trusted === undefined || trusted.has(r.signer));
  problems.push(...chainProblems(chained.map((r) => ({ index: r.index, sequence: r.predicate.sequence, entryDigest: r.entryDigest, previous: r.predicate.previous }))));
  problems.sort((a, b) => ascending(a.index, b.index) || a.code.localeCompare(b.code));
  const views = records.map((r) => recordView(r, line, audits, revocationsOf(r, revocations, trusted))).sort((a, b) => a.sequence - b.sequence || ascending(a.index, b.index));
  return { line, records: views, problems, verified: views.length > 0 && problems.length === 0 };
}

function readEntry(view: LogEntryView): EntryDescription | string {
  if (leafHash(view.entryBytes).toString('hex') !== view.leafHash) return 'the entry bytes do not hash to the leaf hash stored for them';
  try {
    return describeEntry(view.entryBytes);
  } catch (e) {
    if (isProvenantError(e)) return `the entry no longer verifies (${e.code}): ${e.message}`;
    throw e;
  }
}

function recordView(
  record: Described<LineagePredicate>,
  line: string,
  audits: readonly Described<AuditPredicate>[],
  revocations: readonly RevocationView[],
): LineageRecordView {
  const p = record.predicate;
  const digest = (record.subjects[0] as { digest: LineageRecordView['digest'] }).digest;
  const mine = audits.filter((a) => a.predicate.record === record.entryDigest).map((a) => auditView(a, line, digest));
  return {
    index: record.index,
    sequence: p.sequence,
    entryDigest: record.entryDigest,
    previous: p.previous,
    artifact: p.artifact,
    digest,
    signer: record.signer,
    createdAt: p.createdAt,
    ...(p.note === undefined ? {} : { note: p.note }),
    audits: mine,
    revocations,
    revoked: revocations.some((r) => r.honoured),
  };
}

function revocationsOf(record: Described<LineagePredicate>, all: readonly Described<RevocationPredicate>[], trusted: ReadonlySet<string> | undefined): RevocationView[] {
  return all
    .filter((r) => r.predicate.target === record.entryDigest)
    .map((r) => ({
      index: r.index,
      entryDigest: r.entryDigest,
      reason: r.predicate.reason,
      createdAt: r.predicate.createdAt,
      signer: r.signer,
      honoured: r.signer === record.signer || (trusted?.has(r.signer) ?? false),
    }));
}

function auditView(audit: Described<AuditPredicate>, line: string, digest: LineageRecordView['digest']): AuditView {
  const p = audit.predicate;
  const reason =
    p.line !== line ? `the audit names the line ${p.line}` : audit.subjects[0]?.digest !== digest ? 'the audit names another artifact than the record' : undefined;
  return {
    index: audit.index,
    entryDigest: audit.entryDigest,
    auditor: p.auditor,
    type: p.type,
    result: p.result,
    ...(p.score === undefined ? {} : { score: p.score }),
    createdAt: p.createdAt,
    ...(p.note === undefined ? {} : { note: p.note }),
    signer: audit.signer,
    verified: reason === undefined,
    ...(reason === undefined ? {} : { reason }),
  };
}

function invalid(index: bigint, sequence: number | null, message: string): LineageProblem {
  return { code: 'LINEAGE_RECORD_INVALID', index, sequence, message };
}

