// Which OSV shape a path given on the command line holds, for loadOsv.
import { open, stat } from 'node:fs/promises';
import { ProvenantError } from '../core/errors.js';
import type { OsvSource } from '../vuln/osv-load.js';

const ZIP_MAGIC = [Buffer.from('PK\x03\x04', 'latin1'), Buffer.from('PK\x05\x06', 'latin1')];

/** A directory, a zip archive (by its signature), or else NDJSON. `option` names the flag in errors. Errors: FILE_NOT_FOUND, IO_ERROR. */
export async function osvSourceOf(path: string, option: string): Promise<OsvSource> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'IO_ERROR';
    throw new ProvenantError(code, `${option} ${path} cannot be read`, { details: { path }, cause: e });
  }
  if (info.isDirectory()) return { dir: path };
  const head = Buffer.alloc(4);
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, 4, 0);
  } finally {
    await handle.close();
  }
  return ZIP_MAGIC.some((m) => m.equals(head)) ? { zip: path } : { ndjson: path };
}
