// Chooses the store for where the log lives: a data directory (SQLite, one host) or a PostgreSQL URL (shared by
// several `provenant serve` replicas). The one store holds the log, the decision log and the advisory set.
import { ProvenantError } from '../core/errors.js';
import type { ProvenantStore } from './policy-ports.js';
import { openPostgresLogStore } from './postgres/postgres-log-store.js';
import { openSqliteLogStore } from './sqlite/sqlite-log-store.js';

export type LogStoreLocation = { readonly dataDir: string } | { readonly databaseUrl: string };

export async function openLogStore(location: LogStoreLocation): Promise<ProvenantStore> {
  if ('dataDir' in location) return openSqliteLogStore(location.dataDir);
  if (!/^postgres(?:ql)?:\/\//i.test(location.databaseUrl)) {
    // The URL may carry a password: name only its scheme.
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location.databaseUrl)?.[1] ?? '(none)';
    throw new ProvenantError('USAGE', `the database URL must start with postgres:// or postgresql:// (scheme given: ${scheme})`, {
      details: { scheme },
    });
  }
  return openPostgresLogStore(location.databaseUrl);
}
