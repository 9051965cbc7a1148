// Runs a child process and measures its wall time, CPU time and peak RSS. Peak RSS and CPU come from GNU time
// (`/usr/bin/time -f`), which reads the child's rusage; without it, a Node child is started through a small
// wrapper module that reports process.resourceUsage() on exit.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface RunResult {
  seconds: number;
  /** Peak resident set of the child, MB (10^6 bytes); undefined when it could not be read. */
  peakRssMb?: number;
  /** User + system CPU seconds of the child and the children it waited for. */
  cpuSeconds?: number;
  code: number;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';
const WRAPPER_MARK = 'BENCH_RUSAGE';

export type RssMethod = 'gnu-time' | 'wrapper';

/** GNU time when installed; BENCH_RSS_METHOD=wrapper forces the wrapper (to test it). */
export function rssMethod(): RssMethod {
  if (process.env.BENCH_RSS_METHOD === 'wrapper') return 'wrapper';
  return existsSync(GNU_TIME) ? 'gnu-time' : 'wrapper';
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Omit<RunResult, 'peakRssMb' | 'cpuSeconds'>> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ seconds, code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** Runs `cmd args` under GNU time if present (else wall time only). */
export async function measured(cmd: string, args: string[], scratch: string, env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  if (rssMethod() !== 'gnu-time') return run(cmd, args, env);
  const report = join(scratch, 'time.out');
  const result = await run(GNU_TIME, ['-f', '%M %U %S', '-o', report, cmd, ...args], env);
  // GNU time writes "Command exited with non-zero status N" before the figures when the child fails.
  const last = (await readFile(report, 'utf8')).trim().split('\n').pop() ?? '';
  const [kb, user, sys] = last.split(' ').map(Number);
  return { ...result, peakRssMb: (kb! * 1024) / 1e6, cpuSeconds: user! + sys! };
}

/** Runs the Node module `script` with `args`, through GNU time if present, else through a wrapper module. */
export async function measuredNode(script: string, args: string[], scratch: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Promise<RunResult> {
  if (rssMethod() === 'gnu-time') return measured(process.execPath, [...nodeFlags, script, ...args], scratch, env);
  const wrapper = join(scratch, 'rusage-wrapper.mjs');
  await writeFile(
    wrapper,
    `process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\n${WRAPPER_MARK} ' + u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime) + '\\n'); });\n` +
      `await import(${JSON.stringify(pathToFileURL(script).href)});\n`,
  );
  const result = await run(process.execPath, [...nodeFlags, wrapper, ...args], env);
  const m = new RegExp(`\\n${WRAPPER_MARK} (\\d+) (\\d+)\\n`).exec(result.stderr);
  if (m === null) return result;
  return { ...result, stderr: result.stderr.replace(m[0], ''), peakRssMb: (Number(m[1]) * 1024) / 1e6, cpuSeconds: Number(m[2]) / 1e6 };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
