import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogStore } from '../../src/store/open-log-store.js';
import { isCode } from './store-under-test.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-open-store-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('openLogStore', () => {
  it('opens SQLite for a data directory, creating it', async () => {
    const store = await openLogStore({ dataDir: join(root, 'nested', 'data') });
    try {
      assert.equal(store.backend, 'sqlite');
      assert.equal(await store.ping(), true);
    } finally {
      await store.close();
    }
  });

  it('refuses database URLs that are not postgres:// or postgresql:// (USAGE)', async () => {
    for (const databaseUrl of ['mysql://db/log', 'sqlite:///tmp/x.db', 'db.example:5432', '']) {
      await assert.rejects(openLogStore({ databaseUrl }), isCode('USAGE'), databaseUrl);
    }
  });

  it('reports a PostgreSQL server that cannot be reached as STORE_UNAVAILABLE', async () => {
    const port = await closedPort();
    await assert.rejects(openLogStore({ databaseUrl: `postgresql://provenant@127.0.0.1:${port}/log` }), isCode('STORE_UNAVAILABLE'));
  });
});
