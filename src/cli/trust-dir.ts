// Where the client keeps what it trusts about each log it has seen: the log's verifier key (pinned on first use
// or given with --log-key-pub) and the latest checkpoint it verified. A later checkpoint replaces the stored one
// only after it was shown consistent with it, so a log that rolls back or forks is caught on the next contact.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProvenantError } from '../core/errors.js';
import { isJsonObject, parseJson } from '../core/json.js';

export const TRUST_DIR_ENV = 'PROVENANT_TRUST_DIR';

/** What the client trusts of one log (one origin). */
export interface TrustedLog {
  readonly origin: string;
  /** The note verifier key, "<name>+<key id hex>+<base64 key>". */
  readonly verifierKey: string;
  /** The latest checkpoint verified (C2SP signed note text), or null when only the key is pinned. */
  readonly checkpoint: string | null;
}

/** The trust directory: --trust-dir, else $PROVENANT_TRUST_DIR, else the XDG state directory. */
export function trustDirectory(option: string | undefined, env: NodeJS.ProcessEnv): string {
  if (option !== undefined && option !== '') return option;
  const fromEnv = env[TRUST_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const state = env.XDG_STATE_HOME;
  // XDG Base Directory Specification: a relative $XDG_STATE_HOME is invalid and must be ignored.
  if (state !== undefined && state.startsWith('/')) return join(state, 'provenant', 'checkpoints');
  const home = env.HOME;
  if (home === undefined || home === '') {
    throw new ProvenantError('USAGE', `no trust directory: give --trust-dir or set ${TRUST_DIR_ENV} (HOME is not set)`);
  }
  return join(home, '.local', 'state', 'provenant', 'checkpoints');
}

export class TrustDir {
  constructor(readonly dir: string) {}

  /** The file that holds an origin's trust: readable name, plus a hash so distinct origins never collide. */
  fileOf(origin: string): string {
    const readable = origin.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
    const tag = createHash('sha256').update(origin, 'utf8').digest('hex').slice(0, 16);
    return join(this.dir, `${readable}-${tag}.json`);
  }

  /** What is trusted for `origin`, or null on first contact. Errors: IO_ERROR, TRUST_STATE_INVALID. */
  async read(origin: string): Promise<TrustedLog | null> {
    const file = this.fileOf(origin);
    let text: Buffer;
    try {
      text = await readFile(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ProvenantError('IO_ERROR', `cannot read the trusted checkpoint ${file}: ${(e as Error).message}`, { cause: e });
    }
    const invalid = (why: string) =>
      new ProvenantError('TRUST_STATE_INVALID', `the trusted checkpoint file ${file} ${why}; remove it to trust the log anew`, { details: { file } });
    let doc: unknown;
    try {
      doc = parseJson(text, `trusted checkpoint ${file}`, { maxDepth: 4, maxLength: 1024 * 1024 });
    } catch {
      throw invalid('is not valid JSON');
    }
    if (!isJsonObject(doc) || doc.origin !== origin || typeof doc.verifierKey !== 'string') throw invalid('is not for this log');
    const checkpoint = doc.checkpoint;
    if (checkpoint !== null && typeof checkpoint !== 'string') throw invalid('holds no checkpoint text');
    return { origin, verifierKey: doc.verifierKey, checkpoint };
  }

  /** Replaces what is trusted for the log, atomically (a crash leaves the old file or the new one). */
  async write(trusted: TrustedLog): Promise<void> {
    const file = this.fileOf(trusted.origin);
    const text = `${JSON.stringify({ origin: trusted.origin, verifierKey: trusted.verifierKey, checkpoint: trusted.checkpoint }, null, 2)}\n`;
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFile(temp, text, { flag: 'wx', mode: 0o644 });
      await rename(temp, file);
    } catch (e) {
      await rm(temp, { force: true });
      throw new ProvenantError('IO_ERROR', `cannot write the trusted checkpoint ${file}: ${(e as Error).message}`, { cause: e });
    }
  }
}
