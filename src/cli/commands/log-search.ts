// `provenant log search`: the entries matching every criterion given, each proven in the verified tree as
// `log get` proves one, and re-read from its bytes to check it matches what was asked (the index is the log's word).
import type { Command } from 'commander';
import { parseDigest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import { describeEntry, ENTRY_KINDS, isEntryKind, isLineName, type EntryDescription } from '../../log/entries/index.js';
import { MAX_SEARCH_LIMIT } from '../../log/entry-reads.js';
import type { EntryQuery, LogEntryView, LogService } from '../../log/service.js';
import { addLogOptions, withLog, type LogOptions } from '../log-session.js';
import { loadVerifierFiles } from '../options.js';
import { printJson, type Io } from '../run.js';
import { requireIntact } from '../verified-log.js';

export const DEFAULT_LIST_LIMIT = 100;

interface SearchOptions extends LogOptions {
  subject?: string;
  predicateType?: string;
  signer?: string;
  signerKey?: string;
  line?: string;
  kind?: string;
  target?: string;
  limit: string;
  json?: boolean;
}

interface Found {
  readonly view: LogEntryView;
  readonly description: EntryDescription;
}

export function installLogSearch(log: Command, io: Io): void {
  addLogOptions(log.command('search').description('the entries matching every criterion given, each proven in the verified tree'))
    .option('--subject <digest>', 'an artifact digest the entry is about (sha256:...)')
    .option('--predicate-type <uri>', 'an in-toto predicate type')
    .option('--signer <keyid>', 'a signer key id: sha256 of its DER SubjectPublicKeyInfo')
    .option('--signer-key <pem>', 'the signer public key (its key id is searched for)')
    .option('--line <provider/name>', 'a lineage line')
    .option('--kind <kind>', `the entry kind (${ENTRY_KINDS.join(', ')})`)
    .option('--target <digest>', 'the entry digest a lineage record, audit or revocation points at')
    .option('--limit <n>', 'list at most this many entries', String(DEFAULT_LIST_LIMIT))
    .option('--json', 'print JSON')
    .action(async (opts: SearchOptions) => {
      const query = await searchQuery(opts);
      const limit = parseLimit(opts.limit);
      await withLog(opts, io, { mode: 'read' }, async ({ log: verified, guard }) => {
        const { indices, more } = await matchingIndices(verified, query, limit);
        const found: Found[] = [];
        for (const index of indices) {
          const view = requireIntact(await verified.entry(index));
          const description = describeEntry(view.entryBytes);
          if (!matches(description, query)) {
            throw new ProvenantError('SERVICE_PROTOCOL', `the log answered the search with entry ${index}, which does not match it`, { details: { index: index.toString() } });
          }
          found.push({ view, description });
        }
        const size = guard.latest.size;
        if (opts.json === true) {
          printJson(io, { query, size: size.toString(), more, entries: found.map(entryJson) });
          return;
        }
        for (const { view, description: d } of found) {
          const about = d.kind === 'attestation' ? `  ${d.predicateType ?? ''}  ${d.subjects.map((s) => s.digest).join(',')}` : '';
          io.stdout.write(`${view.index}  ${d.kind}  ${view.entryDigest}${about}\n`);
        }
        io.stdout.write(`${found.length} entr${found.length === 1 ? 'y' : 'ies'}, each proven in the tree of size ${size}${more ? `; more match (raise --limit)` : ''}\n`);
      });
    });
}

/** Errors: USAGE (no criterion, both --signer and --signer-key, a bad line or kind), DIGEST_MALFORMED, key errors. */
async function searchQuery(opts: SearchOptions): Promise<EntryQuery> {
  if (opts.signer !== undefined && opts.signerKey !== undefined) throw new ProvenantError('USAGE', 'give --signer or --signer-key, not both');
  if (opts.line !== undefined && !isLineName(opts.line)) throw new ProvenantError('USAGE', `--line ${JSON.stringify(opts.line)} is not "provider/name"`);
  if (opts.kind !== undefined && !isEntryKind(opts.kind)) throw new ProvenantError('USAGE', `--kind must be one of ${ENTRY_KINDS.join(', ')}`);
  if (opts.predicateType === '') throw new ProvenantError('USAGE', '--predicate-type must not be empty');
  const signer = opts.signerKey === undefined ? opts.signer : ((await loadVerifierFiles([opts.signerKey]))[0]?.keyId as string);
  const query: EntryQuery = {
    ...(opts.subject === undefined ? {} : { subject: parseDigest(opts.subject, '--subject') }),
    ...(opts.predicateType === undefined ? {} : { predicateType: opts.predicateType }),
    ...(signer === undefined ? {} : { signer: parseDigest(signer, '--signer') }),
    ...(opts.line === undefined ? {} : { line: opts.line }),
    ...(opts.kind === undefined ? {} : { kind: opts.kind }),
    ...(opts.target === undefined ? {} : { target: parseDigest(opts.target, '--target') }),
  };
  if (Object.keys(query).length === 0) {
    throw new ProvenantError('USAGE', 'give at least one of --subject, --predicate-type, --signer, --signer-key, --line, --kind, --target');
  }
  return query;
}

function parseLimit(value: string): number {
  const n = /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new ProvenantError('USAGE', `--limit must be a positive integer, not ${JSON.stringify(value)}`);
  return n;
}

/** The first `limit` matching indices, a page at a time, and whether more match. Errors: SERVICE_PROTOCOL, the log's. */
export async function matchingIndices(log: Pick<LogService, 'search'>, query: EntryQuery, limit: number): Promise<{ indices: bigint[]; more: boolean }> {
  const indices: bigint[] = [];
  let after: bigint | undefined;
  for (;;) {
    const want = Math.min(limit - indices.length, MAX_SEARCH_LIMIT);
    const page = await log.search(query, after === undefined ? { limit: want } : { after, limit: want });
    for (const index of page.indices) {
      const last = indices[indices.length - 1] ?? after;
      if (last !== undefined && index <= last) throw new ProvenantError('SERVICE_PROTOCOL', 'the log answered a search with indices out of order');
      if (indices.length === limit) return { indices, more: true };
      indices.push(index);
    }
    if (page.next === undefined) return { indices, more: false };
    if (indices.length === limit) return { indices, more: true };
    if (after !== undefined && page.next <= after) throw new ProvenantError('SERVICE_PROTOCOL', 'the log answered a search with a next page that does not advance');
    after = page.next;
  }
}

function matches(d: EntryDescription, q: EntryQuery): boolean {
  return (
    (q.kind === undefined || d.kind === q.kind) &&
    (q.subject === undefined || d.subjects.some((s) => s.digest === q.subject)) &&
    (q.predicateType === undefined || d.predicateType === q.predicateType) &&
    (q.signer === undefined || d.signer === q.signer) &&
    (q.line === undefined || d.line === q.line) &&
    (q.target === undefined || d.target === q.target)
  );
}

function entryJson({ view, description: d }: Found): unknown {
  return {
    index: view.index.toString(),
    kind: d.kind,
    entryDigest: view.entryDigest,
    leafHash: view.leafHash,
    integratedAt: view.integratedAt,
    signer: d.signer,
    ...(d.kind === 'attestation' ? { predicateType: d.predicateType, subjects: d.subjects } : {}),
  };
}
