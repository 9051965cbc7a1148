// `provenant attest-record` and `provenant revoke`: claims about entries already in the log, an auditor's verdict
// on a lineage record and the revocation of an entry, each a signed record appended in turn.
import type { Command } from 'commander';
import { ProvenantError } from '../../core/errors.js';
import {
  AUDIT_RESULTS,
  AUDIT_TYPES,
  ENTRY_KINDS,
  describeEntry,
  isEntryKind,
  proposeAudit,
  proposeRevocation,
  type AuditResult,
  type AuditType,
} from '../../log/entries/index.js';
import { appendVerified } from '../append-entry.js';
import { findEntry } from '../find-entry.js';
import { addLogOptions, withLog, type LogOptions } from '../log-session.js';
import { loadSignerFile } from '../options.js';
import { printJson, type Io } from '../run.js';

interface AttestRecordOptions extends LogOptions {
  auditor: string;
  type: string;
  result: string;
  score?: string;
  key: string;
  note?: string;
  line?: string;
  json?: boolean;
}

interface RevokeOptions extends LogOptions {
  reason: string;
  key: string;
  kind?: string;
  json?: boolean;
}

export function installAttestRecord(program: Command, io: Io): void {
  addLogOptions(
    program
      .command('attest-record')
      .description("append an auditor's signed verdict (vuln-scan or compliance, pass or fail) on a lineage record")
      .argument('<record>', 'the lineage record: its log index or entry digest')
      .requiredOption('--auditor <id>', 'who audited')
      .requiredOption('--type <type>', AUDIT_TYPES.join(' or '))
      .requiredOption('--result <result>', AUDIT_RESULTS.join(' or '))
      .option('--score <n>', 'a numeric score')
      .requiredOption('--key <file>', "the auditor's private key")
      .option('--note <text>', 'a note kept in the audit')
      .option('--line <provider/name>', 'look for an entry digest in this line only (faster)')
      .option('--json', 'print JSON'),
  ).action(async (recordRef: string, opts: AttestRecordOptions) => {
    if (!(AUDIT_TYPES as readonly string[]).includes(opts.type)) throw new ProvenantError('USAGE', `--type must be ${AUDIT_TYPES.join(' or ')}`);
    if (!(AUDIT_RESULTS as readonly string[]).includes(opts.result)) throw new ProvenantError('USAGE', `--result must be ${AUDIT_RESULTS.join(' or ')}`);
    const score = opts.score === undefined ? undefined : parseScore(opts.score);
    const signer = await loadSignerFile(opts.key, io);
    await withLog(opts, io, { mode: 'write' }, async ({ log }) => {
      const view = await findEntry(log, recordRef, 'RECORD', { kind: 'lineage', ...(opts.line === undefined ? {} : { line: opts.line }) });
      const record = describeEntry(view.entryBytes);
      if (record.kind !== 'lineage') {
        throw new ProvenantError('USAGE', `entry ${view.index} is a ${record.kind} entry, not a lineage record`, { details: { index: view.index.toString() } });
      }
      const subject = record.subjects[0];
      if (subject === undefined) throw new ProvenantError('INTERNAL', 'a lineage record without subject was described');
      const proposal = await proposeAudit(
        {
          record: record.entryDigest,
          line: record.predicate.line,
          artifact: { name: record.predicate.artifact.name, digest: subject.digest },
          auditor: opts.auditor,
          type: opts.type as AuditType,
          result: opts.result as AuditResult,
          ...(score === undefined ? {} : { score }),
          ...(opts.note === undefined ? {} : { note: opts.note }),
        },
        signer,
      );
      const result = await appendVerified(log, proposal);
      const out = { index: result.index.toString(), entryDigest: result.entryDigest, record: record.entryDigest, recordIndex: view.index.toString(), line: record.predicate.line, sequence: record.predicate.sequence, duplicate: result.duplicate };
      if (opts.json === true) printJson(io, out);
      else io.stdout.write(`audit of ${out.line} #${out.sequence} (index ${out.recordIndex}) appended\nindex:        ${out.index}\nentry digest: ${out.entryDigest}\n`);
    });
  });
}

export function installRevoke(program: Command, io: Io): void {
  addLogOptions(
    program
      .command('revoke')
      .description('append a signed revocation of an entry of the log')
      .argument('<entry>', 'the entry: its log index or entry digest')
      .requiredOption('--reason <text>', 'why the entry is revoked')
      .requiredOption('--key <file>', 'private key that signs the revocation')
      .option('--kind <kind>', `look for an entry digest among entries of this kind only (${ENTRY_KINDS.join(', ')})`)
      .option('--json', 'print JSON'),
  ).action(async (entryRef: string, opts: RevokeOptions) => {
    if (opts.kind !== undefined && !isEntryKind(opts.kind)) throw new ProvenantError('USAGE', `--kind must be one of ${ENTRY_KINDS.join(', ')}`);
    const signer = await loadSignerFile(opts.key, io);
    await withLog(opts, io, { mode: 'write' }, async ({ log }) => {
      const target = await findEntry(log, entryRef, 'ENTRY', opts.kind === undefined ? {} : { kind: opts.kind });
      const proposal = await proposeRevocation({ target: target.entryDigest, reason: opts.reason }, signer);
      const result = await appendVerified(log, proposal);
      const out = { index: result.index.toString(), entryDigest: result.entryDigest, target: target.entryDigest, targetIndex: target.index.toString(), duplicate: result.duplicate };
      if (opts.json === true) printJson(io, out);
      else io.stdout.write(`revocation of entry ${out.targetIndex} (${out.target}) appended\nindex:        ${out.index}\nentry digest: ${out.entryDigest}\n`);
    });
  });
}

function parseScore(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new ProvenantError('USAGE', `--score must be a number, not ${JSON.stringify(value)}`);
  return n;
}
