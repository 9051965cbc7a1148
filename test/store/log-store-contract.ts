// The behaviour every LogStore adapter must show, run against each backend by its own test file. Batches are real
// RFC 6962 trees (tree-batches.ts), so what is stored and read back is what the log domain will use.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProvenantError } from '../../src/core/errors.js';
import { emptyRoot, frontierIds, leafHash, nodeKey, rootFromFrontier } from '../../src/merkle/index.js';
import type { LogStore } from '../../src/store/ports.js';
import { describeLogStoreEdges } from './log-store-contract-edges.js';
import { isCode, type StoreUnderTest } from './store-under-test.js';
import { TreeBuilder, entryBytes, ids, nodesOf, testBlob, testEntry } from './tree-batches.js';

export type { SeedRows, StoreUnderTest } from './store-under-test.js';

export function describeLogStoreContract(backend: string, open: () => Promise<StoreUnderTest>): void {
  describe(`LogStore contract (${backend})`, () => {
    let h: StoreUnderTest;
    let store: LogStore;
    const others: LogStore[] = [];
    const another = async (): Promise<LogStore> => {
      const s = await h.reopen();
      others.push(s);
      return s;
    };

    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(async () => {
      for (const s of [store, ...others.splice(0)]) await s.close();
      await h.cleanup();
    });

    it('an empty store has no checkpoint, no leaves, no nodes and finds nothing', async () => {
      assert.equal(store.backend, backend);
      assert.equal(await store.ping(), true);
      assert.equal(await store.latestCheckpoint(), null);
      assert.equal(await store.checkpointAt(0n), null);
      assert.deepEqual(await store.checkpoints(0n, 100n, 10), []);
      assert.deepEqual(await store.nodeHashes([{ level: 0, index: 0n }, { level: 3, index: 1n }]), [undefined, undefined]);
      assert.deepEqual(await store.nodeHashes([]), []);
      assert.deepEqual(await store.nodeRange(0, 0n, 256n), []);
      assert.deepEqual(await store.leaves(0n, 10n), []);
      assert.equal((await store.findLeaves([leafHash(entryBytes('x', 0))])).size, 0);
      assert.deepEqual(await store.search({ terms: [{ name: 'kind', value: 'attestation' }], limit: 10 }), []);
      assert.equal(await store.blob(testBlob('none').digest), null);
    });

    it('an empty batch gives the empty log its checkpoint at size 0, once', async () => {
      const { batch, next } = TreeBuilder.empty().batch([]);
      await store.integrate(batch);
      const head = await store.latestCheckpoint();
      assert.equal(head?.size, 0n);
      assert.deepEqual(head?.rootHash, emptyRoot());
      assert.deepEqual(await store.checkpoints(0n, 0n, 5), [batch.checkpoint]);
      assert.deepEqual(await store.leaves(0n, 1n), []);
      await assert.rejects(store.integrate(TreeBuilder.empty().batch([]).batch), isCode('LOG_SEQUENCE_CONFLICT'));
      await store.integrate(next.batch([testEntry('a', 0)]).batch);
      assert.equal((await store.latestCheckpoint())?.size, 1n);
    });

    it('reads back leaves, nodes and checkpoints of integrated batches', async () => {
      const first = TreeBuilder.empty().batch(Array.from({ length: 5 }, (_, i) => testEntry('r', i)), 1_000);
      const second = first.next.batch(Array.from({ length: 6 }, (_, i) => testEntry('r', 5 + i)), 2_000);
      await store.integrate(first.batch);
      await store.integrate(second.batch);

      const all = [...first.batch.leaves, ...second.batch.leaves];
      const leaves = await store.leaves(0n, 11n);
      assert.deepEqual(leaves, all.map((l, i) => ({ index: BigInt(i), leafHash: l.leafHash, entry: l.entry, integratedAt: i < 5 ? 1_000 : 2_000 })));
      assert.deepEqual((await store.leaves(3n, 7n)).map((l) => l.index), [3n, 4n, 5n, 6n]);
      assert.deepEqual((await store.leaves(9n, 100n)).map((l) => l.index), [9n, 10n]);
      assert.deepEqual(await store.leaves(11n, 20n), []);
      assert.deepEqual(await store.leaves(4n, 4n), []);

      const nodes = nodesOf([first.batch, second.batch]);
      assert.equal(nodes.size, 2 * 11 - 3);
      const missing = [{ level: 0, index: 11n }, { level: 2, index: 3n }, { level: 3, index: 1n }, { level: 4, index: 0n }];
      const asked = [...missing.slice(0, 2), ...[...nodes.values()].reverse(), ...missing.slice(2)];
      const got = await store.nodeHashes(ids(asked));
      asked.forEach((id, i) => assert.deepEqual(got[i], nodes.get(nodeKey(id))?.hash, nodeKey(id)));
      for (let level = 0; level <= 4; level++) {
        const expected = [...nodes.values()].filter((n) => n.level === level).sort((a, b) => (a.index < b.index ? -1 : 1));
        assert.equal(expected.length, 11 >> level);
        assert.deepEqual(await store.nodeRange(level, 0n, 1000n), expected.map((n) => n.hash), `level ${level}`);
      }
      assert.deepEqual(await store.nodeRange(0, 3n, 6n), [3n, 4n, 5n].map((i) => nodes.get(`0/${i}`)?.hash));
      assert.deepEqual(await store.nodeRange(1, 4n, 10n), [nodes.get('1/4')?.hash]);
      assert.deepEqual(await store.nodeRange(2, 3n, 9n), []);

      for (const { batch } of [first, second]) {
        const size = batch.checkpoint.size;
        const frontier = (await store.nodeHashes(frontierIds(size))) as Buffer[];
        assert.deepEqual(rootFromFrontier(size, frontier), batch.checkpoint.rootHash);
      }
      const found = await store.findLeaves([all[0]!.leafHash, all[7]!.leafHash, leafHash(entryBytes('r', 99))]);
      assert.deepEqual(found, new Map([[all[0]!.leafHash.toString('hex'), 0n], [all[7]!.leafHash.toString('hex'), 7n]]));

      assert.deepEqual(await store.latestCheckpoint(), second.batch.checkpoint);
      assert.deepEqual(await store.checkpointAt(5n), first.batch.checkpoint);
      assert.equal(await store.checkpointAt(6n), null);
      assert.deepEqual(await store.checkpoints(0n, 100n, 10), [first.batch.checkpoint, second.batch.checkpoint]);
      assert.deepEqual(await store.checkpoints(6n, 11n, 10), [second.batch.checkpoint]);
      assert.deepEqual(await store.checkpoints(0n, 100n, 1), [first.batch.checkpoint]);
      assert.deepEqual(await store.checkpoints(12n, 100n, 10), []);
    });

    it('refuses a batch built on another size and writes nothing of it', async () => {
      const first = TreeBuilder.empty().batch([testEntry('s', 0), testEntry('s', 1), testEntry('s', 2)]);
      await store.integrate(first.batch);
      const blob = testBlob('stale');
      const stale = TreeBuilder.empty().batch([testEntry('s', 0), testEntry('s', 1)]).next.batch([
        testEntry('s', 10, [{ name: 'kind', value: 'stale' }], [blob]),
      ]);
      await assert.rejects(store.integrate(stale.batch), isCode('LOG_SEQUENCE_CONFLICT'));
      const ahead = first.next.batch([testEntry('s', 3)]).next.batch([testEntry('s', 11, [{ name: 'kind', value: 'stale' }])]);
      await assert.rejects(store.integrate(ahead.batch), isCode('LOG_SEQUENCE_CONFLICT'));
      await assert.rejects(store.integrate(first.next.batch([]).batch), isCode('LOG_SEQUENCE_CONFLICT'));

      assert.deepEqual(await store.latestCheckpoint(), first.batch.checkpoint);
      assert.deepEqual(await store.leaves(3n, 10n), []);
      assert.equal((await store.findLeaves([leafHash(entryBytes('s', 10)), leafHash(entryBytes('s', 11))])).size, 0);
      assert.deepEqual(await store.nodeHashes([{ level: 0, index: 3n }, { level: 2, index: 0n }]), [undefined, undefined]);
      assert.deepEqual(await store.search({ terms: [{ name: 'kind', value: 'stale' }], limit: 10 }), []);
      assert.equal(await store.blob(blob.digest), null);
      await store.integrate(first.next.batch([testEntry('s', 3)]).batch);
      assert.equal((await store.latestCheckpoint())?.size, 4n);
    });

    it('refuses a leaf hash that is already stored, or twice in a batch, and writes nothing of that batch', async () => {
      const first = TreeBuilder.empty().batch([testEntry('d', 0), testEntry('d', 1), testEntry('d', 2)]);
      await store.integrate(first.batch);
      const blob = testBlob('dup');
      const fresh = [testEntry('d', 3, [{ name: 'kind', value: 'dup' }], [blob]), testEntry('d', 4)];
      const dup = first.next.batch([fresh[0]!, testEntry('d', 1), fresh[1]!]);
      await assert.rejects(store.integrate(dup.batch), (e: unknown) => {
        assert.ok(isCode('LOG_DUPLICATE_LEAF')(e));
        assert.equal((e as ProvenantError).details?.index, '1');
        return true;
      });
      const twice = first.next.batch([fresh[1]!, fresh[1]!]);
      await assert.rejects(store.integrate(twice.batch), isCode('LOG_DUPLICATE_LEAF'));

      assert.deepEqual(await store.latestCheckpoint(), first.batch.checkpoint);
      assert.equal((await store.findLeaves(fresh.map((e) => leafHash(e.entry)))).size, 0);
      assert.deepEqual(await store.leaves(3n, 10n), []);
      assert.deepEqual(await store.nodeHashes(ids(dup.batch.nodes)), dup.batch.nodes.map(() => undefined));
      assert.deepEqual(await store.search({ terms: [{ name: 'kind', value: 'dup' }], limit: 10 }), []);
      assert.equal(await store.blob(blob.digest), null);
      // Nothing is left locked or half-open: the batch without the twin goes through.
      await store.integrate(first.next.batch(fresh).batch);
      assert.deepEqual(await store.search({ terms: [{ name: 'kind', value: 'dup' }], limit: 10 }), [3n]);
      assert.deepEqual(await store.blob(blob.digest), blob);
    });

    describeLogStoreEdges(() => ({ h, store, another }));
  });
}
