// The second half of the LogStore contract: search, blobs, settings, reopening, two writers at once, huge
// indices and a closed store. Called from describeLogStoreContract inside its describe block.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { frontierIds, leafHash, rootFromFrontier } from '../../src/merkle/index.js';
import type { IndexTerm, LogStore } from '../../src/store/ports.js';
import { INDEX_TERM_NAMES } from '../../src/store/stored-values.js';
import { isCode, type StoreUnderTest } from './store-under-test.js';
import { TreeBuilder, entryBytes, ids, testBlob, testEntry, testNote } from './tree-batches.js';

interface Context {
  readonly h: StoreUnderTest;
  readonly store: LogStore;
  readonly another: () => Promise<LogStore>;
}

const kind = (value: string): IndexTerm => ({ name: 'kind', value });
const subject = (value: string): IndexTerm => ({ name: 'subject', value });

export function describeLogStoreEdges(ctx: () => Context): void {
  it('searches by one term and by several (AND), in index order, paged with after and limit', async () => {
    const { store } = ctx();
    const first = TreeBuilder.empty().batch([
      testEntry('q', 0, [kind('attestation'), subject('A')]),
      testEntry('q', 1, [kind('attestation'), subject('B')]),
      testEntry('q', 2, [kind('revocation'), subject('A'), { name: 'target', value: 'sha256:t' }]),
      testEntry('q', 3, [kind('attestation'), subject('A'), { name: 'signer', value: 'K' }]),
      testEntry('q', 4, [kind('attestation'), subject('A'), subject('A')]),
      testEntry('q', 5, [kind('lineage'), { name: 'line', value: 'p/n' }]),
    ]);
    await store.integrate(first.batch);
    await store.integrate(first.next.batch([testEntry('q', 6, [subject('A'), kind('attestation')])]).batch);
    const search = (terms: IndexTerm[], limit = 100, after?: bigint) => store.search({ terms, limit, after });

    assert.deepEqual(await search([kind('attestation')]), [0n, 1n, 3n, 4n, 6n]);
    assert.deepEqual(await search([kind('attestation'), subject('A')]), [0n, 3n, 4n, 6n]);
    assert.deepEqual(await search([subject('A'), kind('attestation'), { name: 'signer', value: 'K' }]), [3n]);
    assert.deepEqual(await search([subject('A'), subject('B')]), []);
    assert.deepEqual(await search([subject('A'), subject('A')]), [0n, 2n, 3n, 4n, 6n]);
    assert.deepEqual(await search([kind('nothing')]), []);
    assert.deepEqual(await search([{ name: 'line', value: 'p/n' }]), [5n]);
    assert.deepEqual(await search([kind('attestation'), subject('A')], 2), [0n, 3n]);
    assert.deepEqual(await search([kind('attestation'), subject('A')], 2, 3n), [4n, 6n]);
    assert.deepEqual(await search([kind('attestation'), subject('A')], 2, 6n), []);
    assert.deepEqual(await search([kind('attestation')], 0), []);
    assert.deepEqual(await search([subject('nul\u0000')]), []);
    await assert.rejects(search([]), isCode('USAGE'));
  });

  it('stores and finds a term of every index term name, the entry digest term included', async () => {
    const { store } = ctx();
    const names = [...INDEX_TERM_NAMES];
    assert.ok(names.includes('entry'));
    const terms = names.map((name): IndexTerm => ({ name, value: `${name} value` }));
    const { batch } = TreeBuilder.empty().batch([testEntry('n', 0), testEntry('n', 1, terms)]);
    await store.integrate(batch);
    for (const term of terms) assert.deepEqual(await store.search({ terms: [term], limit: 5 }), [1n], term.name);
    assert.deepEqual(await store.search({ terms, limit: 5 }), [1n]);
  });

  it('keeps blobs by digest; the same blob named twice or in two batches is stored once', async () => {
    const { store } = ctx();
    const shared = testBlob('{"envelope":1}');
    const other = testBlob('{"envelope":2}');
    const first = TreeBuilder.empty().batch([testEntry('b', 0, [], [shared]), testEntry('b', 1, [], [shared, shared])]);
    await store.integrate(first.batch);
    await store.integrate(first.next.batch([testEntry('b', 2, [], [other, shared])]).batch);
    assert.deepEqual(await store.blob(shared.digest), shared);
    assert.deepEqual(await store.blob(other.digest), other);
    assert.equal(await store.blob(testBlob('absent').digest), null);
  });

  it('claims settings first-wins, across store instances and reopening', async () => {
    const { h, store, another } = ctx();
    assert.equal(await store.claimSetting('origin', 'a.example/log'), 'a.example/log');
    assert.equal(await store.claimSetting('origin', 'b.example/log'), 'a.example/log');
    const second = await another();
    assert.equal(await second.claimSetting('origin', 'c.example/log'), 'a.example/log');
    assert.equal(await second.claimSetting('verifierKey', 'k1'), 'k1');
    assert.equal(await store.claimSetting('verifierKey', 'k2'), 'k1');
    await assert.rejects(store.claimSetting('schema_version', '99'), isCode('USAGE'));
    await store.close();
    const third = await h.reopen();
    try {
      assert.equal(await third.claimSetting('origin', 'd.example/log'), 'a.example/log');
    } finally {
      await third.close();
    }
  });

  it('keeps everything across close and reopen, then goes on appending', async () => {
    const { h, store } = ctx();
    const blob = testBlob('kept');
    const first = TreeBuilder.empty().batch([testEntry('p', 0, [kind('kept')], [blob]), testEntry('p', 1)], 5_000);
    await store.integrate(first.batch);
    await store.claimSetting('origin', 'kept.example/log');
    await store.close();
    assert.equal(await store.ping(), false);
    const reopened = await h.reopen();
    try {
      assert.equal(await reopened.ping(), true);
      assert.deepEqual(await reopened.latestCheckpoint(), first.batch.checkpoint);
      assert.deepEqual((await reopened.leaves(0n, 2n)).map((l) => [l.leafHash, l.entry, l.integratedAt]), first.batch.leaves.map((l) => [l.leafHash, l.entry, 5_000]));
      assert.deepEqual(await reopened.nodeHashes(ids(first.batch.nodes)), first.batch.nodes.map((n) => n.hash));
      assert.deepEqual(await reopened.search({ terms: [kind('kept')], limit: 5 }), [0n]);
      assert.deepEqual(await reopened.blob(blob.digest), blob);
      assert.equal(await reopened.claimSetting('origin', 'other'), 'kept.example/log');
      await reopened.integrate(first.next.batch([testEntry('p', 2)]).batch);
      assert.equal((await reopened.latestCheckpoint())?.size, 3n);
    } finally {
      await reopened.close();
    }
  });

  it('lets exactly one of two store instances integrate on the same size; the other gets LOG_SEQUENCE_CONFLICT', async () => {
    const { store, another } = ctx();
    const second = await another();
    let tree = TreeBuilder.empty();
    for (let round = 0; round < 5; round++) {
      const a = tree.batch([testEntry(`a${round}`, 0), testEntry(`a${round}`, 1)]);
      const b = tree.batch([testEntry(`b${round}`, 0)]);
      const [ra, rb] = await Promise.allSettled([store.integrate(a.batch), second.integrate(b.batch)]);
      assert.equal([ra, rb].filter((r) => r.status === 'fulfilled').length, 1, `round ${round}`);
      const lost = ra.status === 'rejected' ? ra : rb;
      assert.ok(lost.status === 'rejected' && isCode('LOG_SEQUENCE_CONFLICT')(lost.reason), `round ${round}`);
      const won = ra.status === 'fulfilled' ? a : b;
      const loser = won === a ? b : a;
      // Both instances see the winner's batch, and nothing of the loser's.
      assert.deepEqual(await store.latestCheckpoint(), won.batch.checkpoint);
      assert.deepEqual(await second.latestCheckpoint(), won.batch.checkpoint);
      assert.equal((await second.findLeaves(loser.batch.leaves.map((l) => l.leafHash))).size, 0);
      tree = won.next;
    }
    assert.equal((await store.leaves(0n, 100n)).length, Number(tree.size));
  });

  it('stores and reads node, leaf and checkpoint indices above 2^53 exactly, up to 2^63 - 1', async () => {
    const { h, store } = ctx();
    assert.ok(h.seed, 'the backend test must provide seed() to place a log of a huge size');
    // A log of 2^62 - 1 leaves: its frontier has one node per level 0..61; one more leaf completes a node on every
    // level 0..62, with indices 2^(62 - L) - 1 (above 2^53 up to level 8).
    const size = (1n << 62n) - 1n;
    const seededLeaf = entryBytes('huge', 0);
    const frontier = frontierIds(size).map((id) => ({ ...id, hash: id.level === 0 ? leafHash(seededLeaf) : randomBytes(32) }));
    const tree = TreeBuilder.fromFrontier(size, frontier.map((n) => n.hash));
    const checkpoint = { size, rootHash: tree.root(), note: testNote(size, tree.root()), issuedAt: 1 };
    await h.seed({ leaf: { index: size - 1n, leafHash: leafHash(seededLeaf), entry: seededLeaf, integratedAt: 1 }, nodes: frontier, checkpoint });
    assert.deepEqual(await store.latestCheckpoint(), checkpoint);
    assert.deepEqual(await store.nodeHashes(ids(frontier)), frontier.map((n) => n.hash));

    const next = tree.batch([testEntry('huge', 1, [kind('huge')])]);
    assert.equal(next.batch.nodes.length, 63);
    await store.integrate(next.batch);
    assert.deepEqual(await store.nodeHashes(ids(next.batch.nodes)), next.batch.nodes.map((n) => n.hash));
    assert.deepEqual(await store.nodeRange(0, size - 1n, size + 5n), [leafHash(seededLeaf), next.batch.leaves[0]!.leafHash]);
    assert.deepEqual(await store.nodeRange(8, (1n << 54n) - 1n, 1n << 54n), [next.batch.nodes[8]!.hash]);
    assert.deepEqual((await store.leaves(size - 1n, size + 1n)).map((l) => l.index), [size - 1n, size]);
    assert.deepEqual(await store.search({ terms: [kind('huge')], after: size - 1n, limit: 5 }), [size]);
    assert.deepEqual(await store.findLeaves([next.batch.leaves[0]!.leafHash]), new Map([[next.batch.leaves[0]!.leafHash.toString('hex'), size]]));
    assert.deepEqual(await store.checkpointAt(1n << 62n), next.batch.checkpoint);
    assert.deepEqual(await store.checkpoints(size, 1n << 64n, 5), [checkpoint, next.batch.checkpoint]);
    const top = (await store.nodeHashes(frontierIds(1n << 62n))) as Buffer[];
    assert.deepEqual(rootFromFrontier(1n << 62n, top), next.batch.checkpoint.rootHash);
    // Past 2^63 - 1 nothing can be stored, so nothing is found.
    assert.deepEqual(await store.nodeHashes([{ level: 0, index: (1n << 64n) - 1n }]), [undefined]);
    assert.deepEqual(await store.leaves(1n << 63n, 1n << 64n), []);
    assert.equal(await store.checkpointAt(1n << 63n), null);
  });

  it('refuses to grow a log past 2^63 - 1 entries', async () => {
    const { h, store } = ctx();
    assert.ok(h.seed, 'the backend test must provide seed() to place a log of a huge size');
    const size = (1n << 63n) - 2n;
    const seededLeaf = entryBytes('max', 0);
    const frontier = frontierIds(size).map((id) => ({ ...id, hash: randomBytes(32) }));
    const tree = TreeBuilder.fromFrontier(size, frontier.map((n) => n.hash));
    const checkpoint = { size, rootHash: tree.root(), note: testNote(size, tree.root()), issuedAt: 1 };
    await h.seed({ leaf: { index: size - 1n, leafHash: leafHash(seededLeaf), entry: seededLeaf, integratedAt: 1 }, nodes: frontier, checkpoint });
    const last = tree.batch([testEntry('max', 1)]);
    await store.integrate(last.batch);
    assert.equal((await store.latestCheckpoint())?.size, (1n << 63n) - 1n);
    assert.deepEqual((await store.leaves(size, 1n << 64n)).map((l) => l.index), [size]);
    await assert.rejects(store.integrate(last.next.batch([testEntry('max', 2)]).batch), isCode('INPUT_TOO_LARGE'));
  });

  it('answers ping false and STORE_UNAVAILABLE once closed', async () => {
    const { store } = ctx();
    await store.integrate(TreeBuilder.empty().batch([testEntry('c', 0)]).batch);
    await store.close();
    await store.close();
    assert.equal(await store.ping(), false);
    await assert.rejects(store.latestCheckpoint(), isCode('STORE_UNAVAILABLE'));
    await assert.rejects(store.leaves(0n, 1n), isCode('STORE_UNAVAILABLE'));
    await assert.rejects(store.integrate(TreeBuilder.empty().batch([testEntry('c', 1)]).batch), isCode('STORE_UNAVAILABLE'));
    await assert.rejects(store.claimSetting('origin', 'x'), isCode('STORE_UNAVAILABLE'));
  });
}
