// Shared by the store command tests: a workspace with a data directory whose log key already exists (encrypted at
// the fast scrypt level), a signing key for records, a trust directory, and a real service over a data directory.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SigningKey } from '../../src/crypto/index.js';
import { LOG_PASSWORD_ENV } from '../../src/cli/log-key.js';
import { openEmbeddedLog } from '../../src/cli/store-access.js';
import type { ReadAuth } from '../../src/server/auth.js';
import { buildServer } from '../../src/server/app.js';
import { policyEngine } from '../../src/server/policy-wiring.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { cli, keyFiles, PASSWORD, workspace, type CliResult, type KeyFiles } from './cli-helpers.js';

export const LOG_PASSWORD = 'log key password';

export interface StoreWorkspace {
  readonly dir: string;
  readonly path: (name: string) => string;
  /** A data directory with its log key in place. */
  readonly data: string;
  readonly trustDir: string;
  readonly key: KeyFiles;
  readonly env: NodeJS.ProcessEnv;
  /** Runs the CLI with the workspace's environment. */
  run(argv: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
}

/** Writes an encrypted Ed25519 log key to `dir`/log.key, as the CLI would create it (but at the legacy scrypt level). */
export async function logKeyIn(dir: string, password = LOG_PASSWORD): Promise<SigningKey> {
  await mkdir(dir, { recursive: true });
  const key = SigningKey.generate('ed25519');
  await writeFile(join(dir, 'log.key'), await key.toEncryptedPem(password, { level: 'legacy' }), { mode: 0o600 });
  return key;
}

/** Starts the log in `data` (whose log key is in place) as the first write would, and returns its origin. */
export async function createLog(data: string, origin?: string): Promise<string> {
  const { log } = await openEmbeddedLog({
    location: { dataDir: data },
    keyPath: join(data, 'log.key'),
    env: { [LOG_PASSWORD_ENV]: LOG_PASSWORD },
    ...(origin === undefined ? {} : { origin }),
  });
  await log.close();
  return log.origin;
}

export async function storeWorkspace(prefix: string): Promise<StoreWorkspace> {
  const { dir, path } = await workspace(prefix);
  const data = path('data');
  await logKeyIn(data);
  const key = await keyFiles(path('signer'));
  const trustDir = path('trust');
  const env = { PROVENANT_PASSWORD: PASSWORD, [LOG_PASSWORD_ENV]: LOG_PASSWORD, PROVENANT_TRUST_DIR: trustDir };
  return { dir, path, data, trustDir, key, env, run: (argv, extra = {}) => cli(argv, { ...env, ...extra }) };
}

export interface RunningService {
  readonly url: string;
  readonly writeToken: string;
  readonly readToken: string;
  readonly origin: string;
  readonly app: FastifyInstance;
  stop(): Promise<void>;
}

/** A real service over the log in `data` (log key in `data`/log.key), listening on a free loopback port. */
export async function serveData(data: string, options: { readAuth?: ReadAuth; origin?: string } = {}): Promise<RunningService> {
  const tokenFile = join(data, 'tokens.json');
  const writeToken = await createToken(tokenFile, `writer-${Date.now()}${Math.random().toString(16).slice(2, 6)}`, ['read', 'write']);
  const readToken = await createToken(tokenFile, `reader-${Date.now()}${Math.random().toString(16).slice(2, 6)}`, ['read']);
  const { log, key, store } = await openEmbeddedLog({
    location: { dataDir: data },
    keyPath: join(data, 'log.key'),
    env: { [LOG_PASSWORD_ENV]: LOG_PASSWORD },
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  });
  // As `provenant serve` runs it: the policy engine's routes beside the log's.
  const engine = policyEngine({ log, store, signer: key, policyKeys: [], reputationKeys: [], noMatch: 'deny', reevaluateIntervalMs: 0 });
  const app = await buildServer({ log, tokens: await TokenStore.open(tokenFile), readAuth: options.readAuth ?? 'open', logger: false, extraRoutes: [engine] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    writeToken,
    readToken,
    origin: log.origin,
    app,
    stop: () => (stopped ??= app.close().then(() => log.close())),
  };
}

/** A file of `size` random bytes (a stand-in VM disk image); `version` changes a few bytes in the middle. */
export async function diskImage(path: string, seed: Buffer, version: number): Promise<void> {
  const data = Buffer.from(seed);
  data.writeUInt32BE(version, data.length >> 1);
  await writeFile(path, data);
}
