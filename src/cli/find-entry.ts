// Finding an entry a command names by log index or by entry digest. Every entry is indexed by its own digest (the
// `entry` search term), so a digest is one search within the command's scope (a kind, a line).
import { sha256Digest, type Digest } from '../core/digest.js';
import { ProvenantError } from '../core/errors.js';
import { ENTRY_KINDS } from '../log/entries/index.js';
import type { EntryQuery, LogEntryView } from '../log/service.js';
import { parseEntryRef } from './store-args.js';
import { requireIntact, type VerifiedLog } from './verified-log.js';

const PAGE = 500;
const CONCURRENCY = 16;

/**
 * The entry `ref` names (a log index or an entry digest), proven in the trusted tree; a digest is looked for among
 * the entries matching `scope` (empty: any entry). Errors: LOG_ENTRY_NOT_FOUND, LOG_ENTRY_TAMPERED, USAGE,
 * DIGEST_MALFORMED, those of the log.
 */
export async function findEntry(log: VerifiedLog, ref: string, what: string, scope: EntryQuery): Promise<LogEntryView> {
  const parsed = parseEntryRef(ref, what);
  if ('index' in parsed) return requireIntact(await log.entry(parsed.index));
  const hits = await log.search({ ...scope, entry: parsed.digest }, { limit: 10 });
  for (const index of hits.indices) {
    const view = await log.entry(index);
    // The digest is recomputed from the entry bytes, so an index term cannot pass off one entry for another.
    if (view.entryDigest === parsed.digest) return requireIntact(view);
  }
  // Entries stored before every entry was indexed by its own digest have no `entry` term: only when the search finds
  // nothing are the entries of the scope read and hashed, newest first.
  const scopes = Object.keys(scope).length === 0 ? ENTRY_KINDS.map((kind) => ({ kind })) : [scope];
  for (const query of scopes) {
    const found = await scan(log, query, parsed.digest);
    if (found === undefined) continue;
    const view = await log.entry(found);
    if (view.entryDigest === parsed.digest) return requireIntact(view);
  }
  throw new ProvenantError('LOG_ENTRY_NOT_FOUND', `the log has no ${scope.kind ?? 'such'} entry with digest ${parsed.digest}`, {
    details: { digest: parsed.digest },
  });
}

async function scan(log: VerifiedLog, query: EntryQuery, digest: Digest): Promise<bigint | undefined> {
  const indices: bigint[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await log.search(query, after === undefined ? { limit: PAGE } : { after, limit: PAGE });
    indices.push(...page.indices);
    if (page.next === undefined) break;
    after = page.next;
  }
  indices.reverse();
  for (let i = 0; i < indices.length; i += CONCURRENCY) {
    const views = await Promise.all(indices.slice(i, i + CONCURRENCY).map((index) => log.inner.entry(index)));
    const found = views.find((v) => sha256Digest(v.entryBytes) === digest);
    if (found !== undefined) return found.index;
  }
  return undefined;
}
