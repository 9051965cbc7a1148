// Finding an entry by its entry digest: one search on the `entry` index term for entries appended now, and a scan
// of the scope for entries stored before that term existed (simulated by a preparer that leaves the term out).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { sha256Digest } from '../../src/core/digest.js';
import { isProvenantError } from '../../src/core/errors.js';
import { CheckpointGuard } from '../../src/cli/checkpoint-guard.js';
import { findEntry } from '../../src/cli/find-entry.js';
import { VerifiedLog } from '../../src/cli/verified-log.js';
import { SigningKey } from '../../src/crypto/index.js';
import { noteSignerFromKey } from '../../src/formats/signed-note.js';
import { prepareEntry, type EntryPreparer } from '../../src/log/entries/index.js';
import type { EntryQuery } from '../../src/log/service.js';
import { TransparencyLog } from '../../src/log/transparency-log.js';
import { openLogStore } from '../../src/store/open-log-store.js';
import { ecdsa, lineageProposal } from '../log/entries/entry-fixtures.js';

const ORIGIN = 'find.test.example/log';

/** As prepareEntry, without the entry digest term: how entries were stored before it was added. */
const withoutEntryTerm: EntryPreparer = async (proposed) => {
  const prepared = await prepareEntry(proposed);
  return { ...prepared, terms: prepared.terms.filter((t) => t.name !== 'entry') };
};

/** A log whose searches are recorded, read through VerifiedLog with a trust directory of its own. */
async function verifiedLog(t: { after(fn: () => Promise<void>): void }, prepare: EntryPreparer): Promise<{ log: TransparencyLog; verified: () => Promise<VerifiedLog>; searches: EntryQuery[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-find-entry-'));
  const log = await TransparencyLog.open({ store: await openLogStore({ dataDir: join(dir, 'data') }), origin: ORIGIN, signer: noteSignerFromKey(ORIGIN, SigningKey.generate('ed25519')), prepare });
  t.after(async () => {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });
  const searches: EntryQuery[] = [];
  const counted = new Proxy(log, {
    get(target, prop) {
      if (prop === 'search') return (query: EntryQuery, page?: { after?: bigint; limit?: number }) => (searches.push(query), target.search(query, page));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), env: {} };
  const verified = async (): Promise<VerifiedLog> => new VerifiedLog(counted, await CheckpointGuard.open(counted, { trustDir: join(dir, 'trust') }, io));
  return { log, verified, searches };
}

test('an entry appended now is found by its digest with one search on the entry term', async (t) => {
  const { log, verified, searches } = await verifiedLog(t, prepareEntry);
  const first = await log.append(await lineageProposal(ecdsa, 1, null));
  const second = await log.append(await lineageProposal(ecdsa, 2, first.entryDigest));
  const reader = await verified();
  for (const [scope, wanted] of [[{ kind: 'lineage' }, second], [{}, first], [{ kind: 'lineage', line: 'acme/app' }, first]] as const) {
    searches.length = 0;
    const view = await findEntry(reader, wanted.entryDigest, 'ENTRY', scope);
    assert.equal(view.index, wanted.index);
    assert.equal(view.entryDigest, wanted.entryDigest);
    assert.deepEqual(searches, [{ ...scope, entry: wanted.entryDigest }]);
  }
  assert.equal((await findEntry(reader, '1', 'ENTRY', {})).entryDigest, second.entryDigest);
});

test('an entry stored without the entry term is found by scanning its scope; one in neither is LOG_ENTRY_NOT_FOUND', async (t) => {
  const { log, verified, searches } = await verifiedLog(t, withoutEntryTerm);
  const old = await log.append(await lineageProposal(ecdsa, 1, null));
  await log.append(await lineageProposal(ecdsa, 2, old.entryDigest));
  const reader = await verified();
  const view = await findEntry(reader, old.entryDigest, 'RECORD', { kind: 'lineage' });
  assert.equal(view.index, old.index);
  assert.deepEqual(searches, [{ kind: 'lineage', entry: old.entryDigest }, { kind: 'lineage' }]);
  // Without a scope the scan goes through each kind in turn.
  searches.length = 0;
  assert.equal((await findEntry(reader, old.entryDigest, 'ENTRY', {})).index, old.index);
  assert.deepEqual(searches[0], { entry: old.entryDigest });
  assert.ok(searches.slice(1).every((q) => Object.keys(q).join() === 'kind'));
  await assert.rejects(findEntry(reader, sha256Digest('no such entry'), 'ENTRY', {}), (e: unknown) => isProvenantError(e, 'LOG_ENTRY_NOT_FOUND'));
});
