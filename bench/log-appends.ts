// Durable appends per second, SQLite and PostgreSQL, at 1, 64 and 1,024-entry batches:
//   direct, verified      TransparencyLog.append of signed proposals (strict parse + ECDSA check + sequencing)
//   direct, pool        the same with verification on worker threads (all cores but one)
//   direct, sequencing    the same entries verified beforehand: sequencer, checkpoint signing, durable commit
//   service               (verification pool) POST /api/v1/log/entries over HTTP with a write token, keep-alive clients
//   baseline              the same entry bytes inserted with the database driver alone, one durable transaction
//                         per batch (SQLite WAL + synchronous=FULL; PostgreSQL with fsync on)
// Every rate is "acknowledged entries / wall seconds"; an acknowledgement means the batch and its checkpoint are
// committed. Usage: node --import tsx bench/log-appends.ts [--postgres] [--scale 1]
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { JsonObject } from '../src/core/json.js';
import { prepareEntry } from '../src/log/entries/index.js';
import { PreparePool, defaultPrepareThreads } from '../src/log/prepare-pool.js';
import { startServer } from '../src/server/lifecycle.js';
import { TokenStore, createToken } from '../src/server/tokens.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { openBenchLog, preverified, signatureProposals, timed, type Backend } from './log-workload.js';

const args = process.argv.slice(2);
const scale = Number(args[args.indexOf('--scale') + 1] ?? 1) || 1;
const withPostgres = args.includes('--postgres');
const BATCHES = [1, 64, 1024] as const;
// At least one worker, so the pool is measured even on a single core (where serve verifies in-process).
const THREADS = Math.max(1, defaultPrepareThreads());
const WARM_UP = 200;
const count = (batch: number): number => Math.round((batch === 1 ? 300 : batch === 64 ? 6_000 : 30_000) * scale);

interface Row {
  backend: string;
  batch: number;
  mode: string;
  entries: number;
  perSecond: number;
}
const rows: Row[] = [];

function report(backend: string, batch: number, mode: string, entries: number, seconds: number): void {
  const row = { backend, batch, mode, entries, perSecond: entries / seconds };
  rows.push(row);
  console.error(`${backend} batch=${batch} ${mode}: ${entries} in ${seconds.toFixed(2)} s = ${Math.round(row.perSecond)}/s`);
}

async function direct(backend: Backend, batch: number, mode: 'verified' | 'verified, pool' | 'sequencing'): Promise<void> {
  const proposals = await signatureProposals(count(batch), `${mode}-${batch}-${Date.now()}`);
  const pool = mode === 'verified, pool' ? PreparePool.create(THREADS) : undefined;
  // Workers load and compile their modules on first use; that start-up is not an append cost.
  if (pool !== undefined) await Promise.all((await signatureProposals(THREADS * 4, `warm-${Date.now()}`)).map((p) => pool.prepare(p)));
  const prepare = mode === 'sequencing' ? await preverified(proposals) : (pool?.prepare ?? prepareEntry);
  const bench = await openBenchLog(backend, batch, prepare);
  try {
    const seconds = await timed(proposals, batch, (p) => bench.log.append(p));
    report(backend, batch, `direct, ${mode === 'verified, pool' ? `verified on ${THREADS} worker thread(s)` : mode}`, proposals.length, seconds);
  } finally {
    await bench.cleanup();
    await pool?.close();
  }
}

