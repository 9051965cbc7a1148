// A line's history read through the LogService (embedded or remote alike): every entry indexed under the line,
// plus every audit that targets one of its records, handed to the pure check.
import type { Digest } from '../../core/digest.js';
import { sha256Digest } from '../../core/digest.js';
import { isProvenantError, ProvenantError } from '../../core/errors.js';
import { isLineName } from '../entries/index.js';
import type { EntryQuery, LogEntryView, LogService } from '../service.js';
import { checkLineage, type UnreadableEntry } from './check-lineage.js';
import type { LineHistory, LineHistoryOptions } from './line-history.js';

const PAGE_SIZE = 500;
const FETCH_CONCURRENCY = 16;

/** Errors: USAGE for a malformed line name; whatever the log reports. Problems of the line are in the result. */
export async function lineHistory(log: LogService, line: string, options: LineHistoryOptions = {}): Promise<LineHistory> {
  if (!isLineName(line)) throw new ProvenantError('USAGE', `${JSON.stringify(line)} is not a line name "provider/name"`);
  const indices = await searchAll(log, { line });
  const unreadable: UnreadableEntry[] = [];
  const entries = await fetchEntries(log, indices, unreadable);
  const fetched = new Set(indices);
  // Audits and revocations are found through the record they target, so one that names another line is still reported.
  const recordDigests = entries.filter((e) => e.entry.kind === 'lineage').map((e) => sha256Digest(e.entryBytes));
  const extra: bigint[] = [];
  for (const digest of recordDigests) {
    for (const kind of ['audit', 'revocation']) {
      for (const index of await searchAll(log, { target: digest, kind })) {
        if (!fetched.has(index)) {
          fetched.add(index);
          extra.push(index);
        }
      }
    }
  }
  entries.push(...(await fetchEntries(log, extra, unreadable)));
  return checkLineage(line, entries, options, unreadable);
}

/**
 * The predecessor and sequence of the next record of `line` (`--previous auto`). Refuses, with the code of the
 * first problem, a line whose history has problems: extending a forked or broken line would hide them.
 */
export async function nextLineageLink(log: LogService, line: string, options: LineHistoryOptions = {}): Promise<{ previous: Digest | null; sequence: number }> {
  const history = await lineHistory(log, line, options);
  const [first] = history.problems;
  if (first !== undefined) {
    throw new ProvenantError(first.code, `the line ${line} has ${history.problems.length} problem(s); the first, at index ${first.index}: ${first.message}`, {
      details: { line, problems: history.problems.map((p) => ({ code: p.code, index: p.index.toString(), sequence: p.sequence, message: p.message })) },
    });
  }
  const last = history.records.at(-1);
  return last === undefined ? { previous: null, sequence: 1 } : { previous: last.entryDigest, sequence: last.sequence + 1 };
}

async function searchAll(log: LogService, query: EntryQuery): Promise<bigint[]> {
  const indices: bigint[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await log.search(query, after === undefined ? { limit: PAGE_SIZE } : { after, limit: PAGE_SIZE });
    indices.push(...page.indices);
    if (page.next === undefined) return indices;
    if (after !== undefined && page.next <= after) throw new ProvenantError('INTERNAL', 'the log search did not advance');
    after = page.next;
  }
}

/** The entries at `indices`; one the log finds corrupt (edited beyond reading) goes to `unreadable` instead. */
async function fetchEntries(log: LogService, indices: readonly bigint[], unreadable: UnreadableEntry[]): Promise<LogEntryView[]> {
  const entries: LogEntryView[] = [];
  const read = async (index: bigint): Promise<void> => {
    try {
      entries.push(await log.entry(index));
    } catch (e) {
      if (!isProvenantError(e, 'STORE_CORRUPT')) throw e;
      unreadable.push({ index, message: `the log cannot read the entry (${e.code}): ${e.message}` });
    }
  };
  for (let i = 0; i < indices.length; i += FETCH_CONCURRENCY) {
    await Promise.all(indices.slice(i, i + FETCH_CONCURRENCY).map(read));
  }
  return entries;
}
