import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogRpmHeaders } from '../../src/analyze/catalog/rpm.js';
import { isProvenantError, type ErrorCode } from '../../src/core/errors.js';
import { MAX_RPM_HEADER_BYTES, MAX_RPMDB_ROWS, readRpmDatabase } from '../../src/host/rpmdb.js';
import { rpmdbSqlite, rpmPackage, sqliteFile } from '../helpers/rpmdb-sqlite.js';

const refused = (bytes: Uint8Array, code: ErrorCode): void => {
  assert.throws(() => readRpmDatabase(bytes), (e: unknown) => isProvenantError(e, code));
};

test('the header blobs of a WAL-mode rpmdb.sqlite are read in hnum order', async () => {
  const blobs = [rpmPackage('bash', '5.2.15', '3.fc38'), rpmPackage('glibc', '2.37', '4.fc38')];
  const bytes = await rpmdbSqlite(blobs);
  assert.equal(bytes[18], 2, 'the fixture is in WAL mode, as rpm writes it');
  const read = readRpmDatabase(bytes);
  assert.deepEqual(read.map((b) => Buffer.from(b)), blobs);
  assert.equal(bytes[18], 2, 'the caller’s bytes are left alone');
  assert.deepEqual(catalogRpmHeaders(read, 'var/lib/rpm/rpmdb.sqlite').map((p) => `${p.name}@${p.version}`), ['bash@5.2.15-3.fc38', 'glibc@2.37-4.fc38']);
});

test('a rollback-journal rpmdb.sqlite and an empty Packages table are read', async () => {
  assert.equal(readRpmDatabase(await rpmdbSqlite([rpmPackage('zlib', '1.2.13', '3.fc38')], { wal: false })).length, 1);
  assert.deepEqual(readRpmDatabase(await rpmdbSqlite([])), []);
});

test('bytes that are not an SQLite database, or a damaged one, are PACKAGE_METADATA_MALFORMED', async () => {
  refused(Buffer.from('this is not a database at all, just some words\n'.repeat(10)), 'PACKAGE_METADATA_MALFORMED');
  refused(new Uint8Array(0), 'PACKAGE_METADATA_MALFORMED');
  const good = await rpmdbSqlite([rpmPackage('bash', '5.2.15', '3.fc38')]);
  const damaged = Buffer.from(good);
  damaged.fill(0xff, 100, damaged.length);
  refused(damaged, 'PACKAGE_METADATA_MALFORMED');
  refused(good.subarray(0, 200), 'PACKAGE_METADATA_MALFORMED');
});

test('a database without a Packages table, or with Packages as a view, is PACKAGE_METADATA_MALFORMED', async () => {
  refused(await sqliteFile((db) => db.exec('CREATE TABLE Other (x)')), 'PACKAGE_METADATA_MALFORMED');
  refused(await sqliteFile((db) => db.exec("CREATE VIEW Packages AS SELECT 1 AS hnum, x'00' AS blob")), 'PACKAGE_METADATA_MALFORMED');
  refused(
    await sqliteFile((db) => db.exec("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB); INSERT INTO Packages VALUES (1, 'text')")),
    'PACKAGE_METADATA_MALFORMED',
  );
});

test('too many rows or an oversized header blob is INPUT_TOO_LARGE', async () => {
  const many = await sqliteFile((db) =>
    db.exec(
      `CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i <= ${MAX_RPMDB_ROWS})
       INSERT INTO Packages SELECT i, x'00' FROM n`,
    ),
  );
  refused(many, 'INPUT_TOO_LARGE');
  const big = await sqliteFile((db) =>
    db.exec(`CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB); INSERT INTO Packages VALUES (1, zeroblob(${MAX_RPM_HEADER_BYTES + 1}))`),
  );
  refused(big, 'INPUT_TOO_LARGE');
});
