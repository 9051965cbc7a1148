import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLogStore } from '../../src/store/open-log-store.js';
import { describeTransparencyLogContract } from './transparency-log-contract.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-log-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

describeTransparencyLogContract('SQLite', async () => {
  const dataDir = join(root, `log-${counter++}`);
  return {
    store: await openLogStore({ dataDir }),
    reopen: () => openLogStore({ dataDir }),
    cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
