// Starts a real CNCF distribution registry (`docker-registry serve CONFIG`, Debian package docker-registry)
// for integration tests: its own temp dir, storage and config, listening on 127.0.0.1 on a port the
// registry picks itself (read back from its log, so no port race). Optional htpasswd Basic auth, TLS and a
// notifications endpoint. A missing binary is an error, never a skip.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RegistryUser {
  username: string;
  password: string;
}

export interface StartRegistryOptions {
  /** Enables htpasswd Basic auth with these users (bcrypt, as the registry requires). */
  users?: RegistryUser[];
  /** Serves HTTPS with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string };
  /** Sends registry events (push, pull, delete) to this URL. */
  notificationsUrl?: string;
  /** A notifications endpoint with headers and filters; used instead of notificationsUrl when given. */
  notifications?: NotificationsEndpoint;
  /** Extra registry config merged at the top level (e.g. { proxy: ... }). */
  extraConfig?: Record<string, unknown>;
}

/** One entry of the registry's `notifications.endpoints` (distribution configuration reference). */
export interface NotificationsEndpoint {
  url: string;
  /** HTTP headers sent with every notification, e.g. { Authorization: ['Bearer <token>'] }. */
  headers?: Record<string, string[]>;
  /** Event target media types not sent (`ignore.mediatypes`), e.g. application/octet-stream for blobs. */
  ignoreMediaTypes?: string[];
  /** Actions not sent (`ignore.actions`), e.g. pull. */
  ignoreActions?: string[];
}

export interface RunningRegistry {
  /** "127.0.0.1:<port>" */
  host: string;
  port: number;
  /** "http://127.0.0.1:<port>" or https:// with tls. */
  origin: string;
  /** Where the registry keeps blobs and manifests. */
  rootDir: string;
  /** The registry's log so far (last 256 KiB). */
  logs(): string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const MAX_LOG = 256 * 1024;

/** Absolute path of a program on PATH or in the Debian locations; throws when it is not installed. */
export function requireProgram(name: string, hint: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/bin'];
  for (const dir of dirs) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} is not installed (${hint}); integration tests need it and do not skip`);
}

/** An htpasswd line "user:$2b$..." made with Python's crypt/bcrypt, or htpasswd(1) from apache2-utils. */
export function htpasswdLine(user: RegistryUser): string {
  const script = [
    'import sys, warnings',
    'warnings.simplefilter("ignore")',
    'user, password = sys.stdin.read().split("\\n", 1)',
    'try:',
    '    import crypt',
    '    hashed = crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))',
    'except Exception:',
    '    import bcrypt',
    '    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()',
    'assert hashed and hashed.startswith("$2"), "no bcrypt"',
    'print(user + ":" + hashed)',
  ].join('\n');
  if (existsSync('/usr/bin/python3')) {
    const py = spawnSync('/usr/bin/python3', ['-c', script], { input: `${user.username}\n${user.password}`, encoding: 'utf8' });
    if (py.status === 0 && py.stdout.startsWith(`${user.username}:$2`)) return py.stdout.trim();
  }
  const htpasswd = requireProgram('htpasswd', 'Python with crypt or bcrypt, or apache2-utils, is needed to make bcrypt htpasswd lines');
  const out = spawnSync(htpasswd, ['-nbB', '-C', '4', user.username, user.password], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`htpasswd failed: ${out.stderr}`);
  return out.stdout.trim();
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const binary = requireProgram('docker-registry', 'Debian package docker-registry');
  const dir = mkdtempSync(join(tmpdir(), 'provenant-registry-'));
  const rootDir = join(dir, 'storage');
  const config: Record<string, unknown> = {
    version: '0.1',
    log: { level: 'info', formatter: 'json', accesslog: { disabled: true } },
    http: {
      addr: '127.0.0.1:0',
      secret: randomBytes(16).toString('hex'),
      ...(options.tls === undefined ? {} : { tls: { certificate: options.tls.certFile, key: options.tls.keyFile } }),
    },
    storage: { filesystem: { rootdirectory: rootDir }, delete: { enabled: true }, maintenance: { uploadpurging: { enabled: false } } },
    ...options.extraConfig,
  };
  if (options.users !== undefined) {
    const path = join(dir, 'htpasswd');
    writeFileSync(path, `${options.users.map(htpasswdLine).join('\n')}\n`);
    config.auth = { htpasswd: { realm: 'provenant-test', path } };
  }
  if (options.notifications !== undefined) {
    const n = options.notifications;
    const ignore = { ...(n.ignoreMediaTypes === undefined ? {} : { mediatypes: n.ignoreMediaTypes }), ...(n.ignoreActions === undefined ? {} : { actions: n.ignoreActions }) };
    const endpoint = {
      name: 'provenant-test',
      url: n.url,
      timeout: '2s',
      threshold: 3,
      backoff: '1s',
      ...(n.headers === undefined ? {} : { headers: n.headers }),
      ...(Object.keys(ignore).length === 0 ? {} : { ignore }),
    };
    config.notifications = { endpoints: [endpoint] };
  } else if (options.notificationsUrl !== undefined) {
    config.notifications = { endpoints: [{ name: 'provenant-test', url: options.notificationsUrl, timeout: '2s', threshold: 3, backoff: '1s' }] };
  }
  const configPath = join(dir, 'config.yml');
  // JSON is valid YAML, and needs no escaping rules of its own.
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  // A clean environment: the registry lets REGISTRY_* variables override its config file.
  const child = spawn(binary, ['serve', configPath], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-MAX_LOG);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  let address: string;
  try {
    address = await waitForListening(child, () => log);
  } catch (e) {
    child.kill('SIGKILL');
    cleanup();
    throw e;
  }
  const port = Number(address.split(':').pop());
  return {
    host: `127.0.0.1:${port}`,
    port,
    origin: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    rootDir,
    logs: () => log,
    stop: async () => {
      await stopChild(child);
      cleanup();
    },
  };
}

function waitForListening(child: ChildProcess, logs: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`docker-registry did not start within ${START_TIMEOUT_MS} ms:\n${logs()}`)), START_TIMEOUT_MS);
    const onData = () => {
      const m = /"msg":"listening on (127\.0\.0\.1:[0-9]+)/.exec(logs());
      if (m !== null) done(undefined, m[1]);
    };
    const onExit = (code: number | null) => done(new Error(`docker-registry exited (${code}) before listening:\n${logs()}`));
    const done = (err: Error | undefined, address?: string) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err !== undefined) reject(err);
      else resolve(address as string);
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (e) => done(e));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
