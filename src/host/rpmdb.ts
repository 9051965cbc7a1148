// The RpmDatabaseReader adapter: the Packages table of an rpmdb.sqlite taken from an image, read with
// better-sqlite3. The bytes are deserialized into a private in-memory database (no temp file, nothing of the
// image touches the disk), opened read-only. The file is attacker-controlled: Packages must be a real table
// (a view could run arbitrary SQL), and rows and blob sizes are bounded.
import Database from 'better-sqlite3';
import type { RpmDatabaseReader } from '../analyze/catalog/index.js';
import { ProvenantError } from '../core/errors.js';

export const MAX_RPMDB_ROWS = 100_000;
export const MAX_RPM_HEADER_BYTES = 16 * 1024 * 1024;

/** Offsets 18 and 19 of the SQLite header: file format write and read versions, 2 in WAL mode (sqlite fileformat2 §1.3). */
const FORMAT_VERSION_OFFSETS = [18, 19] as const;
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export const readRpmDatabase: RpmDatabaseReader = (bytes) => {
  const image = Buffer.from(bytes);
  if (image.length < 100 || !image.subarray(0, 16).equals(SQLITE_MAGIC)) malformed('it is not an SQLite database');
  // rpm keeps rpmdb.sqlite in WAL mode; an in-memory database cannot use a WAL, so it is read as a rollback
  // journal database (the image holds no -shm to share, and what a -wal file held is not ours to replay).
  for (const offset of FORMAT_VERSION_OFFSETS) if (image[offset] === 2) image[offset] = 1;
  let db: Database.Database | undefined;
  try {
    db = new Database(image, { readonly: true });
    // SQLite's advice for untrusted database files: no functions from the schema, check every cell.
    db.pragma('trusted_schema = OFF');
    db.pragma('cell_size_check = ON');
    const kind = db.prepare<[], { type: string }>("SELECT type FROM sqlite_schema WHERE name = 'Packages'").get();
    if (kind?.type !== 'table') malformed('it has no Packages table');
    const rows = db
      .prepare<[number, number], [string, number, Buffer | null]>(
        'SELECT typeof(blob), length(blob), CASE WHEN length(blob) <= ? THEN blob END FROM Packages ORDER BY hnum LIMIT ?',
      )
      .raw(true);
    const blobs: Uint8Array[] = [];
    for (const [type, size, blob] of rows.iterate(MAX_RPM_HEADER_BYTES, MAX_RPMDB_ROWS + 1)) {
      if (blobs.length === MAX_RPMDB_ROWS) tooLarge(`it holds more than ${MAX_RPMDB_ROWS} packages`, { max: MAX_RPMDB_ROWS });
      if (type !== 'blob') malformed(`a Packages row holds ${type} instead of a header blob`);
      if (blob === null) tooLarge(`a header blob has ${size} bytes`, { max: MAX_RPM_HEADER_BYTES, size });
      blobs.push(new Uint8Array(blob));
    }
    return blobs;
  } catch (e) {
    if (e instanceof Database.SqliteError) malformed(`SQLite refused it (${e.code})`);
    throw e;
  } finally {
    db?.close();
  }
};

function malformed(reason: string): never {
  throw new ProvenantError('PACKAGE_METADATA_MALFORMED', `rpmdb.sqlite is malformed: ${reason}`);
}

function tooLarge(reason: string, details: Record<string, unknown>): never {
  throw new ProvenantError('INPUT_TOO_LARGE', `rpmdb.sqlite is too large: ${reason}`, { details });
}
