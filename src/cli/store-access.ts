// How a store command reaches the log: the embedded log in a data directory (SQLite, the log key beside it) or a
// running `provenant serve` over HTTP. Both give a LogReader, so every command works either way. Commands that only
// read open the embedded log without its key, so they need no PROVENANT_LOG_PASSWORD.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ProvenantError } from '../core/errors.js';
import type { SigningKey } from '../crypto/index.js';
import { noteSignerFromKey } from '../formats/signed-note.js';
import { prepareEntry, type EntryPreparer } from '../log/entries/index.js';
import type { LogService } from '../log/service.js';
import { ORIGIN_SETTING, TransparencyLog, type StoredLog } from '../log/transparency-log.js';
import { openLogStore, type LogStoreLocation } from '../store/open-log-store.js';
import type { ProvenantStore } from '../store/policy-ports.js';
import { SQLITE_FILE } from '../store/sqlite/sqlite-log-store.js';
import { readTextFile } from './files.js';
import { openLogKey } from './log-key.js';
import { HttpLog } from './remote/http-log.js';
import type { ServiceEndpoint } from './remote/service-http.js';
import type { Io } from './run.js';

export const TOKEN_ENV = 'PROVENANT_TOKEN';
export const DEFAULT_DATA_DIR = './data';
export const LOG_KEY_FILE = 'log.key';

/** The log as the commands read it: the LogService plus the C2SP tlog-tiles resources an audit walks. */
export interface LogReader extends LogService {
  checkpointNote(): Promise<string>;
  tile(level: number, index: bigint, width?: number): Promise<Buffer | null>;
  entryBundle(index: bigint, width?: number): Promise<Buffer | null>;
}

export interface StoreOptions {
  data: string;
  server?: string;
  token?: string;
  cacert?: string;
  origin?: string;
}

/** What a command does with the log: `read` opens the embedded log without its key, `write` with it. */
export type AccessMode = 'read' | 'write';

export interface LogAccess {
  readonly log: LogReader;
  close(): Promise<void>;
}

/** --data / --server (with --token, --cacert) and --origin, shared by every command that reads or writes the log. */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'the embedded log in this data directory (SQLite; the log key is DIR/log.key)', DEFAULT_DATA_DIR)
    .option('--server <url>', 'a running `provenant serve` instead of the embedded log')
    .option('--token <token>', `bearer token for --server (default: $${TOKEN_ENV})`)
    .option('--cacert <pem>', 'CA certificates to trust for an https --server with a private CA')
    .option('--origin <name>', 'name of a new embedded log (default provenant.local/log/<8 random hex>); an existing one must have it');
}

/**
 * Opens the log the options name, for `mode`. Errors: USAGE, PASSWORD_REQUIRED (write), STORE_EMPTY (read),
 * LOG_KEY_MISMATCH, STORE_*, key errors.
 */
export async function openLogAccess(opts: StoreOptions, io: Io, mode: AccessMode): Promise<LogAccess> {
  if (opts.server !== undefined) {
    if (opts.origin !== undefined) throw new ProvenantError('USAGE', '--origin names a new embedded log; a service has its own');
    const log = new HttpLog(await serviceEndpoint({ ...opts, server: opts.server }, io));
    return { log, close: () => log.close() };
  }
  if (opts.token !== undefined || opts.cacert !== undefined) throw new ProvenantError('USAGE', '--token and --cacert go with --server');
  if (mode === 'read') {
    const reader = await openEmbeddedReader(opts.data, opts.origin);
    return { log: reader, close: () => reader.close() };
  }
  const { log } = await openEmbeddedLog({
    location: { dataDir: opts.data },
    keyPath: join(opts.data, LOG_KEY_FILE),
    env: io.env,
    ...(opts.origin === undefined ? {} : { origin: opts.origin }),
  });
  return { log, close: () => log.close() };
}

export interface EmbeddedLogOptions {
  readonly location: LogStoreLocation;
  readonly keyPath: string;
  readonly env: NodeJS.ProcessEnv;
  /** The origin of a new log; an existing store keeps the one it is bound to (another one is LOG_KEY_MISMATCH). */
  readonly origin?: string;
  readonly maxBatch?: number;
  readonly maxDelayMs?: number;
  /** Verifies proposals (default prepareEntry in-process; serve may pass a PreparePool's). */
  readonly prepare?: EntryPreparer;
}

/**
 * The log in a store, signed with the key at `keyPath` (created on first use). The origin of a new store is the
 * one given or a fresh random one, and is bound in the store from then on.
 */
export async function openEmbeddedLog(options: EmbeddedLogOptions): Promise<{ log: TransparencyLog; key: SigningKey; store: ProvenantStore }> {
  const { key } = await openLogKey(options.keyPath, options.env, { create: true });
  const store = await openLogStore(options.location);
  try {
    const candidate = options.origin ?? `provenant.local/log/${randomBytes(4).toString('hex')}`;
    const bound = await store.claimSetting(ORIGIN_SETTING, candidate);
    // An origin given explicitly must be the bound one; open() refuses it otherwise, naming both.
    const origin = options.origin ?? bound;
    const log = await TransparencyLog.open({
      store,
      origin,
      signer: noteSignerFromKey(origin, key),
      prepare: options.prepare ?? prepareEntry,
      ...(options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch }),
      ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }),
    });
    return { log, key, store };
  } catch (e) {
    await store.close();
    throw e;
  }
}

/**
 * The log in the data directory `dataDir`, for reading under the origin and verifier key bound in its store: no log
 * key, no password. A directory without a database is left as it is. Errors: STORE_EMPTY, LOG_KEY_MISMATCH
 * (another origin than `origin`), STORE_CORRUPT, STORE_UNAVAILABLE.
 */
export async function openEmbeddedReader(dataDir: string, origin?: string): Promise<StoredLog> {
  // Opening a database file creates it, and a reader must not leave an empty store behind.
  if (!(await isFile(join(dataDir, SQLITE_FILE)))) {
    throw new ProvenantError('STORE_EMPTY', `there is no log in ${dataDir} yet`, { details: { data: dataDir } });
  }
  const store = await openLogStore({ dataDir });
  try {
    return await TransparencyLog.openReader({ store, ...(origin === undefined ? {} : { origin }) });
  } catch (e) {
    await store.close();
    throw e;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw new ProvenantError('IO_ERROR', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Where and how to reach the service --server names: its URL, the token (--token or $PROVENANT_TOKEN), --cacert. */
export async function serviceEndpoint(opts: StoreOptions & { server: string }, io: Io): Promise<ServiceEndpoint> {
  const url = parseServerUrl(opts.server);
  const token = opts.token ?? nonEmpty(io.env[TOKEN_ENV]);
  const caBundle = opts.cacert === undefined ? undefined : await readTextFile(opts.cacert, 'CA bundle', 4 * 1024 * 1024);
  return { url, ...(token === undefined ? {} : { token }), ...(caBundle === undefined ? {} : { caBundle }) };
}

function parseServerUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProvenantError('USAGE', `--server ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProvenantError('USAGE', '--server must be an http:// or https:// URL');
  if (url.username !== '' || url.password !== '') throw new ProvenantError('USAGE', '--server must not carry credentials; give --token');
  return url;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
