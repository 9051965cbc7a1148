// Reading and writing the user's files with bounded sizes and error codes instead of raw errno failures.
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { ProvenantError } from '../core/errors.js';

export async function readInputFile(path: string, what: string, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ProvenantError('IO_ERROR', `${what} ${path} is not a regular file`);
    size = info.size;
  } catch (e) {
    throw fileError(e, path, what);
  }
  if (size > maxBytes) throw new ProvenantError('INPUT_TOO_LARGE', `${what} ${path} is ${size} bytes, over the limit of ${maxBytes}`);
  try {
    return await readFile(path);
  } catch (e) {
    throw fileError(e, path, what);
  }
}

export async function readTextFile(path: string, what: string, maxBytes?: number): Promise<string> {
  return (await readInputFile(path, what, maxBytes)).toString('utf8');
}

/** Writes a new file; refuses to replace an existing one unless `overwrite`. */
export async function writeOutputFile(path: string, data: string | Uint8Array, options: { mode?: number; overwrite?: boolean } = {}): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, options.overwrite === true ? 'w' : 'wx', options.mode ?? 0o644);
    // The mode applies only to a file being created: a private key written over a world-readable file would
    // stay world-readable, so a replaced file gets the mode before anything is written to it.
    if (options.overwrite === true && options.mode !== undefined) await handle.chmod(options.mode);
    await handle.writeFile(data);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ProvenantError('USAGE', `${path} already exists (use --force to replace it)`, { details: { path } });
    }
    throw fileError(e, path, 'output file');
  } finally {
    await handle?.close();
  }
}

function fileError(e: unknown, path: string, what: string): ProvenantError {
  if (e instanceof ProvenantError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ProvenantError('FILE_NOT_FOUND', `${what} ${path} does not exist`, { details: { path } });
  return new ProvenantError('IO_ERROR', `cannot read ${what} ${path}: ${(e as Error).message}`, { details: { path, errno: code }, cause: e });
}
