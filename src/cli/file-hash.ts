// Hashing an artifact file (a VM disk image can be tens of gigabytes) as a stream, never read whole.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ProvenantError } from '../core/errors.js';
import type { Digest } from '../core/digest.js';

export interface FileDigest {
  readonly digest: Digest;
  readonly size: number;
}

/** SHA-256 and size of a regular file. Errors: FILE_NOT_FOUND, IO_ERROR (not a regular file, read failure). */
export async function hashFile(path: string): Promise<FileDigest> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ProvenantError('IO_ERROR', `${path} is not a regular file`, { details: { path } });
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { digest: `sha256:${hash.digest('hex')}`, size };
  } catch (e) {
    if (e instanceof ProvenantError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ProvenantError('FILE_NOT_FOUND', `${path} does not exist`, { details: { path } });
    throw new ProvenantError('IO_ERROR', `cannot read ${path}: ${(e as Error).message}`, { details: { path }, cause: e });
  }
}
