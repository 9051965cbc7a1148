// Waiting for another connection's lock without blocking the event loop. better-sqlite3 waits for a lock
// synchronously, blocking the event loop (and a server's other requests) while it does; so SQLite itself waits
// only briefly (SYNC_BUSY_TIMEOUT_MS) and the rest of the wait is asynchronous, between whole attempts.

/** How long a writer waits for another one's lock before STORE_UNAVAILABLE. A batch holds it well under a second. */
export const LOCK_WAIT_MS = 15_000;
export const SYNC_BUSY_TIMEOUT_MS = 50;
const RETRY_DELAY_MS = 20;

function isBusy(e: unknown): boolean {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Runs a statement or transaction, trying again while another connection holds the lock it needs. A write gets
 * SQLITE_BUSY from BEGIN IMMEDIATE, before anything is written, so a new attempt starts from a clean state; in WAL
 * mode a read is only ever kept waiting briefly (recovery, a checkpoint resetting the log).
 */
export async function retryWhileBusy<T>(attempt: () => T, stillOpen: () => void): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      return attempt();
    } catch (e) {
      if (!isBusy(e) || Date.now() >= deadline) throw e;
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    stillOpen();
  }
}
