// A private, throwaway PostgreSQL cluster for integration tests: initdb into a temp dir, started by pg_ctl on
// 127.0.0.1 and a free port with its socket in the same temp dir, trust authentication for the `postgres` role.
// One cluster per test process, started on first use; every startPostgres() call gets a fresh database of its
// own, and the cluster is stopped and deleted when its last user stops. A missing binary is an error, never a skip.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:<port>/<fresh database> */
  url: string;
  /** Drops this database; the last stop() of the process also stops the cluster and deletes its files. */
  stop: () => Promise<void>;
}

interface Cluster {
  readonly port: number;
  readonly baseDir: string;
  readonly dataDir: string;
  readonly pgCtl: string;
  readonly asServerUser: (program: string, args: string[]) => [string, string[]];
}

const run = promisify(execFile);
const DEBIAN_ROOT = '/usr/lib/postgresql';
const MIN_MAJOR = 15;

let cluster: Promise<Cluster> | undefined;
let users = 0;

export interface StartPostgresOptions {
  /** fsync on, as a production cluster runs (benchmarks of durable appends). The first call of a process decides. */
  readonly durable?: boolean;
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<RunningPostgres> {
  users++;
  let c: Cluster;
  const name = `test_${randomBytes(8).toString('hex')}`;
  try {
    cluster ??= startCluster(options.durable === true);
    c = await cluster;
    await admin(c, `CREATE DATABASE ${name}`);
  } catch (e) {
    await release();
    throw e;
  }
  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${c.port}/${name}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await admin(c, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await release();
      }
    },
  };
}

async function release(): Promise<void> {
  users--;
  if (users > 0 || cluster === undefined) return;
  const pending = cluster;
  cluster = undefined;
  const c = await pending.catch(() => undefined);
  if (c !== undefined) await stopCluster(c);
}

async function admin(c: Cluster, sql: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: c.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The directory holding initdb, pg_ctl and postgres: the newest Debian install, else the one on PATH. */
function serverBinaries(): string {
  const candidates: string[] = [];
  if (existsSync(DEBIAN_ROOT)) {
    const majors = readdirSync(DEBIAN_ROOT).map(Number).filter((n) => Number.isInteger(n) && n >= MIN_MAJOR);
    candidates.push(...majors.sort((a, b) => b - a).map((n) => join(DEBIAN_ROOT, String(n), 'bin')));
  }
  candidates.push(...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''));
  const dir = candidates.find((d) => ['initdb', 'pg_ctl', 'postgres'].every((p) => existsSync(join(d, p))));
  if (dir === undefined) {
    throw new Error(
      `PostgreSQL ${MIN_MAJOR}+ server binaries (initdb, pg_ctl, postgres) were found neither in ${DEBIAN_ROOT}/<version>/bin ` +
        'nor on PATH; install postgresql-15 (integration tests need it and do not skip)',
    );
  }
  return dir;
}

/** initdb and postgres refuse to run as root: as root, run them as the OS user postgres through runuser. */
function serverUser(): { uid: number; gid: number; wrap: Cluster['asServerUser'] } | null {
  if (process.getuid?.() !== 0) return null;
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p));
  if (runuser === undefined) throw new Error('runuser (util-linux) is not installed; as root it is needed to run PostgreSQL as the postgres user');
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) throw new Error('the OS user "postgres" does not exist; install postgresql-15, which creates it');
  return {
    uid: Number(uid.stdout.trim()),
    gid: Number(gid.stdout.trim()),
    wrap: (program, args) => [runuser, ['-u', 'postgres', '--', program, ...args]],
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startCluster(durable: boolean): Promise<Cluster> {
  const bin = serverBinaries();
  const user = serverUser();
  const baseDir = mkdtempSync(join(tmpdir(), 'provenant-pg-'));
  const dataDir = join(baseDir, 'data');
  const socketDir = join(baseDir, 'sock');
  mkdirSync(socketDir);
  for (const dir of [baseDir, socketDir]) {
    chmodSync(dir, 0o700);
    if (user !== null) chownSync(dir, user.uid, user.gid);
  }
  const asServerUser = user?.wrap ?? ((program: string, args: string[]): [string, string[]] => [program, args]);
  const exec = (program: string, args: string[]) => {
    const [file, argv] = asServerUser(join(bin, program), args);
    return run(file, argv, { cwd: baseDir, env: { ...process.env, LC_ALL: 'C' } });
  };
  try {
    await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    // A port picked now may be taken before the server binds it; try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      // fsync is off unless asked: the crash safety of a throwaway test cluster is not what the tests examine.
      const durability = durable ? '' : ' -c fsync=off -c full_page_writes=off';
      const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${socketDir}${durability}`;
      try {
        await exec('pg_ctl', ['-D', dataDir, '-l', join(baseDir, 'log'), '-o', options, '-w', '-t', '60', 'start']);
        const c: Cluster = { port, baseDir, dataDir, pgCtl: join(bin, 'pg_ctl'), asServerUser };
        stopOnExit(c);
        return c;
      } catch (e) {
        if (attempt >= 3) throw e;
      }
    }
  } catch (e) {
    const log = existsSync(join(baseDir, 'log')) ? readFileSync(join(baseDir, 'log'), 'utf8').slice(-4000) : '';
    rmSync(baseDir, { recursive: true, force: true });
    throw new Error(`could not start a PostgreSQL cluster with ${bin}: ${(e as Error).message}\n${log}`, { cause: e });
  }
}

async function stopCluster(c: Cluster): Promise<void> {
  exitHooks.delete(c);
  const [file, argv] = c.asServerUser(c.pgCtl, ['-D', c.dataDir, '-m', 'fast', '-w', 'stop']);
  try {
    await run(file, argv, { cwd: c.baseDir });
  } finally {
    rmSync(c.baseDir, { recursive: true, force: true });
  }
}

// A test process that ends without stopping (a failed test, a forgotten stop) still takes its cluster down.
const exitHooks = new Set<Cluster>();
let exitHookInstalled = false;
function stopOnExit(c: Cluster): void {
  exitHooks.add(c);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const hook of exitHooks) {
      const [file, argv] = hook.asServerUser(hook.pgCtl, ['-D', hook.dataDir, '-m', 'immediate', '-w', 'stop']);
      spawnSync(file, argv, { cwd: hook.baseDir, stdio: 'ignore' });
      rmSync(hook.baseDir, { recursive: true, force: true });
    }
  });
}
