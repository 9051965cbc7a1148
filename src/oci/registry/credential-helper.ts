// Docker credential helpers (docker-credential-helpers protocol): `docker-credential-<name> get` reads the
// server URL on stdin and prints {"ServerURL","Username","Secret"}; a Username of "<token>" marks the
// Secret as an identity token. The helper runs with a time limit and its output is bounded.
import { spawn } from 'node:child_process';
import { ProvenantError } from '../../core/errors.js';
import { parseJsonObject } from '../../core/json.js';
import type { Credentials } from './auth.js';

export interface CredentialHelperOptions {
  /** Environment of the helper (its PATH is where it is looked up). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  maxOutputBytes?: number;
}

const HELPER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NOT_FOUND = 'credentials not found in native keychain';

export function isValidHelperName(name: string): boolean {
  return HELPER_NAME_RE.test(name);
}

/** Runs `docker-credential-<name> get` for `serverUrl`; undefined when the helper has no credentials for it. */
export function runCredentialHelper(name: string, serverUrl: string, options: CredentialHelperOptions = {}): Promise<Credentials | undefined> {
  const program = `docker-credential-${name}`;
  const fail = (reason: string, cause?: unknown) =>
    new ProvenantError('CREDENTIAL_HELPER_FAILED', `${program}: ${reason}`, { details: { helper: name, reason }, cause });
  if (!isValidHelperName(name)) return Promise.reject(fail('not a valid helper name'));
  const limit = options.maxOutputBytes ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'ignore'], shell: false });
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: ProvenantError | undefined;
    const timer = setTimeout(() => {
      failure ??= fail(`no answer within ${options.timeoutMs ?? 10_000} ms`);
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        failure ??= fail(`more than ${limit} bytes of output`);
        child.kill('SIGKILL');
      } else {
        chunks.push(chunk);
      }
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'not installed (not on PATH)' : 'could not be started', e));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure !== undefined) return reject(failure);
      const output = Buffer.concat(chunks).toString('utf8').trim();
      if (code !== 0) return output === NOT_FOUND ? resolve(undefined) : reject(fail(`exited with status ${code ?? 'signal'}`));
      try {
        resolve(helperCredentials(output));
      } catch (e) {
        reject(fail('answered with something that is not a credentials object', e));
      }
    });
    child.stdin.end(serverUrl);
  });
}

function helperCredentials(output: string): Credentials | undefined {
  const json = parseJsonObject(output, 'credential helper output', { maxDepth: 4 });
  const { Username: username, Secret: secret } = json;
  if (typeof username !== 'string' || typeof secret !== 'string') throw new Error('Username and Secret must be strings');
  if (secret === '') return undefined;
  return username === '<token>' ? { kind: 'identityToken', token: secret } : { kind: 'basic', username, password: secret };
}