async function service(backend: Backend, batch: number): Promise<void> {
  const proposals = await signatureProposals(count(batch) + WARM_UP, `service-${batch}-${Date.now()}`);
  const all = proposals.map((p) => JSON.stringify(p));
  const warmUp = all.slice(0, WARM_UP);
  const bodies = all.slice(WARM_UP);
  const pool = PreparePool.create(THREADS);
  const bench = await openBenchLog(backend, batch, pool.prepare);
  const dir = mkdtempSync(join(tmpdir(), 'provenant-bench-tokens-'));
  const tokenFile = join(dir, 'tokens.json');
  const token = await createToken(tokenFile, 'bench', ['write']);
  const server = await startServer({
    log: bench.log,
    tokens: await TokenStore.open(tokenFile),
    readAuth: 'open',
    logger: false,
    port: 0,
    handleSignals: false,
  });
  try {
    const post = poster(`${server.url}/api/v1/log/entries`, token, batch);
    await Promise.all(warmUp.map((body) => post(body)));
    const seconds = await timed(bodies, batch, post);
    report(backend, batch, 'service (HTTP)', bodies.length, seconds);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    await bench.cleanup();
    await pool.close();
  }
}

// Keep-alive HTTP/1.1 clients, one socket per request in flight, as a fleet of CI jobs would open.
function poster(url: string, token: string, sockets: number): (body: string) => Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return (body) =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`append answered ${res.statusCode}: ${Buffer.concat(chunks).toString()}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
}

async function entryBytes(batch: number): Promise<Buffer[]> {
  const proposals = await signatureProposals(count(batch), `baseline-${batch}-${Date.now()}`);
  return Promise.all(proposals.map(async (p: JsonObject) => (await prepareEntry(p)).entry));
}

async function sqliteBaseline(batch: number): Promise<void> {
  const entries = await entryBytes(batch);
  const dir = mkdtempSync(join(tmpdir(), 'provenant-bench-raw-'));
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE leaves (idx INTEGER PRIMARY KEY, entry BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO leaves (idx, entry) VALUES (?, ?)');
  const write = db.transaction((rowsOfBatch: Buffer[], from: number) => rowsOfBatch.forEach((e, i) => insert.run(from + i, e)));
  const started = process.hrtime.bigint();
  for (let i = 0; i < entries.length; i += batch) {
    write(entries.slice(i, i + batch), i);
    await new Promise((r) => setImmediate(r));
  }
  report('sqlite', batch, 'baseline (driver only)', entries.length, Number(process.hrtime.bigint() - started) / 1e9);
  db.close();
  rmSync(dir, { recursive: true, force: true });
}

async function postgresBaseline(batch: number): Promise<void> {
  const entries = await entryBytes(batch);
  const cluster = await startPostgres({ durable: true });
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  await client.query('CREATE TABLE raw_leaves (idx BIGINT PRIMARY KEY, entry BYTEA NOT NULL)');
  const started = process.hrtime.bigint();
  for (let i = 0; i < entries.length; i += batch) {
    const chunk = entries.slice(i, i + batch);
    await client.query('INSERT INTO raw_leaves SELECT * FROM unnest($1::bigint[], $2::bytea[])', [chunk.map((_, j) => String(i + j)), chunk]);
  }
  report('postgres', batch, 'baseline (driver only)', entries.length, Number(process.hrtime.bigint() - started) / 1e9);
  await client.end();
  await cluster.stop();
}

async function suite(backend: Backend): Promise<void> {
  for (const batch of BATCHES) {
    if (backend === 'sqlite') await sqliteBaseline(batch);
    else await postgresBaseline(batch);
    await direct(backend, batch, 'sequencing');
    await direct(backend, batch, 'verified');
    await direct(backend, batch, 'verified, pool');
    await service(backend, batch);
  }
}

await suite('sqlite');
if (withPostgres) await suite('postgres');

console.log('| backend | batch | mode | entries | appends/s | vs baseline |');
console.log('|---|---:|---|---:|---:|---:|');
for (const r of rows) {
  const base = rows.find((b) => b.backend === r.backend && b.batch === r.batch && b.mode.startsWith('baseline'));
  const ratio = base === undefined ? '' : `${(r.perSecond / base.perSecond).toFixed(2)}x`;
  console.log(`| ${r.backend} | ${r.batch} | ${r.mode} | ${r.entries} | ${Math.round(r.perSecond).toLocaleString('en')} | ${ratio} |`);
}
