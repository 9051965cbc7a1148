// Group commit of the decision log on a real SQLite store: decisions recorded in the same turn share a transaction,
// batches keep to their count and byte bounds, a decision the store would refuse is refused alone, and a failed
// commit fails only its own batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenantError } from '../../../src/core/errors.js';
import { DecisionWriter } from '../../../src/policy/runtime/decision-writer.js';
import { openLogStore } from '../../../src/store/open-log-store.js';
import type { DecisionStore, NewDecision, ProvenantStore } from '../../../src/store/policy-ports.js';
import { testDecision } from '../../store/policy-store-under-test.js';
import { isCode } from '../../store/store-under-test.js';

async function withStore(fn: (store: ProvenantStore) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-decision-writer-'));
  const store = await openLogStore({ dataDir: dir });
  try {
    await fn(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The store with the size of every batch it was asked to write noted. */
function noting(store: DecisionStore, batches: number[]): Pick<DecisionStore, 'recordDecisions'> {
  return {
    recordDecisions: (decisions: readonly NewDecision[]) => {
      batches.push(decisions.length);
      return store.recordDecisions(decisions);
    },
  };
}

test('decisions recorded in one turn share one transaction; a refused one fails alone', async () => {
  await withStore(async (store) => {
    const batches: number[] = [];
    const commits: number[] = [];
    const writer = new DecisionWriter(noting(store, batches), {}, (n) => commits.push(n));
    const good = Array.from({ length: 50 }, (_, i) => writer.record(testDecision({ tag: `img-${i}` })));
    const bad = writer.record(testDecision({ tag: 'bad', reference: '' }));
    await assert.rejects(bad, isCode('STORE_VALUE_INVALID'));
    const ids = await Promise.all(good);
    assert.deepEqual(batches, [50]);
    assert.deepEqual(commits, [50]);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!);
    assert.equal((await store.decision(ids[7]!))?.reference, 'registry.example/img-7:1.0');
    assert.deepEqual(writer.stats(), { decisions: 50, batches: 1 });
  });
});

test('batches keep to their count and byte bounds; a single larger decision goes alone', async () => {
  await withStore(async (store) => {
    const batches: number[] = [];
    const writer = new DecisionWriter(noting(store, batches), { maxBatch: 8, maxBytes: 10_000 });
    const small = Array.from({ length: 20 }, (_, i) => writer.record(testDecision({ tag: `s-${i}` })));
    const big = writer.record(testDecision({ tag: 'big', decision: Buffer.alloc(50_000, 0x20) }));
    const more = Array.from({ length: 3 }, (_, i) => writer.record(testDecision({ tag: `m-${i}`, decision: Buffer.alloc(4_000, 0x20) })));
    await Promise.all([...small, big, ...more]);
    // 20 small ones by eight; the big one on its own (it exceeds the byte bound); two 4,000-byte ones fit in 10,000.
    assert.deepEqual(batches, [8, 8, 4, 1, 2, 1]);
    assert.equal((await store.decision(await big))?.decision.length, 50_000);
    await writer.drain();
  });
});

test('a failed commit fails its own batch only (stand-in store that fails once)', async () => {
  await withStore(async (store) => {
    let failNext = true;
    const failingOnce: Pick<DecisionStore, 'recordDecisions'> = {
      recordDecisions: (decisions) => {
        if (failNext) {
          failNext = false;
          return Promise.reject(new ProvenantError('STORE_UNAVAILABLE', 'the database stayed locked'));
        }
        return store.recordDecisions(decisions);
      },
    };
    const writer = new DecisionWriter(failingOnce, { maxBatch: 2 });
    const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => writer.record(testDecision({ tag: `f-${i}` }))));
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    assert.ok(isCode('STORE_UNAVAILABLE')((results[0] as PromiseRejectedResult).reason));
    const later = await writer.record(testDecision({ tag: 'later' }));
    assert.equal((await store.decision(later))?.reference, 'registry.example/later:1.0');
  });
});
