// Chooses the LogStore for where the log lives: a data directory (SQLite, one host) or a PostgreSQL URL (shared by
// several `provenant serve` replicas).
import { ProvenantError } from '../core/errors.js';
import type { LogStore } from './ports.js';
import { openPostgresLogStore } from './postgres/postgres-log-store.js';
import { openSqliteLogStore } from './sqlite/sqlite-log-store.js';

export type LogStoreLocation = { readonly dataDir: string } | { readonly databaseUrl: string };

export async function openLogStore(location: LogStoreLocation): Promise<LogStore> {
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
