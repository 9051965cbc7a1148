// API tokens of `provenant serve`. The token file holds only SHA-256 hashes, so reading it (a backup, a leaked
// copy) does not let anyone write to the log; the token text is shown once, when it is created. The server stats
// the file on each lookup and re-reads it when it changed, so tokens added or removed take effect without a restart.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { ProvenantError } from '../core/errors.js';
import { isJsonObject, parseJson, type JsonValue } from '../core/json.js';

export type TokenScope = 'read' | 'write';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write'];

/** One token as the file keeps it: never the token itself. */
export interface TokenRecord {
  readonly name: string;
  /** Lowercase hex SHA-256 of the UTF-8 token text. */
  readonly sha256: string;
  readonly scopes: readonly TokenScope[];
  /** ISO 8601 time of creation. */
  readonly created: string;
}

export const TOKEN_PREFIX = 'pvt_';
const TOKEN_RE = /^pvt_[A-Za-z0-9_-]{43}$/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
const FILE_VERSION = 1;

/** A bearer token's shape; anything else is refused before it is hashed. */
export function isTokenText(value: string): boolean {
  return TOKEN_RE.test(value);
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Adds a token named `name` with the given scopes to the token file (created with mode 0600 if missing) and returns
 * the token text, which is not stored anywhere. Errors: USAGE (bad or taken name, no scope), TOKEN_FILE_INVALID,
 * IO_ERROR.
 */
export async function createToken(file: string, name: string, scopes: readonly TokenScope[]): Promise<string> {
  if (!NAME_RE.test(name)) {
    throw new ProvenantError('USAGE', `token name ${JSON.stringify(name)} must be 1-64 of A-Z a-z 0-9 . _ @ - (not starting with a symbol)`);
  }
  const wanted = [...new Set(scopes)];
  if (wanted.length === 0 || wanted.some((s) => !TOKEN_SCOPES.includes(s))) {
    throw new ProvenantError('USAGE', `token scopes must be a non-empty subset of ${TOKEN_SCOPES.join(', ')}`);
  }
  const records = (await readTokenFile(file)) ?? [];
  if (records.some((r) => r.name === name)) {
    throw new ProvenantError('USAGE', `a token named ${JSON.stringify(name)} already exists`, { details: { name } });
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const record: TokenRecord = {
    name,
    sha256: hashToken(token).toString('hex'),
    scopes: TOKEN_SCOPES.filter((s) => wanted.includes(s)),
    created: new Date().toISOString(),
  };
  await writeTokenFile(file, [...records, record]);
  return token;
}

/** Removes the token named `name`; returns false when there was none. */
export async function revokeToken(file: string, name: string): Promise<boolean> {
  const records = (await readTokenFile(file)) ?? [];
  const kept = records.filter((r) => r.name !== name);
  if (kept.length === records.length) return false;
  await writeTokenFile(file, kept);
  return true;
}

/** The tokens of a file (names, scopes, creation times); an absent file holds none. */
export async function listTokens(file: string): Promise<TokenRecord[]> {
  return (await readTokenFile(file)) ?? [];
}

async function writeTokenFile(file: string, records: readonly TokenRecord[]): Promise<void> {
  const text = JSON.stringify({ version: FILE_VERSION, tokens: records }, null, 2) + '\n';
  // Write beside the file and rename, so a server re-reading it never sees half a file.
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
    await chmod(temp, 0o600);
    await rename(temp, file);
  } catch (cause) {
    throw new ProvenantError('IO_ERROR', `cannot write the token file ${file}`, { cause, details: { file } });
  }
}

/** Reads and checks a token file; null when it does not exist. */
export async function readTokenFile(file: string): Promise<TokenRecord[] | null> {
  let text: Buffer;
  try {
    text = await readFile(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ProvenantError('IO_ERROR', `cannot read the token file ${file}`, { cause, details: { file } });
  }
  return parseTokenFile(parseJson(text, 'token file', { maxDepth: 8, maxLength: 16 * 1024 * 1024 }), file);
}

function parseTokenFile(doc: JsonValue, file: string): TokenRecord[] {
  const invalid = (why: string): ProvenantError =>
    new ProvenantError('TOKEN_FILE_INVALID', `token file ${file}: ${why}`, { details: { file } });
  if (!isJsonObject(doc) || doc.version !== FILE_VERSION || !Array.isArray(doc.tokens)) {
    throw invalid(`expected {"version": ${FILE_VERSION}, "tokens": [...]}`);
  }
  const names = new Set<string>();
  return doc.tokens.map((t, i) => {
    if (!isJsonObject(t)) throw invalid(`tokens[${i}] is not an object`);
    const { name, sha256, scopes, created } = t;
    if (Object.keys(t).some((k) => !['name', 'sha256', 'scopes', 'created'].includes(k))) {
      throw invalid(`tokens[${i}] has unknown fields`);
    }
    if (typeof name !== 'string' || !NAME_RE.test(name) || names.has(name)) throw invalid(`tokens[${i}].name is missing, malformed or repeated`);
    names.add(name);
    if (typeof sha256 !== 'string' || !HEX64_RE.test(sha256)) throw invalid(`tokens[${i}].sha256 is not 64 lowercase hex`);
    if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || !TOKEN_SCOPES.includes(s as TokenScope))) {
      throw invalid(`tokens[${i}].scopes must be a non-empty list of ${TOKEN_SCOPES.join(', ')}`);
    }
    if (typeof created !== 'string' || Number.isNaN(Date.parse(created))) throw invalid(`tokens[${i}].created is not a time`);
    return { name, sha256, scopes: scopes as TokenScope[], created };
  });
}

