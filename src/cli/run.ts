// The CLI's outer shell: parses argv with commander, runs one command, and turns every failure into
// `error[CODE]: message` on stderr with the code's documented exit status (docs/errors.md).
import { Command, CommanderError } from 'commander';
import { ProvenantError, toProvenantError } from '../core/errors.js';

export const PROVENANT_VERSION = '0.1.0';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export type CommandInstaller = (program: Command, io: Io) => void;

export async function runCli(argv: string[], io: Io, installers: readonly CommandInstaller[]): Promise<number> {
  const program = new Command('provenant')
    .description('Provenance, signatures and policy for container and VM images')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => undefined,
    })
    .version(PROVENANT_VERSION, '-v, --version')
    .showSuggestionAfterError(true);
  for (const install of installers) install(program, io);
  for (const cmd of program.commands) cmd.exitOverride();

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0.
      if (e.exitCode === 0) return 0;
      io.stderr.write(`error[USAGE]: ${e.message.replace(/^error: /, '')}\n`);
      return new ProvenantError('USAGE', e.message).exitCode;
    }
    const err = toProvenantError(e);
    io.stderr.write(`error[${err.code}]: ${err.message}\n`);
    if (err.code === 'INTERNAL' && io.env.PROVENANT_DEBUG) io.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return err.exitCode;
  }
}

/** Writes a JSON document followed by a newline. */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
