// Inclusion and consistency proof latency on a log of --size entries (default 1,000,000), SQLite.
// The log is filled through the real sequencer and store with small raw entries (proof cost does not depend on
// what an entry holds, and signing a million proposals would measure something else), then random proofs are
// taken through TransparencyLog and each is checked with src/merkle against the signed root.
// Baseline: one indexed point read of a leaf row from the same database file, the least any proof must do.
// Usage: node --import tsx bench/log-proofs.ts [--size 1000000] [--samples 20000]
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJsonBytes } from '../src/core/json.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../src/merkle/index.js';
import type { EntryPreparer } from '../src/log/entries/prepared.js';
import { SQLITE_FILE } from '../src/store/sqlite/sqlite-log-store.js';
import { openBenchLog } from './log-workload.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const size = option('--size', 1_000_000);
const samples = option('--samples', 20_000);

// Raw entries for filling only: canonical JSON wrapping a counter, no signature to check.
const rawPreparer: EntryPreparer = (proposal) => Promise.resolve({ entry: canonicalJsonBytes(proposal), terms: [], blobs: [] });

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(name: string, micros: number[], base?: number): string {
  const sorted = Float64Array.from(micros).sort();
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const ratio = base === undefined ? '' : `${(p99 / base).toFixed(1)}x`;
  return `| ${name} | ${micros.length} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${(sorted[sorted.length - 1] ?? NaN).toFixed(1)} | ${ratio} |`;
}

const bench = await openBenchLog('sqlite', 4096, rawPreparer);
const dataDir = bench.dataDir;
try {
  const fillStarted = process.hrtime.bigint();
  const chunk = 16_384;
  for (let i = 0; i < size; i += chunk) {
    const pending: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(size, i + chunk); j++) pending.push(bench.log.append({ bench: 'proof-latency', n: j }));
    await Promise.all(pending);
  }
  const fillSeconds = Number(process.hrtime.bigint() - fillStarted) / 1e9;
  const info = await bench.log.info();
  console.error(`filled ${info.size} entries in ${fillSeconds.toFixed(1)} s (${Math.round(size / fillSeconds)}/s, unverified raw entries)`);
  const root = Buffer.from(info.rootHash, 'hex');
  const n = info.size;
  const rand = (below: bigint): bigint => BigInt(Math.floor(Math.random() * Number(below)));

  const inclusion: number[] = [];
  for (let s = 0; s < samples; s++) {
    const index = rand(n);
    const t0 = process.hrtime.bigint();
    const proof = await bench.log.inclusionProof(index, n);
    inclusion.push(Number(process.hrtime.bigint() - t0) / 1e3);
    const entry = canonicalJsonBytes({ bench: 'proof-latency', n: Number(index) });
    verifyInclusion(leafHash(entry), index, n, proof.hashes.map((h) => Buffer.from(h, 'hex')), root);
  }

  const consistency: number[] = [];
  for (let s = 0; s < samples; s++) {
    const from = 1n + rand(n - 1n);
    const t0 = process.hrtime.bigint();
    await bench.log.consistencyProof(from, n);
    consistency.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  // Proofs from every size the log signed a checkpoint at verify against that checkpoint's root.
  for (const old of await bench.store.checkpoints(1n, n, 1000)) {
    const proof = await bench.log.consistencyProof(old.size, n);
    verifyConsistency(old.size, n, proof.hashes.map((h) => Buffer.from(h, 'hex')), old.rootHash, root);
  }

  const db = new Database(join(dataDir, SQLITE_FILE), { readonly: true });
  const read = db.prepare('SELECT entry FROM leaves WHERE idx = ?');
  const baseline: number[] = [];
  for (let s = 0; s < samples; s++) {
    const index = rand(n);
    const t0 = process.hrtime.bigint();
    read.get(index);
    baseline.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  db.close();
  const baseP99 = percentile(Float64Array.from(baseline).sort(), 99);

  console.log(`log of ${n} entries; latencies in microseconds; ratio = p99 / baseline p99`);
  console.log('| operation | samples | p50 µs | p99 µs | max µs | p99 vs baseline |');
  console.log('|---|---:|---:|---:|---:|---:|');
  console.log(summary('baseline: one leaf row by index (SQLite)', baseline));
  console.log(summary('inclusion proof (TransparencyLog)', inclusion, baseP99));
  console.log(summary('consistency proof to the latest size', consistency, baseP99));

} finally {
  await bench.cleanup();
}