interface LoadedTokens {
  readonly records: readonly { record: TokenRecord; hash: Buffer }[];
  /** What the file looked like when read; null when it did not exist. */
  readonly stamp: string | null;
}

/** The tokens a server accepts, kept in step with the token file. */
export class TokenStore {
  private loaded: LoadedTokens;
  private reloading: Promise<void> | null = null;
  /** The stamp of a file version that failed to load, so it is reported once rather than on every request. */
  private failedStamp: string | null = null;

  private constructor(
    readonly file: string | null,
    loaded: LoadedTokens,
    private readonly onReloadError: (error: ProvenantError) => void,
  ) {
    this.loaded = loaded;
  }

  /**
   * Opens the token file; a missing file means no tokens yet (it is picked up once created). A malformed file fails
   * here; a file that turns malformed later is reported through `onReloadError` and the tokens read before stay in
   * force, so a bad edit does not lock every client out (or let anyone in).
   */
  static async open(file: string, options: { onReloadError?: (error: ProvenantError) => void } = {}): Promise<TokenStore> {
    const stamp = await fileStamp(file);
    const records = stamp === null ? [] : ((await readTokenFile(file)) ?? []);
    return new TokenStore(file, { records: withHashes(records), stamp }, options.onReloadError ?? (() => undefined));
  }

  /** A store with no tokens and no file: every token is refused. */
  static empty(): TokenStore {
    return new TokenStore(null, { records: [], stamp: null }, () => undefined);
  }

  /** The record of `token`, or null when the text is not a known token. */
  async lookup(token: string): Promise<TokenRecord | null> {
    await this.refresh();
    if (!isTokenText(token)) return null;
    const hash = hashToken(token);
    let found: TokenRecord | null = null;
    // Compare against every record so the time taken does not tell which (or whether a) record matched.
    for (const { record, hash: stored } of this.loaded.records) {
      if (timingSafeEqual(hash, stored) && found === null) found = record;
    }
    return found;
  }

  /** Re-reads the file if it changed since it was last read. */
  async refresh(): Promise<void> {
    if (this.file === null) return;
    if (this.reloading === null) {
      this.reloading = this.reload(this.file).finally(() => {
        this.reloading = null;
      });
    }
    await this.reloading;
  }

  private async reload(file: string): Promise<void> {
    let stamp: string | null = null;
    try {
      stamp = await fileStamp(file);
      if (stamp === this.loaded.stamp || (stamp !== null && stamp === this.failedStamp)) return;
      const records = stamp === null ? [] : ((await readTokenFile(file)) ?? []);
      this.loaded = { records: withHashes(records), stamp };
      this.failedStamp = null;
    } catch (e) {
      this.failedStamp = stamp;
      this.onReloadError(e instanceof ProvenantError ? e : new ProvenantError('IO_ERROR', `cannot read the token file ${file}`, { cause: e }));
    }
  }
}

function withHashes(records: readonly TokenRecord[]): LoadedTokens['records'] {
  return records.map((record) => ({ record, hash: Buffer.from(record.sha256, 'hex') }));
}

async function fileStamp(file: string): Promise<string | null> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ProvenantError('IO_ERROR', `cannot stat the token file ${file}`, { cause, details: { file } });
  }
}
