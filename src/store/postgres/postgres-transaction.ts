// One transaction on a pooled PostgreSQL client. A client whose connection failed is destroyed rather than put
// back, so the pool never hands out a dead session.
import type pg from 'pg';
import { isConnectionFailure } from './postgres-errors.js';

/** Runs `f` between BEGIN and COMMIT, rolling back when it throws. Errors are passed on unmapped. */
export async function inTransaction<T>(pool: pg.Pool, f: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await f(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    broken = isConnectionFailure(e);
    if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
    throw e;
  } finally {
    client.release(broken);
  }
}
