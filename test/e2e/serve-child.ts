// `provenant` run as a user runs it: `node --import tsx src/cli/main.ts ...` in a child process. The service is
// started in a process group of its own, so a hard kill takes the whole process down, and is killed when the test
// process exits whatever happened before.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const run = promisify(execFile);

/** Runs a short CLI command to completion and returns its stdout; a failure carries its stderr. */
export async function provenantCommand(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO_ROOT, env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export interface ServeChild {
  readonly pid: number;
  /** The base URL from the line `provenant serve` prints once it listens. */
  readonly url: string;
  readonly origin: string;
  readonly verifierKey: string;
  /** Settles with how the process ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGKILL to the service's whole process group, at once (synchronously); no-op once it has ended. */
  killNow(): void;
  /** killNow(), then waits until the process has ended. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while no process of the service's group is left (probed with signal 0). */
  groupGone(): boolean;
  /** The end of what the service wrote to stderr (its request log), for failure messages. */
  stderrTail(bytes?: number): Promise<string>;
}

const alive = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of alive) killGroup(child);
  });
}

/**
 * Starts `provenant serve ARGS` and resolves once it prints where it listens. `stderrFile` receives the service's
 * stderr (a file, not a pipe: at full speed the request log is large and this process need not read it).
 */
export async function startServe(args: readonly string[], env: NodeJS.ProcessEnv, stderrFile: string): Promise<ServeChild> {
  installExitHook();
  const stderr = await open(stderrFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', ...args], {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', stderr.fd],
    });
  } finally {
    await stderr.close();
  }
  alive.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      alive.delete(child);
      resolve({ code, signal });
    });
  });
  const pid = child.pid;
  const stderrTail = async (bytes = 4000): Promise<string> => (await readFile(stderrFile, 'utf8').catch(() => '')).slice(-bytes);
  const killNow = () => killGroup(child);
  const groupGone = (): boolean => {
    if (pid === undefined) return true;
    try {
      process.kill(-pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };

  let stdout = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve(stdout.slice(0, nl));
    });
    void exited.then(async ({ code, signal }) =>
      reject(new Error(`provenant serve ended (code ${String(code)}, signal ${String(signal)}) before listening:\n${await stderrTail()}`)),
    );
  }).catch((e: unknown) => {
    killNow();
    throw e;
  });
  const m = /^provenant serve: listening on (http:\/\/127\.0\.0\.1:[0-9]+), origin (\S+), verifier key (\S+)$/.exec(line);
  if (m === null || pid === undefined) {
    killNow();
    throw new Error(`unexpected first line from provenant serve: ${JSON.stringify(line)}`);
  }
  const [, url, origin, verifierKey] = m as unknown as [string, string, string, string];
  return {
    pid,
    url,
    origin,
    verifierKey,
    exited,
    killNow,
    kill: async () => {
      killNow();
      return exited;
    },
    groupGone,
    stderrTail,
  };
}
