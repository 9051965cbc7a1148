// SQLite result codes (https://www.sqlite.org/rescode.html) as Provenant error codes. better-sqlite3 reports the
// extended code as a string such as "SQLITE_CONSTRAINT_UNIQUE".
import { ProvenantError, toProvenantError } from '../../core/errors.js';

function sqliteCode(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** True when the error is the UNIQUE index of leaves.leaf_hash refusing a row. */
export function isDuplicateLeafHash(e: unknown): boolean {
  return sqliteCode(e) === 'SQLITE_CONSTRAINT_UNIQUE' && (e as Error).message.includes('leaves.leaf_hash');
}

export function fromSqliteError(e: unknown, what: string): ProvenantError {
  if (e instanceof ProvenantError) return e;
  const code = sqliteCode(e);
  if (code === undefined) return toProvenantError(e);
  const family = code.split('_', 2).join('_');
  const options = { cause: e, details: { sqlite: code } };
  switch (family) {
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new ProvenantError('STORE_UNAVAILABLE', `${what}: the database stayed locked past the wait limit`, options);
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return new ProvenantError('STORE_CORRUPT', `${what}: the database file is damaged or not a database`, options);
    // A key that integrate() just checked to be new already exists: rows beyond the stored size.
    case 'SQLITE_CONSTRAINT':
      return new ProvenantError('STORE_CORRUPT', `${what}: the database holds rows past its size`, options);
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_IOERR':
    case 'SQLITE_FULL':
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
      return new ProvenantError('IO_ERROR', `${what}: ${(e as Error).message}`, options);
  }
  return new ProvenantError('INTERNAL', `${what}: ${(e as Error).message}`, options);
}
