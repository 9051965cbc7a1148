// `provenant log search` on the embedded log and against a service: every criterion, the limit, the paging over the
// search API, and the answers a log must not give (entries that do not match, pages that do not advance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { isProvenantError } from '../../src/core/errors.js';
import { LOG_PASSWORD_ENV } from '../../src/cli/log-key.js';
import { matchingIndices } from '../../src/cli/commands/log-search.js';
import { openEmbeddedLog } from '../../src/cli/store-access.js';
import type { EntryQuery, SearchPage } from '../../src/log/service.js';
import { attestationProposal, imageDigest, TEST_PREDICATE_TYPE } from '../server/server-fixture.js';
import { failedWith, succeeded } from './cli-helpers.js';
import { LOG_PASSWORD, serveData, storeWorkspace } from './store-fixtures.js';

interface Listed {
  index: string;
  kind: string;
  entryDigest: string;
  signer: string;
  predicateType?: string;
  subjects?: { name?: string; digest: string }[];
}

interface SearchOut {
  size: string;
  more: boolean;
  entries: Listed[];
}

const ws = await storeWorkspace('log-search');
const store = ['--data', ws.data];
const records: { index: string; entryDigest: string; line: string }[] = [];
for (const [line, n] of [['acme/a', 0], ['acme/a', 1], ['acme/b', 0], ['acme/a', 2]] as const) {
  const file = ws.path(`${line.replace('/', '-')}-${n}.raw`);
  await writeFile(file, `${line} ${n}\n`);
  const out = succeeded<{ index: string; entryDigest: string }>(await ws.run(['record', file, '--line', line, '--key', ws.key.key, '--json', ...store]));
  records.push({ ...out, line });
}
{
  const { log } = await openEmbeddedLog({ location: { dataDir: ws.data }, keyPath: join(ws.data, 'log.key'), env: { [LOG_PASSWORD_ENV]: LOG_PASSWORD } });
  await log.append(await attestationProposal(7));
  await log.close();
}
const search = async (args: string[], where = store): Promise<SearchOut> => succeeded<SearchOut>(await ws.run(['log', 'search', ...args, '--json', ...where]));

test('log search lists the entries matching every criterion, ascending, each with its kind and entry digest', async () => {
  const lineA = await search(['--line', 'acme/a']);
  assert.deepEqual(lineA.entries.map((e) => [e.index, e.kind, e.entryDigest]), records.filter((r) => r.line === 'acme/a').map((r) => [r.index, 'lineage', r.entryDigest]));
  assert.equal(lineA.more, false);
  assert.equal(lineA.size, '5');
  const keyId = lineA.entries[0]?.signer as string;
  assert.match(keyId, /^sha256:[0-9a-f]{64}$/);
  assert.equal((await search(['--signer-key', ws.key.pub])).entries.length, 4);
  assert.equal((await search(['--signer', keyId, '--line', 'acme/b'])).entries.length, 1);
  const successor = await search(['--target', records[0]?.entryDigest as string]);
  assert.deepEqual(successor.entries.map((e) => e.index), [records[1]?.index]);
  assert.deepEqual((await search(['--kind', 'revocation'])).entries, []);

  const attestations = await search(['--predicate-type', TEST_PREDICATE_TYPE]);
  assert.deepEqual(attestations.entries.map((e) => [e.index, e.kind, e.predicateType, e.subjects]), [
    ['4', 'attestation', TEST_PREDICATE_TYPE, [{ name: 'registry.example/team/app', digest: imageDigest(7) }]],
  ]);
  assert.deepEqual((await search(['--subject', imageDigest(7), '--kind', 'attestation'])).entries.map((e) => e.index), ['4']);

  const text = await ws.run(['log', 'search', '--kind', 'attestation', ...store]);
  assert.equal(text.exit, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^4  attestation  sha256:[0-9a-f]{64}  ${TEST_PREDICATE_TYPE}  ${imageDigest(7)}$`, 'm'));
});

test('--limit stops the listing and says more match', async () => {
  const first = await search(['--kind', 'lineage', '--limit', '3']);
  assert.deepEqual(first.entries.map((e) => e.index), ['0', '1', '2']);
  assert.equal(first.more, true);
  const all = await search(['--kind', 'lineage', '--limit', '4']);
  assert.deepEqual([all.entries.length, all.more], [4, false]);
});

test('log search against a service gives the same listing', async (t) => {
  const service = await serveData(ws.data);
  t.after(() => service.stop());
  const remote = ['--server', service.url];
  assert.deepEqual((await search(['--line', 'acme/a'], remote)).entries, (await search(['--line', 'acme/a'])).entries);
  assert.deepEqual((await search(['--predicate-type', TEST_PREDICATE_TYPE], remote)).entries, (await search(['--predicate-type', TEST_PREDICATE_TYPE])).entries);
});

test('log search needs a criterion, one way to name the signer, digests and a positive limit', async () => {
  failedWith(await ws.run(['log', 'search', ...store]), 'USAGE');
  failedWith(await ws.run(['log', 'search', '--signer', 'sha256:' + '0'.repeat(64), '--signer-key', ws.key.pub, ...store]), 'USAGE');
  failedWith(await ws.run(['log', 'search', '--kind', 'lineage', '--limit', '0', ...store]), 'USAGE');
  failedWith(await ws.run(['log', 'search', '--kind', 'nothing', ...store]), 'USAGE');
  failedWith(await ws.run(['log', 'search', '--line', 'Not A Line', ...store]), 'USAGE');
  failedWith(await ws.run(['log', 'search', '--subject', 'sha256:xyz', ...store]), 'DIGEST_MALFORMED');
  failedWith(await ws.run(['log', 'search', '--signer-key', ws.key.key, ...store]), 'KEY_MISMATCH');
});

/** A stand-in for the search API that answers pages of `pageSize` over `total` matches, whatever limit is asked. */
function pagedSearch(total: number, pageSize: number, asked: number[]): { search(query: EntryQuery, page?: { after?: bigint; limit?: number }): Promise<SearchPage> } {
  return {
    search: async (_query, page = {}) => {
      asked.push(page.limit ?? 0);
      const start = page.after === undefined ? 0 : Number(page.after) + 1;
      const indices = Array.from({ length: Math.max(0, Math.min(pageSize, total - start)) }, (_, i) => BigInt(start + i));
      return start + pageSize < total ? { indices, next: indices[indices.length - 1] as bigint } : { indices };
    },
  };
}

test('the listing pages through the search API up to the limit', async () => {
  const asked: number[] = [];
  const seven = await matchingIndices(pagedSearch(7, 2, asked), { kind: 'lineage' }, 100);
  assert.deepEqual([seven.indices.length, seven.more], [7, false]);
  assert.equal(asked.length, 4);
  const five = await matchingIndices(pagedSearch(7, 2, []), { kind: 'lineage' }, 5);
  assert.deepEqual([five.indices, five.more], [[0n, 1n, 2n, 3n, 4n], true]);
  const large: number[] = [];
  await matchingIndices(pagedSearch(3, 3, large), { kind: 'lineage' }, 5000);
  assert.deepEqual(large, [1000]);
  const stuck = { search: async () => ({ indices: [], next: 0n }) };
  await assert.rejects(matchingIndices(stuck, { kind: 'lineage' }, 10), (e: unknown) => isProvenantError(e, 'SERVICE_PROTOCOL'));
});
