// `provenant log info | get | prove | verify | search`: reading the transparency log as a client. Each command
// verifies the log's checkpoint against the one trusted before (see src/cli/checkpoint-guard.ts) before it shows
// anything. None of them appends, so the embedded log is opened without its key.
import type { Command } from 'commander';
import { decodeBase64 } from '../../core/bytes.js';
import { ProvenantError } from '../../core/errors.js';
import { canonicalJsonBytes, isJsonObject, parseJson } from '../../core/json.js';
import type { LogEntryView } from '../../log/service.js';
import { leafHash } from '../../merkle/index.js';
import { readInputFile } from '../files.js';
import { auditFailure, fullAudit } from '../log-audit.js';
import { addLogOptions, withLog, type LogOptions } from '../log-session.js';
import { printJson, type Io } from '../run.js';
import { parseIndex } from '../store-args.js';
import { requireIntact } from '../verified-log.js';
import { installLogSearch } from './log-search.js';

interface JsonOption {
  json?: boolean;
}

export function installLog(program: Command, io: Io): void {
  const log = program.command('log').description('the transparency log: its head, entries, proofs and audit');

  addLogOptions(log.command('info').description("the log's origin, size, root hash and verifier key, after verifying its checkpoint"))
    .option('--json', 'print JSON')
    .action(async (opts: LogOptions & JsonOption) => {
      await withLog(opts, io, { mode: 'read' }, async ({ guard }) => {
        const cp = guard.latest;
        const trust = guard.previous === null ? 'first use' : guard.previous.size === cp.size ? 'unchanged' : `grew from ${guard.previous.size}`;
        if (opts.json === true) {
          printJson(io, {
            origin: guard.origin,
            size: cp.size.toString(),
            rootHash: cp.rootHash.toString('hex'),
            verifierKey: guard.verifierKey,
            checkpoint: cp.note,
            trustedBefore: guard.previous === null ? null : guard.previous.size.toString(),
          });
          return;
        }
        io.stdout.write(
          `origin:       ${guard.origin}\nsize:         ${cp.size}\nroot hash:    ${cp.rootHash.toString('hex')}\n` +
            `verifier key: ${guard.verifierKey}\ncheckpoint:   verified (${trust})\n`,
        );
      });
    });

  addLogOptions(log.command('get').description('an entry, by index or leaf hash, proven to be in the verified tree'))
    .argument('[index]', 'the entry index')
    .option('--leaf-hash <hex>', 'find the entry by its leaf hash instead')
    .option('--json', 'print JSON (with the entry bytes, base64)')
    .action(async (indexArg: string | undefined, opts: LogOptions & JsonOption & { leafHash?: string }) => {
      if ((indexArg === undefined) === (opts.leafHash === undefined)) throw new ProvenantError('USAGE', 'give an INDEX or --leaf-hash, not both');
      if (opts.leafHash !== undefined && !/^[0-9a-f]{64}$/.test(opts.leafHash)) throw new ProvenantError('USAGE', '--leaf-hash is 64 lowercase hex digits');
      await withLog(opts, io, { mode: 'read' }, async ({ log: verified }) => {
        const view = indexArg === undefined ? await verified.entryByLeafHash(opts.leafHash as string) : await verified.entry(parseIndex(indexArg, 'INDEX'));
        printEntry(io, requireIntact(view), opts.json === true);
      });
    });

  addLogOptions(log.command('prove').description('prove an entry is in the tree of the verified checkpoint (or of --size), verified locally'))
    .argument('[index]', 'the entry index')
    .option('--entry <file>', 'the entry itself (a JSON entry, or the output of `log get --json`), found by its leaf hash')
    .option('--size <n>', 'prove in the tree of this size (default: the latest checkpoint)')
    .option('--json', 'print JSON')
    .action(async (indexArg: string | undefined, opts: LogOptions & JsonOption & { entry?: string; size?: string }) => {
      if ((indexArg === undefined) === (opts.entry === undefined)) throw new ProvenantError('USAGE', 'give an INDEX or --entry FILE, not both');
      const size = opts.size === undefined ? undefined : parseIndex(opts.size, '--size');
      const given = opts.entry === undefined ? undefined : await entryFromFile(opts.entry);
      await withLog(opts, io, { mode: 'read' }, async ({ log: verified }) => {
        const hash = given === undefined ? undefined : leafHash(given).toString('hex');
        const view = hash === undefined ? await verified.inner.entry(parseIndex(indexArg as string, 'INDEX')) : await verified.inner.entryByLeafHash(hash);
        const bytesHash = leafHash(view.entryBytes);
        if (bytesHash.toString('hex') !== view.leafHash || (hash !== undefined && view.leafHash !== hash)) {
          throw new ProvenantError('LOG_ENTRY_TAMPERED', `entry ${view.index} does not hash to its leaf hash`, { details: { index: view.index.toString() } });
        }
        const { proof, checkpoint } = await verified.prove(view.index, bytesHash, size);
        if (opts.json === true) {
          printJson(io, {
            index: proof.index.toString(),
            size: proof.size.toString(),
            leafHash: proof.leafHash,
            rootHash: checkpoint.rootHash.toString('hex'),
            hashes: proof.hashes,
            checkpoint: checkpoint.note,
            verified: true,
          });
          return;
        }
        io.stdout.write(
          `entry ${proof.index} (leaf hash ${proof.leafHash}) is in the tree of size ${proof.size}, root ${checkpoint.rootHash.toString('hex')}: ` +
            `inclusion proof of ${proof.hashes.length} hash(es) verified\n`,
        );
      });
    });

  addLogOptions(log.command('verify').description("verify the log's latest checkpoint; with --full, audit every entry"))
    .option('--full', 'also re-hash every entry, recompute the tree and re-verify every entry')
    .option('--json', 'print JSON')
    .action(async (opts: LogOptions & JsonOption & { full?: boolean }) => {
      await withLog(opts, io, { mode: 'read' }, async ({ access, guard }) => {
        const cp = guard.latest;
        const audit = opts.full === true ? await fullAudit(access.log, guard.verifier, cp) : undefined;
        if (opts.json === true) {
          printJson(io, {
            origin: guard.origin,
            size: cp.size.toString(),
            rootHash: cp.rootHash.toString('hex'),
            checkpointVerified: true,
            ...(audit === undefined
              ? {}
              : {
                  audit: {
                    ok: audit.ok,
                    checked: audit.checked.toString(),
                    recomputedRoot: audit.recomputedRoot,
                    problemCount: audit.problemCount,
                    problems: audit.problems.map((p) => ({ index: p.index?.toString() ?? null, kind: p.kind, code: p.code, tile: p.tile ?? null, message: p.message })),
                  },
                }),
          });
        } else {
          io.stdout.write(`checkpoint of ${guard.origin} at size ${cp.size} verified, consistent with the one trusted before\n`);
          if (audit !== undefined) {
            io.stdout.write(`audit: ${audit.checked} of ${audit.size} entries read, ${audit.problemCount} problem(s)\n`);
            for (const p of audit.problems) {
              const where = p.index === undefined ? (p.tile ?? 'log') : `index ${p.index}${p.kind === null ? '' : ` (${p.kind})`}`;
              io.stdout.write(`  ${where}: ${p.code}: ${p.message}\n`);
            }
          }
        }
        if (audit !== undefined && !audit.ok) throw auditFailure(audit);
      });
    });

  installLogSearch(log, io);
}

