// `provenant serve` on the SQLite store of a data directory survives SIGKILL under full-speed appends: see
// sigkill-scenario.ts for what is checked after the restart.
import { test } from 'node:test';
import { sigkillScenario } from './sigkill-scenario.js';

test('SQLite store: after SIGKILL under full-speed appends and a restart, every acknowledged entry is at its index and every checkpoint handed out is consistent with the new one', async (t) => {
  await sigkillScenario(t, { storeArgs: [] });
});
