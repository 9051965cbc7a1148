// The password of an encrypted private key, found as cosign finds it: an environment variable if set (an
// empty value is a valid empty password, as cosign's LookupEnv allows), else typed at a terminal with echo
// off. PROVENANT_PASSWORD is read first, then cosign's own COSIGN_PASSWORD. Without either and without a
// terminal there is nobody to ask, so the answer is PASSWORD_REQUIRED rather than a hang on a pipe.
import { StringDecoder } from 'node:string_decoder';
import { ProvenantError } from '../core/errors.js';

export const PASSWORD_ENV_VARS = ['PROVENANT_PASSWORD', 'COSIGN_PASSWORD'] as const;

/** Longest password accepted at the terminal, in UTF-16 code units. */
export const MAX_TYPED_PASSWORD_LENGTH = 4096;

/** The parts of a TTY read stream (process.stdin) the prompt uses; tests pass a stand-in. */
export interface PasswordInput {
  readonly isTTY?: boolean;
  readonly readableEnded?: boolean;
  readonly destroyed?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  on(event: 'end' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface ReadPasswordOptions {
  /** Ask twice and require both answers to match (when a new key is being encrypted). */
  confirm?: boolean;
  prompt?: string;
  confirmPrompt?: string;
  env?: Readonly<Record<string, string | undefined>>;
  input?: PasswordInput;
  output?: NodeJS.WritableStream;
}

/**
 * Errors: PASSWORD_REQUIRED (no variable set and no terminal, or the prompt was interrupted with Ctrl-C,
 * Ctrl-D or end of input); PASSWORD_MISMATCH when the confirmation differs; INPUT_TOO_LARGE for a typed
 * password over MAX_TYPED_PASSWORD_LENGTH; IO_ERROR if the terminal stream fails.
 */
export async function readPassword(options: ReadPasswordOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  for (const name of PASSWORD_ENV_VARS) {
    const value = env[name];
    if (value !== undefined) return value;
  }
  const input: PasswordInput = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (input.isTTY !== true || typeof input.setRawMode !== 'function') {
    throw new ProvenantError('PASSWORD_REQUIRED', 'the key needs a password: set PROVENANT_PASSWORD or COSIGN_PASSWORD, or run on a terminal');
  }
  const terminal = new TerminalLineReader(input);
  try {
    const password = await terminal.readLine(output, options.prompt ?? 'Enter password for private key: ');
    if (options.confirm === true) {
      const again = await terminal.readLine(output, options.confirmPrompt ?? 'Enter password for private key again: ');
      if (again !== password) throw new ProvenantError('PASSWORD_MISMATCH', 'the two passwords differ');
    }
    return password;
  } finally {
    terminal.close();
  }
}

/**
 * Reads lines from a terminal in raw mode, so nothing is echoed, doing the little line editing the kernel
 * would do in canonical mode: backspace, Ctrl-U; escape sequences (arrow keys) are dropped.
 */
class TerminalLineReader {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private pos = 0;
  private afterCr = false;
  private ended = false;
  private failure: ProvenantError | undefined;
  private wake: (() => void) | undefined;

  private readonly onData = (chunk: Buffer | string): void => {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    this.notify();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };
  private readonly onError = (err: Error): void => {
    this.failure = new ProvenantError('IO_ERROR', 'reading the password from the terminal failed', { cause: err });
    this.notify();
  };

  constructor(private readonly input: PasswordInput) {
    // A stream that has already ended will never say so again; waiting on it would hang.
    this.ended = input.readableEnded === true || input.destroyed === true;
    input.setRawMode?.(true);
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.on('close', this.onEnd);
    input.on('error', this.onError);
    input.resume();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async readLine(output: NodeJS.WritableStream, prompt: string): Promise<string> {
    output.write(prompt);
    let line = '';
    let escape: 'none' | 'esc' | 'sequence' = 'none';
    for (;;) {
      while (this.pos < this.pending.length) {
        const ch = this.pending[this.pos++] as string;
        // Enter in raw mode is CR; the LF of a pasted CRLF, even in the next chunk, must not end another line.
        const afterCr = this.afterCr;
        this.afterCr = false;
        if (afterCr && ch === '\n') continue;
        if (escape === 'esc') {
          escape = ch === '[' || ch === 'O' ? 'sequence' : 'none';
          continue;
        }
        if (escape === 'sequence') {
          if (ch >= '\x40' && ch <= '\x7e') escape = 'none';
          continue;
        }
        switch (ch) {
          case '\r':
          case '\n':
            this.afterCr = ch === '\r';
            output.write('\n');
            return line;
          case '\x03':
            output.write('\n');
            throw new ProvenantError('PASSWORD_REQUIRED', 'password entry was interrupted');
          case '\x04':
            if (line.length === 0) {
              output.write('\n');
              throw new ProvenantError('PASSWORD_REQUIRED', 'password entry ended without a password');
            }
            continue;
          case '\x7f':
          case '\b':
            line = Array.from(line).slice(0, -1).join('');
            continue;
          case '\x15':
            line = '';
            continue;
          case '\x1b':
            escape = 'esc';
            continue;
        }
        if (ch < ' ') continue;
        line += ch;
        if (line.length > MAX_TYPED_PASSWORD_LENGTH) {
          throw new ProvenantError('INPUT_TOO_LARGE', `a typed password is limited to ${MAX_TYPED_PASSWORD_LENGTH} characters`);
        }
      }
      this.pending = '';
      this.pos = 0;
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) {
        output.write('\n');
        throw new ProvenantError('PASSWORD_REQUIRED', 'the terminal closed before a password was entered');
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  close(): void {
    this.input.removeListener('data', this.onData);
    this.input.removeListener('end', this.onEnd);
    this.input.removeListener('close', this.onEnd);
    this.input.removeListener('error', this.onError);
    this.input.setRawMode?.(false);
    this.input.pause();
    this.pending = '';
    this.pos = 0;
  }
}
