// The workload of the log benchmarks: real, signed `signature` proposals (cosign simple-signing payloads for
// distinct digests, ECDSA P-256 as cosign signs by default), and the logs and stores they are appended to.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '../src/core/digest.js';
import type { JsonObject } from '../src/core/json.js';
import { SigningKey } from '../src/crypto/index.js';
import { noteSignerFromKey } from '../src/formats/signed-note.js';
import { buildSimpleSigningPayload } from '../src/formats/simple-signing.js';
import { prepareEntry, proposeSignature } from '../src/log/entries/index.js';
import type { EntryPreparer, PreparedEntry } from '../src/log/entries/prepared.js';
import { TransparencyLog } from '../src/log/transparency-log.js';
import { openLogStore } from '../src/store/open-log-store.js';
import type { LogStore } from '../src/store/ports.js';
import { startPostgres } from '../test/helpers/postgres.js';

export const ORIGIN = 'bench.provenant.local/log';

/** `count` distinct signature proposals; `seed` keeps runs of one process from colliding. */
export async function signatureProposals(count: number, seed: string): Promise<JsonObject[]> {
  const key = SigningKey.generate('ecdsa-p256');
  const pem = key.publicKeyPem();
  const out: JsonObject[] = [];
  for (let i = 0; i < count; i++) {
    const payload = buildSimpleSigningPayload({
      dockerReference: 'registry.bench.example/team/app',
      digest: sha256Digest(`${seed}/${i}`),
      optional: null,
    });
    out.push(proposeSignature(payload, await key.sign(payload), pem));
  }
  return out;
}

/**
 * Verifies every proposal up front with the real prepareEntry, and returns a preparer that hands back those
 * verified entries: it measures sequencing and durable storage without the cost of signature checks.
 */
export async function preverified(proposals: readonly JsonObject[]): Promise<EntryPreparer> {
  const prepared = new Map<JsonObject, PreparedEntry>();
  for (const p of proposals) prepared.set(p, await prepareEntry(p));
  return (proposal) => {
    const entry = prepared.get(proposal as JsonObject);
    return entry === undefined ? prepareEntry(proposal) : Promise.resolve(entry);
  };
}

export interface BenchLog {
  readonly log: TransparencyLog;
  readonly store: LogStore;
  /** The SQLite data directory (unused for PostgreSQL). */
  readonly dataDir: string;
  cleanup(): Promise<void>;
}

export type Backend = 'sqlite' | 'postgres';

export async function openBenchLog(backend: Backend, maxBatch: number, prepare: EntryPreparer = prepareEntry): Promise<BenchLog> {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-bench-log-'));
  // A fresh database per log: a store is bound to one origin and key. fsync stays on (durable appends).
  const cluster = backend === 'postgres' ? await startPostgres({ durable: true }) : undefined;
  const store = await openLogStore(cluster === undefined ? { dataDir: dir } : { databaseUrl: cluster.url });
  const signer = noteSignerFromKey(ORIGIN, SigningKey.generate('ed25519'));
  const log = await TransparencyLog.open({ store, origin: ORIGIN, signer, prepare, maxBatch });
  return {
    log,
    store,
    dataDir: dir,
    cleanup: async () => {
      await log.close();
      await cluster?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `work` with at most `concurrency` promises in flight; returns the wall seconds. */
export async function timed<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return Number(process.hrtime.bigint() - started) / 1e9;
}
