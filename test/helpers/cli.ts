// Runs the CLI in-process with captured output and a controlled environment.
import { Writable } from 'node:stream';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { runCli } from '../../src/cli/run.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export async function provenant(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const out = sink();
  const err = sink();
  const code = await runCli(args, { stdout: out.stream, stderr: err.stream, env: { HOME: '/nonexistent', ...env } }, COMMANDS);
  return { code, stdout: out.text(), stderr: err.text() };
}

/** The `error[CODE]` a failed run printed, or undefined. */
export function errorCode(result: CliResult): string | undefined {
  return /^error\[([A-Z0-9_]+)\]/m.exec(result.stderr)?.[1];
}
