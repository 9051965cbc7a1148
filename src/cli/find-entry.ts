// Finding an entry a command names by log index or by entry digest. The log indexes entries by what they are about,
// not by their own digest, so a digest is looked for among the entries of its kind (or of one line), newest first.
import { sha256Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import type { EntryQuery, LogEntryView } from '../log/service.js';
import { parseEntryRef } from './store-args.js';
import type { VerifiedLog } from './verified-log.js';

const PAGE = 500;
const CONCURRENCY = 16;

/** Errors: LOG_ENTRY_NOT_FOUND, USAGE, DIGEST_MALFORMED, those of the log. */
export async function findEntry(log: VerifiedLog, ref: string, what: string, scope: EntryQuery): Promise<LogEntryView> {
  const parsed = parseEntryRef(ref, what);
  if ('index' in parsed) return log.entry(parsed.index);
  const indices: bigint[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await log.search(scope, after === undefined ? { limit: PAGE } : { after, limit: PAGE });
    indices.push(...page.indices);
    if (page.next === undefined) break;
    after = page.next;
  }
  indices.reverse();
  for (let i = 0; i < indices.length; i += CONCURRENCY) {
    // Entries are compared by their digest, recomputed from their bytes, so a log cannot pass off one for another.
    const views = await Promise.all(indices.slice(i, i + CONCURRENCY).map((index) => log.inner.entry(index)));
    const found = views.find((v) => sha256Digest(v.entryBytes) === parsed.digest);
    if (found !== undefined) return log.entry(found.index);
  }
  throw new ProvenantError('LOG_ENTRY_NOT_FOUND', `the log has no ${scope.kind ?? 'such'} entry with digest ${parsed.digest}`, {
    details: { digest: parsed.digest },
  });
}
