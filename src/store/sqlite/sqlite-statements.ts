// The prepared statements of the SQLite store, compiled once per connection.
import type Database from 'better-sqlite3';

export interface CheckpointRow {
  readonly size: unknown;
  readonly root_hash: unknown;
  readonly note: unknown;
  readonly issued_at: unknown;
}

/**
 * SQL for an AND of `count` index terms: one scan of the (name, value, idx) key for the first term, a key lookup
 * per further term. Parameters: name and value of each term in order, then `after`, then `limit`.
 */
export function searchSql(count: number): string {
  const tables = Array.from({ length: count }, (_, i) => `index_terms t${i}`).join(', ');
  const terms = Array.from({ length: count }, (_, i) => `t${i}.name = ? AND t${i}.value = ?${i === 0 ? '' : ` AND t${i}.idx = t0.idx`}`);
  return `SELECT t0.idx AS idx FROM ${tables} WHERE ${terms.join(' AND ')} AND t0.idx > ? ORDER BY t0.idx LIMIT ?`;
}

export class SqliteStatements {
  readonly insertLeaf: Database.Statement;
  readonly insertNode: Database.Statement;
  readonly insertTerm: Database.Statement;
  readonly insertBlob: Database.Statement;
  readonly insertCheckpoint: Database.Statement;
  readonly sizes: Database.Statement;
  readonly latestCheckpoint: Database.Statement;
  readonly checkpointAt: Database.Statement;
  readonly checkpoints: Database.Statement;
  readonly node: Database.Statement;
  readonly nodeRange: Database.Statement;
  readonly leaves: Database.Statement;
  readonly leafByHash: Database.Statement;
  readonly blob: Database.Statement;
  readonly claimSetting: Database.Statement;
  readonly setting: Database.Statement;
  readonly ping: Database.Statement;
  private readonly searches = new Map<number, Database.Statement>();

  constructor(private readonly db: Database.Database) {
    this.insertLeaf = db.prepare('INSERT INTO leaves (idx, leaf_hash, entry, integrated_at) VALUES (?, ?, ?, ?)');
    this.insertNode = db.prepare('INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)');
    this.insertTerm = db.prepare('INSERT INTO index_terms (name, value, idx) VALUES (?, ?, ?)');
    this.insertBlob = db.prepare('INSERT INTO blobs (digest, media_type, data) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING');
    this.insertCheckpoint = db.prepare('INSERT INTO checkpoints (size, root_hash, note, issued_at) VALUES (?, ?, ?, ?)');
    this.sizes = db.prepare('SELECT (SELECT max(size) FROM checkpoints) AS checkpoint, (SELECT max(idx) FROM leaves) AS leaf');
    const cp = 'SELECT size, root_hash, note, issued_at FROM checkpoints';
    this.latestCheckpoint = db.prepare(`${cp} ORDER BY size DESC LIMIT 1`);
    this.checkpointAt = db.prepare(`${cp} WHERE size = ?`);
    this.checkpoints = db.prepare(`${cp} WHERE size BETWEEN ? AND ? ORDER BY size LIMIT ?`);
    this.node = db.prepare('SELECT hash FROM nodes WHERE level = ? AND idx = ?');
    this.nodeRange = db.prepare('SELECT idx, hash FROM nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx');
    this.leaves = db.prepare('SELECT idx, leaf_hash, entry, integrated_at FROM leaves WHERE idx >= ? AND idx < ? ORDER BY idx');
    this.leafByHash = db.prepare('SELECT idx FROM leaves WHERE leaf_hash = ?');
    this.blob = db.prepare('SELECT media_type, data FROM blobs WHERE digest = ?');
    this.claimSetting = db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
    this.setting = db.prepare('SELECT value FROM settings WHERE name = ?');
    this.ping = db.prepare('SELECT 1 AS ok');
  }

  search(count: number): Database.Statement {
    let statement = this.searches.get(count);
    if (statement === undefined) {
      statement = this.db.prepare(searchSql(count));
      this.searches.set(count, statement);
    }
    return statement;
  }
}
