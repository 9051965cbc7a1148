// One command's use of the log: open it (embedded or remote), verify and trust its latest checkpoint, read it
// through VerifiedLog, and close it whatever happens.
import type { Command } from 'commander';
import { addTrustOptions, CheckpointGuard, type TrustOptions } from './checkpoint-guard.js';
import type { Io } from './run.js';
import { addStoreOptions, openLogAccess, type AccessMode, type LogAccess, type StoreOptions } from './store-access.js';
import { VerifiedLog } from './verified-log.js';

export type LogOptions = StoreOptions & TrustOptions;

export interface LogSession {
  readonly access: LogAccess;
  readonly guard: CheckpointGuard;
  readonly log: VerifiedLog;
}

/** The store and trust options of every command that reaches the log. */
export function addLogOptions(cmd: Command): Command {
  return addTrustOptions(addStoreOptions(cmd));
}

export interface WithLogOptions {
  /** `read` for commands that never append: the embedded log is then opened without its key. */
  readonly mode: AccessMode;
  /** Collect entries whose inclusion proof fails instead of failing the command (see VerifiedLog). */
  readonly collect?: boolean;
}

export async function withLog<T>(opts: LogOptions, io: Io, options: WithLogOptions, fn: (session: LogSession) => Promise<T>): Promise<T> {
  const access = await openLogAccess(opts, io, options.mode);
  try {
    const guard = await CheckpointGuard.open(access.log, opts, io);
    return await fn({ access, guard, log: new VerifiedLog(access.log, guard, options.collect === true ? { collect: true } : {}) });
  } finally {
    await access.close();
  }
}
