// The behaviour every adapter of DecisionStore and AdvisoryStore must show, run against each backend by its own test
// file (sqlite-policy-store.test.ts, postgres-policy-store.integration.test.ts).
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmittedImage, DecisionOutcome, NewDecision, ProvenantStore } from '../../src/store/policy-ports.js';
import { describeAdvisoryContract } from './policy-store-contract-advisories.js';
import { digestOf, testDecision, type PolicyBackend, type PolicyStoreUnderTest } from './policy-store-under-test.js';
import { isCode } from './store-under-test.js';
import { TreeBuilder, testEntry } from './tree-batches.js';

type Key = Pick<AdmittedImage, 'imageDigest' | 'reference' | 'namespace'>;

/** The order admittedImages promises: UTF-8 bytes, a null namespace first. */
function compareKeys(a: Key, b: Key): number {
  const text = (x: string, y: string) => Buffer.compare(Buffer.from(x), Buffer.from(y));
  if (a.namespace === null || b.namespace === null) {
    return text(a.imageDigest, b.imageDigest) || text(a.reference, b.reference) || (a.namespace === null ? (b.namespace === null ? 0 : -1) : 1);
  }
  return text(a.imageDigest, b.imageDigest) || text(a.reference, b.reference) || text(a.namespace, b.namespace);
}

const keyOf = (k: Key): Key => ({ imageDigest: k.imageDigest, reference: k.reference, namespace: k.namespace });

