// The I/O adapter behind `provenant build`'s environment record: reads os-release, asks node:os for the
// kernel, and runs each toolchain found on PATH to get its version. Every source is injectable for tests.
import { open } from 'node:fs/promises';
import { homedir, machine, release } from 'node:os';
import { ProvenantError } from '../core/errors.js';
import { TOOLCHAIN_COMMANDS, type HostFacts, type ProbeOutcome, type ToolchainCommand, type ToolchainProbe } from './facts.js';
import { findOnPath } from './path-lookup.js';
import { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS, spawnRunner, type Runner } from './run.js';

/** os-release(5): the first of these that exists is the one that counts. */
export const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'] as const;
const MAX_OS_RELEASE_BYTES = 64 * 1024;

export interface SystemInfo {
  release(): string;
  machine(): string;
  homedir(): string;
}

export interface CollectOptions {
  /** Environment of the build; also where PATH is read from. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  run?: Runner;
  /** Reads a whole file; a rejection with code ENOENT or ENOTDIR means "absent". */
  readFile?: (path: string) => Promise<Uint8Array>;
  system?: SystemInfo;
  timeoutMs?: number;
  maxOutputBytes?: number;
}

/** Errors: IO_ERROR when os-release exists but cannot be read. A toolchain that fails is recorded, not thrown. */
export async function collectHostFacts(options: CollectOptions = {}): Promise<HostFacts> {
  const env = snapshotEnv(options.env ?? process.env);
  const system = options.system ?? { release, machine, homedir };
  const [osRelease, toolchains] = await Promise.all([
    readOsRelease(options.readFile ?? readBounded),
    probeToolchains(options.env ?? process.env, options),
  ]);
  const home = homeOrUndefined(system);
  return {
    kernel: { release: system.release(), machine: system.machine() },
    env,
    toolchains,
    ...(home === undefined ? {} : { home }),
    ...(osRelease === undefined ? {} : { osRelease }),
  };
}

function snapshotEnv(env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out.set(name, value);
  return out;
}

function homeOrUndefined(system: SystemInfo): string | undefined {
  try {
    const home = system.homedir();
    return home === '' ? undefined : home;
  } catch {
    // No passwd entry and no HOME: nothing to abbreviate.
    return undefined;
  }
}

async function readOsRelease(readFile: (path: string) => Promise<Uint8Array>): Promise<Uint8Array | undefined> {
  for (const path of OS_RELEASE_FILES) {
    try {
      return await readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw new ProvenantError('IO_ERROR', `${path} could not be read`, { details: { path, code }, cause: e });
    }
  }
  return undefined;
}

/** Reads at most one byte past the os-release limit, so a hostile file cannot exhaust memory. */
async function readBounded(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_OS_RELEASE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0 || length + bytesRead === buffer.length) return buffer.subarray(0, length + bytesRead);
      length += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

async function probeToolchains(env: NodeJS.ProcessEnv, options: CollectOptions): Promise<ToolchainProbe[]> {
  const probes = await Promise.all(TOOLCHAIN_COMMANDS.map((command) => probe(command, env, options)));
  return probes.filter((p): p is ToolchainProbe => p !== undefined);
}

async function probe(command: ToolchainCommand, env: NodeJS.ProcessEnv, options: CollectOptions): Promise<ToolchainProbe | undefined> {
  const path = await findOnPath(command.name, env.PATH);
  if (path === undefined) return undefined;
  // The build's own environment, so shims (rustup, pyenv, nvm) pick the toolchain the build uses; the C
  // locale keeps the output in the shapes the parsers know.
  const toolEnv = { ...env, LC_ALL: 'C', LANG: 'C' };
  let outcome: ProbeOutcome;
  try {
    const result = await (options.run ?? spawnRunner)(path, command.args, {
      env: toolEnv,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxOutputBytes: options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    });
    outcome = { kind: 'ran', ...result };
  } catch (e) {
    const reason = e instanceof ProvenantError && typeof e.details?.reason === 'string' ? e.details.reason : 'failed';
    outcome = { kind: 'failed', reason };
  }
  return { name: command.name, path, outcome };
}
