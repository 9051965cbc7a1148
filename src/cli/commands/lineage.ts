// `provenant record` and `provenant history`: lineage lines, chains of signed records of the versions of an
// artifact (a VM image, a container image), each naming its predecessor by entry digest.
import type { Command } from 'commander';
import type { Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { isLineName, proposeLineageRecord } from '../../log/entries/index.js';
import { lineHistory, nextLineageLink, type LineageProblem, type LineHistory } from '../../log/lineage/index.js';
import { appendVerified } from '../append-entry.js';
import { resolveArtifact } from '../artifact.js';
import { addLogOptions, withLog, type LogOptions } from '../log-session.js';
import { addAccessOptions, collect, loadSignerFile, loadVerifierFiles, platformOption, registryAccess, type AccessOptions } from '../options.js';
import { printJson, type Io } from '../run.js';
import type { VerifiedLog } from '../verified-log.js';

interface RecordOptions extends LogOptions, AccessOptions {
  line: string;
  key: string;
  previous: string;
  note?: string;
  json?: boolean;
}

interface HistoryOptions extends LogOptions {
  trustedKey?: string[];
  json?: boolean;
}

export function installRecord(program: Command, io: Io): void {
  addAccessOptions(
    addLogOptions(
      program
        .command('record')
        .description('append a signed lineage record of ARTIFACT (a file such as a VM image, or a container image) to its line')
        .argument('<artifact>', 'a file, oci:DIR[:TAG], docker-archive:FILE[:REF] or a registry reference')
        .requiredOption('--line <provider/name>', 'the lineage line')
        .requiredOption('--key <file>', 'private key that signs the record (cosign.key or PKCS#8 PEM)')
        .option('--previous <ref>', 'auto (the last record of the line), none (start the line) or the entry digest of the predecessor', 'auto')
        .option('--note <text>', 'a note kept in the record')
        .option('--json', 'print JSON'),
    ),
  ).action(async (artifactSpec: string, opts: RecordOptions) => {
    if (!isLineName(opts.line)) throw new ProvenantError('USAGE', `--line ${JSON.stringify(opts.line)} is not "provider/name" (lowercase a-z 0-9 . _ -)`);
    const signer = await loadSignerFile(opts.key, io);
    const artifact = await resolveArtifact(artifactSpec, await registryAccess(opts, io), platformOption(opts));
    await withLog(opts, io, { mode: 'write' }, async ({ log }) => {
      const link = await chainLink(log, opts.line, opts.previous);
      const proposal = await proposeLineageRecord(
        {
          line: opts.line,
          artifact: { kind: artifact.kind, name: artifact.name, digest: artifact.digest, size: artifact.size, ...(artifact.mediaType === undefined ? {} : { mediaType: artifact.mediaType }) },
          previous: link.previous,
          sequence: link.sequence,
          ...(opts.note === undefined ? {} : { note: opts.note }),
        },
        signer,
      );
      const result = await appendVerified(log, proposal);
      if (opts.json === true) {
        printJson(io, {
          index: result.index.toString(),
          entryDigest: result.entryDigest,
          leafHash: result.leafHash,
          line: opts.line,
          sequence: link.sequence,
          previous: link.previous,
          artifact,
          duplicate: result.duplicate,
        });
        return;
      }
      io.stdout.write(
        `${result.duplicate ? 'already recorded' : 'recorded'} ${opts.line} #${link.sequence}: ${artifact.name} ${artifact.digest}\n` +
          `index:        ${result.index}\nentry digest: ${result.entryDigest}\nsequence:     ${link.sequence}\n`,
      );
    });
  });
}

/** The predecessor and sequence of the new record. Errors: LINEAGE_* when the line has problems, LOG_ENTRY_NOT_FOUND. */
async function chainLink(log: VerifiedLog, line: string, previous: string): Promise<{ previous: Digest | null; sequence: number }> {
  if (previous === 'auto') return nextLineageLink(log, line);
  if (previous === 'none') return { previous: null, sequence: 1 };
  if (!/^sha256:[0-9a-f]{64}$/.test(previous)) throw new ProvenantError('USAGE', '--previous is auto, none or sha256:<entry digest>');
  const history = await lineHistory(log, line);
  const record = history.records.find((r) => r.entryDigest === previous);
  if (record === undefined) {
    throw new ProvenantError('LOG_ENTRY_NOT_FOUND', `the line ${line} has no verified record with entry digest ${previous}`, { details: { line, previous } });
  }
  return { previous: record.entryDigest, sequence: record.sequence + 1 };
}

export function installHistory(program: Command, io: Io): void {
  addLogOptions(
    program
      .command('history')
      .description('the records of a lineage line, each re-verified, with their audits and every problem of the chain')
      .argument('<line>', 'the lineage line, provider/name')
      .option('--trusted-key <pem>', 'public key allowed to sign records of the line (repeatable; default: any key)', collect)
      .option('--json', 'print JSON'),
  ).action(async (line: string, opts: HistoryOptions) => {
    const trustedSigners = opts.trustedKey === undefined ? undefined : (await loadVerifierFiles(opts.trustedKey)).map((v) => v.keyId);
    await withLog(
      opts,
      io,
      { mode: 'read', collect: true },
      async ({ log }) => {
        const history = await lineHistory(log, line, trustedSigners === undefined ? {} : { trustedSigners });
        const problems = [...history.problems, ...log.failures.map((f) => inclusionProblem(f, history))].sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
        if (opts.json === true) printJson(io, historyJson(history, problems));
        else printHistory(io, history, problems);
        const [first] = problems;
        if (first !== undefined) {
          throw new ProvenantError(first.code, `the line ${line} does not verify: ${problems.length} problem(s), the first at index ${first.index}${first.sequence === null ? '' : ` (sequence ${first.sequence})`}`, {
            details: { line, index: first.index.toString(), sequence: first.sequence },
          });
        }
        if (history.records.length === 0) throw new ProvenantError('LOG_ENTRY_NOT_FOUND', `the log has no record of the line ${line}`, { details: { line } });
      },
    );
  });
}

/** An entry of the line whose inclusion proof failed, as a problem of the line. */
function inclusionProblem(failure: { index: bigint; message: string }, history: LineHistory): LineageProblem {
  const record = history.records.find((r) => r.index === failure.index);
  return { code: 'LINEAGE_RECORD_INVALID', index: failure.index, sequence: record?.sequence ?? null, message: failure.message };
}

function historyJson(history: LineHistory, problems: readonly LineageProblem[]): unknown {
  return {
    line: history.line,
    verified: problems.length === 0 && history.records.length > 0,
    records: history.records.map((r) => ({
      index: r.index.toString(),
      sequence: r.sequence,
      createdAt: r.createdAt,
      entryDigest: r.entryDigest,
      previous: r.previous,
      artifact: r.artifact,
      digest: r.digest,
      signer: r.signer,
      note: r.note ?? null,
      audits: r.audits.map((a) => ({
        index: a.index.toString(),
        entryDigest: a.entryDigest,
        auditor: a.auditor,
        type: a.type,
        result: a.result,
        score: a.score ?? null,
        createdAt: a.createdAt,
        note: a.note ?? null,
        signer: a.signer,
        verified: a.verified,
        reason: a.reason ?? null,
      })),
      revoked: r.revoked,
      revocations: r.revocations.map((v) => ({
        index: v.index.toString(),
        entryDigest: v.entryDigest,
        reason: v.reason,
        createdAt: v.createdAt,
        signer: v.signer,
        honoured: v.honoured,
      })),
    })),
    problems: problems.map((p) => ({ code: p.code, index: p.index.toString(), sequence: p.sequence, message: p.message })),
  };
}

function printHistory(io: Io, history: LineHistory, problems: readonly LineageProblem[]): void {
  io.stdout.write(`line ${history.line}: ${history.records.length} record(s)\n`);
  for (const r of history.records) {
    io.stdout.write(`#${r.sequence}  ${r.createdAt}  ${r.digest}  ${r.artifact.kind} ${r.artifact.name}\n`);
    io.stdout.write(`    index ${r.index}, entry ${r.entryDigest}, signer ${r.signer}${r.note === undefined ? '' : `\n    note: ${r.note}`}\n`);
    for (const a of r.audits) {
      const score = a.score === undefined ? '' : ` score ${a.score}`;
      const verified = a.verified ? '' : ` (NOT VERIFIED: ${a.reason ?? 'unknown'})`;
      io.stdout.write(`    audit ${a.type} by ${a.auditor}: ${a.result}${score}, ${a.createdAt}, index ${a.index}${verified}${a.note === undefined ? '' : ` - ${a.note}`}\n`);
    }
    for (const v of r.revocations) {
      const label = v.honoured ? 'REVOKED' : 'revocation NOT HONOURED (signed by neither the record signer nor a trusted key)';
      io.stdout.write(`    ${label}: ${v.reason}, ${v.createdAt}, index ${v.index}, signer ${v.signer}\n`);
    }
  }
  for (const p of problems) {
    io.stdout.write(`problem ${p.code} at index ${p.index}${p.sequence === null ? '' : `, sequence ${p.sequence}`}: ${p.message}\n`);
  }
  io.stdout.write(problems.length === 0 && history.records.length > 0 ? 'chain verified\n' : 'chain does NOT verify\n');
}
