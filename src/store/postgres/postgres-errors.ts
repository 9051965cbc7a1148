// PostgreSQL failures as Provenant error codes. Server errors carry an SQLSTATE
// (https://www.postgresql.org/docs/current/errcodes-appendix.html); a lost or refused connection shows up as a
// Node socket error or as one of pg's own connection messages.
import { ProvenantError, toProvenantError } from '../../core/errors.js';

const SQLSTATE = /^[0-9A-Z]{5}$/;

// pg reports these without a code; each means the connection, not the statement, failed.
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Cannot use a pool after calling end',
  'is not queryable',
  'Client was closed',
];

function errorCode(e: unknown): string | undefined {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** True when the connection itself failed, so the client must be discarded rather than reused. */
export function isConnectionFailure(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = errorCode(e);
  if (code !== undefined && SQLSTATE.test(code)) {
    return code.startsWith('08') || code.startsWith('57P') || code.startsWith('53') || code.startsWith('28') || code === '3D000';
  }
  if (code !== undefined && /^E[A-Z_]+$/.test(code)) return true;
  return CONNECTION_MESSAGES.some((m) => e.message.includes(m));
}

/** True when the UNIQUE constraint on leaves.leaf_hash refused a row. */
export function isDuplicateLeafHash(e: unknown): boolean {
  return errorCode(e) === '23505' && (e as { constraint?: unknown }).constraint === 'leaves_leaf_hash_key';
}

export function fromPostgresError(e: unknown, what: string): ProvenantError {
  if (e instanceof ProvenantError) return e;
  if (!(e instanceof Error)) return toProvenantError(e);
  const code = errorCode(e);
  const options = { cause: e, details: code === undefined ? {} : { code } };
  if (isConnectionFailure(e)) {
    return new ProvenantError('STORE_UNAVAILABLE', `${what}: the database is unavailable (${e.message})`, options);
  }
  // A serialization failure or deadlock is transient: the caller may retry the whole operation.
  if (code === '40001' || code === '40P01') {
    return new ProvenantError('STORE_UNAVAILABLE', `${what}: the transaction was aborted by a concurrent one`, options);
  }
  // A key that integrate() just checked to be new already exists: rows beyond the stored size.
  if (code === '23505') return new ProvenantError('STORE_CORRUPT', `${what}: the database holds rows past its size`, options);
  if (code === 'XX001' || code === 'XX002') return new ProvenantError('STORE_CORRUPT', `${what}: ${e.message}`, options);
  return new ProvenantError('INTERNAL', `${what}: ${e.message}`, options);
}
