// `provenant serve --database` on a private PostgreSQL cluster with fsync on survives SIGKILL under full-speed
// appends: see sigkill-scenario.ts for what is checked after the restart. The data directory still holds the log
// key and the token file.
import { after, before, test } from 'node:test';
import { startPostgres, type RunningPostgres } from '../helpers/postgres.js';
import { sigkillScenario } from './sigkill-scenario.js';

let postgres: RunningPostgres | undefined;
before(async () => {
  postgres = await startPostgres({ durable: true });
});
after(async () => {
  await postgres?.stop();
});

test('PostgreSQL store: after SIGKILL under full-speed appends and a restart, every acknowledged entry is at its index and every checkpoint handed out is consistent with the new one', async (t) => {
  if (postgres === undefined) throw new Error('PostgreSQL did not start');
  await sigkillScenario(t, { storeArgs: ['--database', postgres.url] });
});
