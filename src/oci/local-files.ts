// File access shared by the local transports. Layouts and archives come from untrusted places, so files are
// opened without blocking (a FIFO planted where a blob should be would otherwise hang the open) and must be
// regular files; writes go to a temporary file in the same directory and are renamed into place, so readers
// never see half a blob or half an index.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ProvenantError, type ErrorCode } from '../core/errors.js';

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined;
}

/** Maps a Node file-system error to IO_ERROR, or to `notFound` for ENOENT/ENOTDIR. */
export function fsError(e: unknown, path: string, notFound: ErrorCode, what: string): ProvenantError {
  if (e instanceof ProvenantError) return e;
  const errno = errnoOf(e);
  if (errno === 'ENOENT' || errno === 'ENOTDIR') {
    return new ProvenantError(notFound, `${what} does not exist`, { details: { path }, cause: e });
  }
  return new ProvenantError('IO_ERROR', `${what} could not be read or written (${errno ?? 'error'})`, {
    details: { path, errno },
    cause: e,
  });
}

/**
 * Opens a regular file for reading. Errors: `notFound` when absent, `notRegular` when it is a directory,
 * device, FIFO or socket, IO_ERROR otherwise.
 */
export async function openRegularFile(path: string, what: string, notFound: ErrorCode, notRegular: ErrorCode): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (e) {
    if (errnoOf(e) === 'EISDIR') throw new ProvenantError(notRegular, `${what} is not a regular file`, { details: { path } });
    throw fsError(e, path, notFound, what);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ProvenantError(notRegular, `${what} is not a regular file`, { details: { path } });
    return handle;
  } catch (e) {
    await handle.close();
    throw fsError(e, path, notFound, what);
  }
}

/** Reads a whole regular file of at most `maxBytes` bytes (INPUT_TOO_LARGE above). */
export async function readSmallFile(
  path: string,
  maxBytes: number,
  what: string,
  notFound: ErrorCode,
  notRegular: ErrorCode,
): Promise<Buffer> {
  const handle = await openRegularFile(path, what, notFound, notRegular);
  try {
    const size = (await handle.stat()).size;
    if (size > maxBytes) {
      throw new ProvenantError('INPUT_TOO_LARGE', `${what} is ${size} bytes, over the limit of ${maxBytes}`, {
        details: { path, size, limit: maxBytes },
      });
    }
    const buffer = Buffer.alloc(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } catch (e) {
    throw fsError(e, path, notFound, what);
  } finally {
    await handle.close();
  }
}

/** Writes `data` to `path` atomically: temporary file in the same directory, fsync, rename. */
export async function writeFileAtomic(path: string, data: Uint8Array, what: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDirectory(dirname(path));
  } catch (e) {
    await rm(temp, { force: true });
    throw fsError(e, path, 'FILE_NOT_FOUND', what);
  }
}

/** Makes a rename durable: fsync of the directory entry (best effort; some file systems refuse it). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY).catch(() => undefined);
  if (handle === undefined) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}
