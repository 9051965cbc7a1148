import { after, before } from 'node:test';
import { openLogStore } from '../../src/store/open-log-store.js';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { describeTransparencyLogContract } from './transparency-log-contract.js';

// Held for the whole file so the cluster outlives the per-test databases.
let keep: RunningPostgres;
before(async () => {
  keep = await startPostgres();
});
after(() => keep.stop());

describeTransparencyLogContract('PostgreSQL', async () => {
  const db = await startPostgres();
  return {
    store: await openLogStore({ databaseUrl: db.url }),
    reopen: () => openLogStore({ databaseUrl: db.url }),
    cleanup: db.stop,
  };
});
