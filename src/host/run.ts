// Runs a local program directly (never through a shell, so no argument is ever interpreted), with a time
// limit and a bound on each output stream. The program runs in its own process group so that a timeout also
// ends whatever it started (rustup and pyenv shims exec or fork the real tool).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ProvenantError } from '../core/errors.js';

export interface RunOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Limit of each of stdout and stderr, in bytes. */
  readonly maxOutputBytes: number;
}

export interface RunResult {
  /** null when the program was ended by a signal. */
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `file` with `args`. Resolves whatever the exit status; rejects with COMMAND_FAILED otherwise. */
export type Runner = (file: string, args: readonly string[], options: RunOptions) => Promise<RunResult>;

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;

type Failure = 'spawn' | 'timeout' | 'output-limit';
const DESCRIPTIONS: Record<Failure, string> = {
  spawn: 'could not be started',
  timeout: 'did not finish in time',
  'output-limit': 'wrote more output than allowed',
};

type Child = ChildProcessByStdio<null, Readable, Readable>;

export const spawnRunner: Runner = (file, args, options) =>
  new Promise((resolve, reject) => {
    const fail = (reason: Failure, cause?: unknown) =>
      new ProvenantError('COMMAND_FAILED', `${file}: ${DESCRIPTIONS[reason]}`, { details: { program: file, reason }, cause });
    let child: Child;
    try {
      child = spawn(file, [...args], {
        env: options.env,
        shell: false,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
    } catch (e) {
      // Synchronous refusals (a NUL byte in an argument or the environment) end up here.
      reject(fail('spawn', e));
      return;
    }
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const abort = (reason: Failure) => {
      killGroup(child);
      finish(() => reject(fail(reason)));
    };
    const timer = setTimeout(() => abort('timeout'), options.timeoutMs);
    const collect = (stream: Readable) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxOutputBytes) abort('output-limit');
        else chunks.push(chunk);
      });
      return () => Buffer.concat(chunks).toString('utf8');
    };
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    child.on('error', (e) => finish(() => reject(fail('spawn', e))));
    child.on('close', (code) => finish(() => resolve({ exitCode: code, stdout: stdout(), stderr: stderr() })));
  });

/** Kills the program and anything it started; the streams are dropped so a lingering grandchild cannot hold us. */
function killGroup(child: Child): void {
  try {
    if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    // Already gone.
  }
  child.stdout.destroy();
  child.stderr.destroy();
}
