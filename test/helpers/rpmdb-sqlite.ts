// Builds rpmdb.sqlite files as rpm 4.16+ writes them: a Packages(hnum, blob) table in a WAL-mode database,
// with header blobs made by rpm-blob.ts.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RPMTAG } from '../../src/analyze/catalog/rpm-header.js';
import { rpmHeaderBlob } from '../analyze/catalog/rpm-blob.js';

/** A header blob for name-version-release (x86_64) that provides its own name. */
export function rpmPackage(name: string, version: string, release: string): Buffer {
  return rpmHeaderBlob([
    { tag: RPMTAG.NAME, type: 'string', value: name },
    { tag: RPMTAG.VERSION, type: 'string', value: version },
    { tag: RPMTAG.RELEASE, type: 'string', value: release },
    { tag: RPMTAG.ARCH, type: 'string', value: 'x86_64' },
    { tag: RPMTAG.PROVIDENAME, type: 'strings', value: [name] },
  ]);
}

/** The bytes of an SQLite database that `setup` fills on a fresh file. */
export async function sqliteFile(setup: (db: Database.Database) => void, options: { wal?: boolean } = {}): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-rpmdb-'));
  try {
    const file = join(dir, 'rpmdb.sqlite');
    const db = new Database(file);
    if (options.wal !== false) db.pragma('journal_mode = WAL');
    setup(db);
    db.close();
    return await readFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function rpmdbSqlite(blobs: Uint8Array[], options: { wal?: boolean } = {}): Promise<Buffer> {
  return sqliteFile((db) => {
    db.exec('CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)');
    const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
    db.transaction(() => blobs.forEach((b) => insert.run(Buffer.from(b))))();
  }, options);
}
