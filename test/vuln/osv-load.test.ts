import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { compareModified, loadOsv } from '../../src/vuln/osv-load.js';
import { buildZip } from '../helpers/zip-writer.js';

const rec = (id: string, modified: string, summary = 's'): Record<string, unknown> => ({ id, modified, summary, affected: [] });
// GHSA-b appears twice: the later `modified` wins, whichever comes first.
const RECORDS = [
  rec('GHSA-b', '2024-01-01T00:00:00.5Z', 'newer'),
  rec('GHSA-a', '2023-05-01T12:00:00Z'),
  rec('GHSA-b', '2024-01-01T00:00:00.25Z', 'older'),
  rec('CVE-2024-1', '2024-02-01T00:00:00.123456789Z'),
];

function zipOf(files: [string, Buffer][]): Buffer {
  return buildZip(files.map(([name, data]) => ({ name, data })));
}

function withTemp(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'osv-load-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const code = (c: ErrorCode, details?: Record<string, unknown>) => (e: unknown) =>
  e instanceof ProvenantError && e.code === c && Object.entries(details ?? {}).every(([k, v]) => e.details?.[k] === v);

test('osv-load: a directory, NDJSON and all.zip of the same records are the same data set', withTemp(async (tmp) => {
  const root = join(tmp, 'dir');
  mkdirSync(join(root, 'nested'), { recursive: true });
  // Pretty-printed files and compact lines differ in bytes only; the identity hashes each record's RFC 8785 form.
  RECORDS.forEach((r, i) => writeFileSync(join(root, i % 2 ? 'nested' : '', `${i}.json`), JSON.stringify(r, null, 2) + '\n'));
  writeFileSync(join(root, 'README.md'), 'not a record');
  const ndjson = join(tmp, 'all.ndjson');
  writeFileSync(ndjson, '\n' + [...RECORDS].reverse().map((r) => JSON.stringify(r)).join('\r\n\n') + '\n');
  const zip = join(tmp, 'all.zip');
  writeFileSync(zip, zipOf(RECORDS.map((r, i) => [`${i}.json`, Buffer.from(JSON.stringify(r))])));

  const sets = [await loadOsv({ dir: root }), await loadOsv({ ndjson }), await loadOsv({ zip })];
  assert.deepEqual(sets.map((s) => s.identity.source), ['dir', 'ndjson', 'zip']);
  for (const s of sets) {
    assert.equal(s.identity.digest, sets[0]!.identity.digest);
    assert.match(s.identity.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(s.identity.advisories, 3);
    assert.equal(s.identity.newestModified, '2024-02-01T00:00:00.123456789Z');
    assert.equal(s.duplicates, 1);
    assert.deepEqual(s.advisories.map((a) => [a.id, a.summary]), [['CVE-2024-1', 's'], ['GHSA-a', 's'], ['GHSA-b', 'newer']]);
  }
  // Another record content gives another identity.
  writeFileSync(ndjson, RECORDS.slice(1).map((r) => JSON.stringify(r)).join('\n'));
  assert.notEqual((await loadOsv({ ndjson })).identity.digest, sets[0]!.identity.digest);
}));

test('osv-load: an empty data set has an identity and no newest timestamp', withTemp(async (tmp) => {
  const ds = await loadOsv({ dir: tmp });
  assert.equal(ds.identity.advisories, 0);
  assert.equal(ds.identity.newestModified, null);
}));

test('osv-load: a bad NDJSON line is refused with its code and line number', withTemp(async (tmp) => {
  const path = join(tmp, 'x.ndjson');
  writeFileSync(path, `${JSON.stringify(RECORDS[0])}\n\n{"id": "X",\n`);
  await assert.rejects(loadOsv({ ndjson: path }), code('JSON_MALFORMED', { line: 3 }));
  writeFileSync(path, `${JSON.stringify(RECORDS[0])}\n${JSON.stringify({ id: 'X', modified: 'yesterday' })}\n`);
  await assert.rejects(loadOsv({ ndjson: path }), code('OSV_MALFORMED', { line: 2 }));
  writeFileSync(path, `${JSON.stringify(RECORDS[0])}\n${'x'.repeat(2000)}`);
  await assert.rejects(loadOsv({ ndjson: path }, { limits: { maxRecordBytes: 1000 } }), code('INPUT_TOO_LARGE', { line: 2 }));
}));

test('osv-load: a bad file or zip member is named in the error details', withTemp(async (tmp) => {
  mkdirSync(join(tmp, 'd', 'sub'), { recursive: true });
  writeFileSync(join(tmp, 'd', 'sub', 'bad.json'), '{"id": "X", "id": "Y"}');
  await assert.rejects(loadOsv({ dir: join(tmp, 'd') }), code('JSON_DUPLICATE_KEY', { file: 'sub/bad.json' }));
  const zip = join(tmp, 'all.zip');
  writeFileSync(zip, zipOf([['GHSA-x.json', Buffer.from('{"modified": "2024-01-01T00:00:00Z"}')]]));
  await assert.rejects(loadOsv({ zip }), code('OSV_MALFORMED', { entry: 'GHSA-x.json' }));
}));

test('osv-load: symbolic links are not followed; file size and count are bounded', withTemp(async (tmp) => {
  const root = join(tmp, 'd');
  mkdirSync(root);
  writeFileSync(join(tmp, 'outside.json'), JSON.stringify(rec('OUT-1', '2024-01-01T00:00:00Z')));
  mkdirSync(join(tmp, 'outside-dir'));
  writeFileSync(join(tmp, 'outside-dir', 'x.json'), JSON.stringify(rec('OUT-2', '2024-01-01T00:00:00Z')));
  symlinkSync(join(tmp, 'outside.json'), join(root, 'link.json'));
  symlinkSync(join(tmp, 'outside-dir'), join(root, 'linkdir'));
  writeFileSync(join(root, 'a.json'), JSON.stringify(rec('IN-1', '2024-01-01T00:00:00Z')));
  assert.deepEqual((await loadOsv({ dir: root })).advisories.map((a) => a.id), ['IN-1']);
  writeFileSync(join(root, 'b.json'), JSON.stringify(rec('IN-2', '2024-01-01T00:00:00Z')));
  await assert.rejects(loadOsv({ dir: root }, { limits: { maxRecords: 1 } }), code('INPUT_TOO_LARGE'));
  await assert.rejects(loadOsv({ dir: root }, { limits: { maxRecordBytes: 10 } }), code('INPUT_TOO_LARGE', { file: 'a.json' }));
}));

test('osv-load: missing sources are FILE_NOT_FOUND', async () => {
  const missing = join(tmpdir(), 'osv-load-missing-source');
  for (const source of [{ dir: missing }, { ndjson: missing }, { zip: missing }]) {
    await assert.rejects(loadOsv(source), code('FILE_NOT_FOUND'));
  }
});

test('osv-load: modified timestamps order by their instant, fractions of any length included', () => {
  assert.ok(compareModified('2024-01-01T00:00:00.5Z', '2024-01-01T00:00:00.25Z') > 0);
  assert.ok(compareModified('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000000001Z') < 0);
  assert.equal(compareModified('2024-01-01T00:00:00.100Z', '2024-01-01T00:00:00.1Z'), 0);
  assert.ok(compareModified('2023-12-31T23:59:59.999Z', '2024-01-01T00:00:00Z') < 0);
});
