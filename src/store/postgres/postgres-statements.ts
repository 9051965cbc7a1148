// The SQL of the PostgreSQL store's writes and searches. A batch is written with one statement per table: the
// rows travel as parallel arrays and unnest() turns them back into rows server-side, so a 1,024-leaf batch is a
// handful of round trips instead of thousands. Integers travel as decimal strings so none passes a double.
import type pg from 'pg';
import type { BatchRows } from '../batch-rows.js';

/**
 * SQL for an AND of `count` index terms: a scan of the (name, value, idx) key for the first term and a key
 * lookup per further term. Parameters: name and value of each term in order, then `after`, then `limit`.
 */
export function searchSql(count: number): string {
  const tables = Array.from({ length: count }, (_, i) => `index_terms t${i}`).join(', ');
  const terms = Array.from(
    { length: count },
    (_, i) => `t${i}.name = $${2 * i + 1} AND t${i}.value = $${2 * i + 2}${i === 0 ? '' : ` AND t${i}.idx = t0.idx`}`,
  );
  return `SELECT t0.idx AS idx FROM ${tables} WHERE ${terms.join(' AND ')} AND t0.idx > $${2 * count + 1}::bigint
    ORDER BY t0.idx LIMIT $${2 * count + 2}`;
}

/** Inserts every row of the batch inside the caller's transaction. */
export async function insertBatch(client: pg.PoolClient, rows: BatchRows): Promise<void> {
  if (rows.leaves.length > 0) {
    await client.query(
      `INSERT INTO leaves (idx, leaf_hash, entry, integrated_at)
        SELECT t.idx, t.leaf_hash, t.entry, $4::bigint FROM unnest($1::bigint[], $2::bytea[], $3::bytea[]) AS t(idx, leaf_hash, entry)`,
      [rows.leaves.map((l) => l.index.toString()), rows.leaves.map((l) => l.leafHash), rows.leaves.map((l) => l.entry), String(rows.integratedAt)],
    );
  }
  if (rows.nodes.length > 0) {
    await client.query('INSERT INTO nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])', [
      rows.nodes.map((n) => n.level),
      rows.nodes.map((n) => n.index.toString()),
      rows.nodes.map((n) => n.hash),
    ]);
  }
  if (rows.terms.length > 0) {
    await client.query('INSERT INTO index_terms (name, value, idx) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])', [
      rows.terms.map((t) => t.name),
      rows.terms.map((t) => t.value),
      rows.terms.map((t) => t.index.toString()),
    ]);
  }
  if (rows.blobs.length > 0) {
    await client.query(
      `INSERT INTO blobs (digest, media_type, data) SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
        ON CONFLICT (digest) DO NOTHING`,
      [rows.blobs.map((b) => b.digest), rows.blobs.map((b) => b.mediaType), rows.blobs.map((b) => b.data)],
    );
  }
  const cp = rows.checkpoint;
  await client.query('INSERT INTO checkpoints (size, root_hash, note, issued_at) VALUES ($1::bigint, $2, $3, $4::bigint)', [
    cp.size.toString(),
    cp.rootHash,
    cp.note,
    String(cp.issuedAt),
  ]);
}
