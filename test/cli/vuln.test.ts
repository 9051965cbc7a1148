// `provenant vuln load|info` into the store beside the log, embedded and through a running service: real Debian 12
// records, all or nothing, a record replaced only by a later `modified`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, writeFile } from 'node:fs/promises';
import { failedWith, succeeded } from './cli-helpers.js';
import { logKeyIn, serveData, storeWorkspace } from './store-fixtures.js';

const ws = await storeWorkspace('vuln-cli');
const DEBIAN = new URL('../fixtures/osv/debian-12/', import.meta.url).pathname;

interface Loaded {
  advisories: number;
  inserted: number;
  replaced: number;
  unchanged: number;
}

test('vuln load stores every record once, then finds them unchanged; info counts them', async () => {
  const data = ['--data', ws.data];
  const first = succeeded<Loaded>(await ws.run(['vuln', 'load', DEBIAN, ...data]));
  assert.deepEqual([first.advisories, first.inserted, first.replaced, first.unchanged], [11, 11, 0, 0]);
  const again = succeeded<Loaded>(await ws.run(['vuln', 'load', DEBIAN, ...data]));
  assert.deepEqual([again.inserted, again.unchanged], [0, 11]);
  const info = succeeded<{ count: number; version: string }>(await ws.run(['vuln', 'info', ...data]));
  assert.equal(info.count, 11);

  // One malformed record among good ones: nothing is stored.
  const mixed = ws.path('mixed');
  await cp(DEBIAN, mixed, { recursive: true });
  await writeFile(`${mixed}/zz-bad.json`, JSON.stringify({ id: 'BAD-1', modified: 'yesterday' }));
  failedWith(await ws.run(['vuln', 'load', mixed, ...data]), 'OSV_MALFORMED');
  assert.equal(succeeded<{ count: number }>(await ws.run(['vuln', 'info', ...data])).count, 11);
});

test('vuln load through a running service posts the records to its store', async () => {
  const data = ws.path('served');
  await logKeyIn(data);
  const service = await serveData(data);
  try {
    const remote = ['--server', service.url, '--token', service.writeToken];
    const loaded = succeeded<Loaded>(await ws.run(['vuln', 'load', DEBIAN, ...remote]));
    assert.equal(loaded.inserted, 11);
    const info = succeeded<{ count: number; version: string }>(await ws.run(['vuln', 'info', '--server', service.url]));
    assert.equal(info.count, 11);
    failedWith(await ws.run(['vuln', 'load', DEBIAN, '--server', service.url]), 'UNAUTHENTICATED');
  } finally {
    await service.stop();
  }
});