export function describePolicyStoreContract(backend: string, b: PolicyBackend): void {
  describe(`DecisionStore and AdvisoryStore contract (${backend})`, () => {
    let h: PolicyStoreUnderTest;
    let store: ProvenantStore;
    const extra: ProvenantStore[] = [];

    beforeEach(async () => {
      h = await b.open();
      store = h.store;
    });
    afterEach(async () => {
      for (const s of [store, ...extra.splice(0)]) await s.close();
      await h.cleanup();
    });

    it('records decisions with ascending ids and reads them back by id and by digest, newest first', async () => {
      assert.deepEqual(await store.decisionsFor(digestOf('app'), 10), []);
      assert.equal(await store.decision(1n), null);
      const given: NewDecision[] = [
        testDecision({ decidedAt: 1 }),
        testDecision({ tag: 'other', namespace: 'prod', source: 'docker', outcome: 'deny' }),
        testDecision({ decidedAt: 3, namespace: 'team-a', source: 'reevaluation', outcome: 'sandbox', decision: Buffer.from('{"\u00e9":1}') }),
        testDecision({ decidedAt: 4, source: 'gate', outcome: 'warn', policyVersion: 'p'.repeat(200), dataVersion: 'd'.repeat(200) }),
      ];
      const ids: bigint[] = [];
      for (const d of given) ids.push(await store.recordDecision(d));
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, 'ids ascend');
      for (const [i, d] of given.entries()) assert.deepEqual(await store.decision(ids[i]!), { ...d, id: ids[i]! });

      const mine = await store.decisionsFor(digestOf('app'), 10);
      assert.deepEqual(mine.map((d) => d.id), [ids[3], ids[2], ids[0]]);
      assert.deepEqual(mine[1], { ...given[2]!, id: ids[2]! });
      assert.deepEqual((await store.decisionsFor(digestOf('app'), 2)).map((d) => d.id), [ids[3], ids[2]]);
      assert.deepEqual(await store.decisionsFor(digestOf('nothing'), 10), []);
      assert.deepEqual(await store.decisionsFor('not a digest', 10), []);
      assert.equal(await store.decision(ids[3]! + 1n), null);
      assert.equal(await store.decision(-1n), null);
      assert.equal(await store.decision(1n << 64n), null);
    });

    it('admittedImages keeps the latest non-reevaluation decision per key and leaves out keys it denied', async () => {
      const [a, bb, c] = [digestOf('a'), digestOf('b'), digestOf('c')];
      const reference = (imageDigest: string) => `r/${imageDigest.slice(7, 11)}`;
      const record = (imageDigest: string, namespace: string | null, outcome: DecisionOutcome, source: NewDecision['source'] = 'admission') =>
        store.recordDecision(testDecision({ imageDigest, reference: reference(imageDigest), namespace, outcome, source }));
      await record(a, null, 'allow');
      await record(a, null, 'deny'); // denied now: left out
      await record(a, 'ns1', 'deny');
      const aNs1 = await record(a, 'ns1', 'warn');
      const bNull = await record(bb, null, 'allow');
      await record(bb, null, 'deny', 'reevaluation'); // re-evaluations do not change what was admitted
      await record(bb, 'prod', 'sandbox', 'api');
      const bProd = await record(bb, 'prod', 'sandbox', 'gate');
      await record(c, null, 'allow', 'reevaluation'); // never admitted by a request
      await record(c, 'x', 'deny', 'docker');

      const admitted = await store.admittedImages({ limit: 100 });
      const expected = [
        { id: aNs1, imageDigest: a, reference: reference(a), namespace: 'ns1', outcome: 'warn' },
        { id: bNull, imageDigest: bb, reference: reference(bb), namespace: null, outcome: 'allow' },
        { id: bProd, imageDigest: bb, reference: reference(bb), namespace: 'prod', outcome: 'sandbox' },
      ].sort(compareKeys);
      assert.deepEqual(admitted.map((x) => ({ id: x.lastDecision.id, ...keyOf(x), outcome: x.lastDecision.outcome })), expected);
      for (const x of admitted) {
        assert.equal(x.reference, x.lastDecision.reference);
        assert.deepEqual(x.lastDecision, await store.decision(x.lastDecision.id));
      }
    });

    it('pages admittedImages by cursor over every admitted key exactly once, null and named namespaces alike', async () => {
      const expected: Key[] = [];
      let n = 0;
      for (const tag of ['one', 'two', 'three']) {
        for (const reference of ['reg/app:1', 'reg/z', 'reg/\u00e9', 'reg/app@v2']) {
          for (const namespace of [null, 'a', 'b', 'B', '\u00e9t\u00e9']) {
            const k = { imageDigest: digestOf(tag), reference, namespace };
            const denied = n % 4 === 1;
            await store.recordDecision(testDecision({ ...k, outcome: n % 2 === 0 ? 'deny' : 'allow' }));
            await store.recordDecision(testDecision({ ...k, outcome: denied ? 'deny' : (['allow', 'warn', 'sandbox'] as const)[n % 3] }));
            if (!denied) expected.push(k);
            n++;
          }
        }
      }
      expected.sort(compareKeys);
      assert.deepEqual((await store.admittedImages({ limit: 10_000 })).map(keyOf), expected);
      for (const limit of [1, 7, expected.length]) {
        const seen: Key[] = [];
        let after: Key | undefined;
        for (;;) {
          const page = await store.admittedImages(after === undefined ? { limit } : { after, limit });
          assert.ok(page.length <= limit);
          if (page.length === 0) break;
          seen.push(...page.map(keyOf));
          after = keyOf(page[page.length - 1]!);
        }
        assert.deepEqual(seen, expected, `limit ${limit}`);
      }
    });

    it('refuses decisions and pages out of bounds (STORE_VALUE_INVALID) and stores nothing of them', async () => {
      const bad: Partial<NewDecision>[] = [
        { decision: Buffer.alloc(4 * 1024 * 1024 + 1, 0x20) },
        { decision: Buffer.alloc(0) },
        { imageDigest: 'sha256:abc' },
        { reference: '' },
        { reference: 'r'.repeat(1025) },
        { namespace: '' },
        { policyVersion: 'p'.repeat(201) },
        { dataVersion: '' },
        { source: 'cron' as NewDecision['source'] },
        { outcome: 'maybe' as DecisionOutcome },
        { decidedAt: -1 },
        { decidedAt: 1.5 },
      ];
      for (const overrides of bad) await assert.rejects(store.recordDecision(testDecision(overrides)), isCode('STORE_VALUE_INVALID'));
      assert.deepEqual(await store.decisionsFor(digestOf('app'), 10), []);
      const big = await store.recordDecision(testDecision({ decision: Buffer.alloc(4 * 1024 * 1024, 0x20) }));
      assert.equal((await store.decision(big))?.decision.length, 4 * 1024 * 1024);
      for (const limit of [0, 10_001, 1.5, -1, Number.NaN]) {
        await assert.rejects(store.decisionsFor(digestOf('app'), limit), isCode('STORE_VALUE_INVALID'), `decisionsFor ${limit}`);
        await assert.rejects(store.admittedImages({ limit }), isCode('STORE_VALUE_INVALID'), `admittedImages ${limit}`);
        await assert.rejects(store.advisories({ limit }), isCode('STORE_VALUE_INVALID'), `advisories ${limit}`);
      }
      assert.equal((await store.decisionsFor(digestOf('app'), 10_000)).length, 1);
    });

    it('records a batch of decisions in one transaction: ids ascend in the given order, a bad one writes none', async () => {
      const before = await store.recordDecision(testDecision({ tag: 'before' }));
      const batch = Array.from({ length: 300 }, (_, i) =>
        testDecision({ tag: `batch-${i % 7}`, decidedAt: 1_000 + i, namespace: i % 3 === 0 ? null : `ns-${i % 4}`, outcome: (['allow', 'deny', 'warn', 'sandbox'] as const)[i % 4] }),
      );
      const ids = await store.recordDecisions(batch);
      assert.equal(ids.length, batch.length);
      assert.ok(ids[0]! > before);
      for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, 'ids ascend in the order given');
      for (const i of [0, 1, 150, 299]) assert.deepEqual(await store.decision(ids[i]!), { ...batch[i]!, id: ids[i]! });

      const bad = [testDecision({ tag: 'kept-out-1' }), testDecision({ tag: 'kept-out-2', outcome: 'maybe' as DecisionOutcome })];
      await assert.rejects(store.recordDecisions(bad), (e: unknown) => isCode('STORE_VALUE_INVALID')(e) && (e as { details?: { index?: number } }).details?.index === 1);
      assert.deepEqual(await store.decisionsFor(digestOf('kept-out-1'), 10), []);
      await assert.rejects(store.recordDecisions([]), isCode('STORE_VALUE_INVALID'));
      await assert.rejects(store.recordDecisions(Array.from({ length: 1_001 }, () => testDecision())), isCode('STORE_VALUE_INVALID'));
      assert.equal((await store.recordDecisions([testDecision({ tag: 'after' })]))[0]! > ids[299]!, true);
    });

    it('two stores open on the same database see each other\'s decisions and advisories', async () => {
      const other = await h.reopen();
      extra.push(other);
      const id = await store.recordDecision(testDecision({ namespace: 'shared' }));
      assert.deepEqual(await other.decision(id), { ...testDecision({ namespace: 'shared' }), id });
      const second = await other.recordDecision(testDecision({ outcome: 'deny' }));
      assert.ok(second > id);
      assert.deepEqual((await store.decisionsFor(digestOf('app'), 5)).map((d) => d.id), [second, id]);
      const advisory = { id: 'GHSA-0000-0000-0001', modified: '2024-01-01T00:00:00Z', record: Buffer.from('{}') };
      await other.putAdvisories([advisory]);
      assert.deepEqual(await store.advisories({ limit: 5 }), [advisory]);
      assert.equal(await store.advisoriesRevision(), 1n);
    });

    it('a closed store refuses the policy ports with STORE_UNAVAILABLE', async () => {
      const other = await h.reopen();
      await other.close();
      await assert.rejects(other.recordDecision(testDecision()), isCode('STORE_UNAVAILABLE'));
      await assert.rejects(other.decision(1n), isCode('STORE_UNAVAILABLE'));
      await assert.rejects(other.decisionsFor('not a digest', 1), isCode('STORE_UNAVAILABLE'));
      await assert.rejects(other.admittedImages({ limit: 1 }), isCode('STORE_UNAVAILABLE'));
      await assert.rejects(other.putAdvisories([]), isCode('STORE_UNAVAILABLE'));
      await assert.rejects(other.advisories({ limit: 1 }), isCode('STORE_UNAVAILABLE'));
      await assert.rejects(other.advisoryCount(), isCode('STORE_UNAVAILABLE'));
      await assert.rejects(other.advisoriesRevision(), isCode('STORE_UNAVAILABLE'));
    });

    describeAdvisoryContract(() => store);
  });

  describe(`policy tables added to a version-1 database (${backend})`, () => {
    it('keeps the log it holds and gains the decision and advisory tables', async () => {
      const first = TreeBuilder.empty().batch([testEntry('v1', 0), testEntry('v1', 1), testEntry('v1', 2)]);
      const h = await b.openFromVersion1(first.batch);
      try {
        const { store } = h;
        assert.equal(await h.schemaVersion(), '2');
        assert.deepEqual(await store.latestCheckpoint(), first.batch.checkpoint);
        assert.deepEqual((await store.leaves(0n, 10n)).map((l) => l.entry), first.batch.leaves.map((l) => l.entry));
        assert.equal(await store.advisoriesRevision(), 0n);
        assert.equal(await store.advisoryCount(), 0);
        assert.deepEqual(await store.admittedImages({ limit: 10 }), []);
        const id = await store.recordDecision(testDecision());
        assert.deepEqual((await store.admittedImages({ limit: 10 })).map((x) => x.lastDecision.id), [id]);
        await store.integrate(first.next.batch([testEntry('v1', 3)]).batch);
        assert.equal((await store.latestCheckpoint())?.size, 4n);
        await store.close();
        const again = await h.reopen();
        assert.deepEqual((await again.decision(id))?.id, id);
        await again.close();
      } finally {
        await h.store.close();
        await h.cleanup();
      }
    });
  });
}
