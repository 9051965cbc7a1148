// The embedded log's signing key: an Ed25519 key (C2SP signed notes sign with Ed25519) kept in cosign's
// encrypted format, so it is never on disk in clear. The password comes from PROVENANT_LOG_PASSWORD only: the
// log key is not the user's signing key and must not be unlocked by PROVENANT_PASSWORD by accident.
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ProvenantError } from '../core/errors.js';
import { generateKeyPair, keyPemKind, loadSigningKey, type SigningKey } from '../crypto/index.js';
import { readTextFile, writeOutputFile } from './files.js';

export const LOG_PASSWORD_ENV = 'PROVENANT_LOG_PASSWORD';

export interface LogKey {
  readonly key: SigningKey;
  /** True when this call generated the key and wrote the file. */
  readonly created: boolean;
}

/**
 * Loads the log key at `path`, or creates it there (mode 0600) when `create` is set and the file does not
 * exist. Errors: PASSWORD_REQUIRED without PROVENANT_LOG_PASSWORD; FILE_NOT_FOUND when absent and not to be
 * created; KEY_MISMATCH for a key stored in clear or a public key; KEY_UNSUPPORTED for a key that is not
 * Ed25519; KEY_DECRYPT_FAILED for a wrong password.
 */
export async function openLogKey(path: string, env: NodeJS.ProcessEnv, options: { create: boolean }): Promise<LogKey> {
  const password = env[LOG_PASSWORD_ENV];
  if (password === undefined) {
    throw new ProvenantError('PASSWORD_REQUIRED', `the log key ${path} is encrypted: set ${LOG_PASSWORD_ENV} to its password`, {
      details: { variable: LOG_PASSWORD_ENV },
    });
  }
  if (options.create && !(await exists(path))) {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const pair = await generateKeyPair(password, { algorithm: 'ed25519' });
    try {
      await writeOutputFile(path, pair.privateKeyPem, { mode: 0o600 });
      return { key: pair.signer, created: true };
    } catch (e) {
      // Another process created it first; its key is the one in force.
      if (!(await exists(path))) throw e;
    }
  }
  const pem = await readTextFile(path, 'log key', 1024 * 1024);
  const kind = keyPemKind(pem);
  if (kind !== 'encrypted') {
    throw new ProvenantError('KEY_MISMATCH', `the log key ${path} must be an encrypted private key (cosign format), not ${kind === 'public' ? 'a public key' : 'a key in clear'}`);
  }
  const key = await loadSigningKey(pem, password);
  if (key.algorithm !== 'ed25519') {
    throw new ProvenantError('KEY_UNSUPPORTED', `the log key ${path} is ${key.algorithm}; checkpoints are signed with Ed25519`);
  }
  return { key, created: false };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ProvenantError('IO_ERROR', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}