function printEntry(io: Io, view: LogEntryView, json: boolean): void {
  const kind = typeof view.entry.kind === 'string' ? view.entry.kind : null;
  if (json) {
    printJson(io, {
      index: view.index.toString(),
      leafHash: view.leafHash,
      entryDigest: view.entryDigest,
      integratedAt: view.integratedAt,
      kind,
      entryBytes: view.entryBytes.toString('base64'),
      entry: view.entry,
    });
    return;
  }
  io.stdout.write(
    `index:        ${view.index}\nkind:         ${kind ?? '(none)'}\nentry digest: ${view.entryDigest}\nleaf hash:    ${view.leafHash}\n` +
      `integrated:   ${view.integratedAt}\n${JSON.stringify(view.entry, null, 2)}\n`,
  );
}

/** The entry bytes of a file: the `entryBytes` of a `log get --json` output, else the canonical form of the JSON entry. */
async function entryFromFile(path: string): Promise<Buffer> {
  const doc = parseJson(await readInputFile(path, 'entry file', 16 * 1024 * 1024), `entry file ${path}`);
  if (!isJsonObject(doc)) throw new ProvenantError('JSON_MALFORMED', `entry file ${path} must hold a JSON object`);
  if (typeof doc.entryBytes === 'string') return decodeBase64(doc.entryBytes, 'entryBytes');
  return canonicalJsonBytes(doc);
}
