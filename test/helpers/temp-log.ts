// A real TransparencyLog on SQLite in a fresh temp dir, with real entry verification; closed and removed after fn.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKey } from '../../src/crypto/index.js';
import { noteSignerFromKey } from '../../src/formats/signed-note.js';
import { prepareEntry } from '../../src/log/entries/index.js';
import { TransparencyLog } from '../../src/log/transparency-log.js';
import { openSqliteLogStore } from '../../src/store/sqlite/sqlite-log-store.js';

export async function withTempLog<T>(origin: string, fn: (log: TransparencyLog, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-log-'));
  const log = await TransparencyLog.open({
    store: await openSqliteLogStore(dir),
    origin,
    signer: noteSignerFromKey(origin, SigningKey.generate('ed25519')),
    prepare: prepareEntry,
    maxDelayMs: 0,
  });
  try {
    return await fn(log, dir);
  } finally {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}
