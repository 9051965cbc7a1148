// `log verify --full`: the audit of src/log/audit.ts over the log's tiles, with every entry re-verified by
// describeEntry (an attestation with its envelope blob, so its signatures are checked too), and each problem
// placed: the index, the kind of the entry there and the code.
import { ERROR_CODES, ProvenantError, type ErrorCode } from '../core/errors.js';
import { isJsonObject, parseJson } from '../core/json.js';
import type { Checkpoint } from '../formats/checkpoint.js';
import type { NoteVerifier } from '../formats/signed-note.js';
import { auditLog, type AuditProblem } from '../log/audit.js';
import { describeEntry } from '../log/entries/index.js';
import type { LogReader } from './store-access.js';

export interface PlacedProblem extends AuditProblem {
  /** The kind of the entry at `index`, or null when it could not be read. */
  readonly kind: string | null;
}

export interface FullAudit {
  readonly size: bigint;
  readonly checked: bigint;
  readonly recomputedRoot: string | null;
  readonly problems: readonly PlacedProblem[];
  readonly problemCount: number;
  readonly ok: boolean;
}

/** Problems whose entry kind is looked up for the report; the rest are listed by index only. */
const PLACED_LIMIT = 100;

export async function fullAudit(log: LogReader, verifier: NoteVerifier, checkpoint: Checkpoint): Promise<FullAudit> {
  const report = await auditLog(log, verifier, {
    checkpoint,
    origin: checkpoint.origin,
    describe: async (_index, entry) => {
      const description = describeEntry(entry);
      if (description.kind === 'attestation' && !description.signaturesChecked) {
        const blob = await log.blob(description.envelopeDigest);
        if (blob === null) throw new ProvenantError('BLOB_NOT_FOUND', `the log does not hold the envelope ${description.envelopeDigest} of the attestation`);
        describeEntry(entry, (digest) => (digest === description.envelopeDigest ? blob.data : undefined));
      }
    },
  });
  const kinds = new Map<bigint, string | null>();
  const problems: PlacedProblem[] = [];
  for (const problem of report.problems) {
    let kind: string | null = null;
    if (problem.index !== undefined && (kinds.has(problem.index) || kinds.size < PLACED_LIMIT)) {
      if (!kinds.has(problem.index)) kinds.set(problem.index, await kindAt(log, problem.index));
      kind = kinds.get(problem.index) ?? null;
    }
    problems.push({ ...problem, kind });
  }
  return {
    size: report.checkpoint.size,
    checked: report.checked,
    recomputedRoot: report.recomputedRoot,
    problems,
    problemCount: report.problemCount,
    ok: report.ok,
  };
}

/** The error a failed audit ends the command with: the first problem that is a verification failure, if any. */
export function auditFailure(audit: FullAudit): ProvenantError {
  const first = audit.problems.find((p) => ERROR_CODES[p.code].exit === 'verification') ?? audit.problems[0];
  const code: ErrorCode = first?.code ?? 'LOG_ROOT_MISMATCH';
  const where = first?.index === undefined ? '' : ` at index ${first.index}${first.kind === null ? '' : ` (${first.kind})`}`;
  return new ProvenantError(code, `the audit of the log found ${audit.problemCount} problem(s); the first${where}: ${first?.message ?? 'unknown'}`, {
    details: { index: first?.index?.toString() ?? null, kind: first?.kind ?? null, problems: audit.problemCount },
  });
}

async function kindAt(log: LogReader, index: bigint): Promise<string | null> {
  try {
    const view = await log.entry(index);
    const parsed = parseJson(view.entryBytes, `entry ${index}`);
    return isJsonObject(parsed) && typeof parsed.kind === 'string' ? parsed.kind : null;
  } catch {
    return null;
  }
}
