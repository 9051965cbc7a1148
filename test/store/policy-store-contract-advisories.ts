// The AdvisoryStore part of the policy store contract: replacement by instant, the revision, paging and bounds.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { ProvenantStore, StoredAdvisory } from '../../src/store/policy-ports.js';
import { isCode } from './store-under-test.js';

function advisory(id: string, modified: string, body = modified): StoredAdvisory {
  return { id, modified, record: Buffer.from(JSON.stringify({ id, modified, body })) };
}

/** Registers the advisory cases inside the contract's describe, on the store its beforeEach opened. */
export function describeAdvisoryContract(current: () => ProvenantStore): void {
  it('inserts advisories, replaces one only when its modified instant is later, and counts each outcome', async () => {
    const store = current();
    assert.equal(await store.advisoriesRevision(), 0n);
    assert.deepEqual(await store.putAdvisories([]), { inserted: 0, replaced: 0, unchanged: 0 });
    assert.equal(await store.advisoriesRevision(), 0n);

    const a = advisory('DSA-5000-1', '2024-01-01T10:00:00Z');
    const b = advisory('GHSA-aaaa-bbbb-cccc', '2024-03-01T00:00:00.250Z');
    assert.deepEqual(await store.putAdvisories([a, b]), { inserted: 2, replaced: 0, unchanged: 0 });
    assert.equal(await store.advisoriesRevision(), 1n);

    const unchanged = [
      advisory(a.id, a.modified, 'same'),
      advisory(a.id, '2024-01-01T12:00:00+02:00', 'same instant, another offset'),
      advisory(a.id, '2024-01-01T11:00:00+02:00', 'later as a string, earlier as an instant'),
      advisory(a.id, '2024-01-01t10:00:00.000000z', 'same instant, lower case, zero fraction'),
      advisory(b.id, '2024-02-29T23:59:59.999999999Z', 'older'),
    ];
    assert.deepEqual(await store.putAdvisories(unchanged), { inserted: 0, replaced: 0, unchanged: 5 });
    assert.equal(await store.advisoriesRevision(), 1n, 'nothing changed, so the revision stays');
    assert.deepEqual(await store.advisories({ limit: 10 }), [a, b]);

    const newerA = advisory(a.id, '2024-01-01T06:00:00.5-04:00', 'earlier as a string, later as an instant');
    const newerB = advisory(b.id, '2024-03-01T00:00:00.2500001Z', 'a tenth of a microsecond later');
    assert.deepEqual(await store.putAdvisories([newerA, newerB]), { inserted: 0, replaced: 2, unchanged: 0 });
    assert.equal(await store.advisoriesRevision(), 2n);
    assert.deepEqual(await store.advisories({ limit: 10 }), [newerA, newerB]);

    // One id twice in a call is taken in order; a later call that only repeats changes nothing.
    const c1 = advisory('PYSEC-2024-1', '2024-05-01T00:00:00Z');
    const c2 = advisory('PYSEC-2024-1', '2024-05-02T00:00:00Z');
    const c0 = advisory('PYSEC-2024-1', '2024-04-30T00:00:00Z');
    assert.deepEqual(await store.putAdvisories([c1, c2, c0]), { inserted: 1, replaced: 1, unchanged: 1 });
    assert.equal(await store.advisoriesRevision(), 3n);
    assert.deepEqual(await store.putAdvisories([c2, c1]), { inserted: 0, replaced: 0, unchanged: 2 });
    assert.equal(await store.advisoriesRevision(), 3n);
    assert.deepEqual((await store.advisories({ afterId: b.id, limit: 10 })), [c2]);
    assert.equal(await store.advisoryCount(), 3);
  });

  it('pages advisories by the last id in UTF-8 byte order, each exactly once', async () => {
    const store = current();
    const ids = Array.from({ length: 40 }, (_, i) => `OSV-${String(i).padStart(3, '0')}`).concat(['osv-lower', 'Z-1', '\u00c9-1', 'a']);
    const all = ids.map((id) => advisory(id, '2025-01-01T00:00:00Z'));
    assert.deepEqual(await store.putAdvisories(all), { inserted: all.length, replaced: 0, unchanged: 0 });
    const expected = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    for (const limit of [1, 6, 10_000]) {
      const seen: string[] = [];
      let afterId: string | undefined;
      for (;;) {
        const page = await store.advisories(afterId === undefined ? { limit } : { afterId, limit });
        if (page.length === 0) break;
        seen.push(...page.map((p) => p.id));
        afterId = page[page.length - 1]!.id;
      }
      assert.deepEqual(seen, expected, `limit ${limit}`);
    }
    assert.equal(await store.advisoryCount(), all.length);
  });

  it('concurrent putAdvisories of the same ids insert each once', async () => {
    const store = current();
    const batch = Array.from({ length: 50 }, (_, i) => advisory(`CVE-2025-${1000 + i}`, '2025-02-01T00:00:00Z'));
    const results = await Promise.all([store.putAdvisories(batch), store.putAdvisories(batch), store.putAdvisories(batch)]);
    assert.equal(results.reduce((n, r) => n + r.inserted, 0), batch.length);
    assert.equal(results.reduce((n, r) => n + r.unchanged, 0), 2 * batch.length);
    assert.equal(await store.advisoryCount(), batch.length);
    assert.equal(await store.advisoriesRevision(), 1n);
  });

  it('refuses empty ids, times that are not RFC 3339 and oversized records (STORE_VALUE_INVALID), storing none of the call', async () => {
    const store = current();
    const good = advisory('GOOD-1', '2024-01-01T00:00:00Z');
    const bad: StoredAdvisory[] = [
      advisory('', '2024-01-01T00:00:00Z'),
      advisory('X-1', '2024-01-01'),
      advisory('X-1', '2024-01-01T00:00:00'),
      advisory('X-1', '2024-02-30T00:00:00Z'),
      advisory('X-1', '2024-01-01T24:00:00Z'),
      advisory('X-1', '2024-01-01T00:00:00+24:00'),
      advisory('X-1', '2024-01-01 00:00:00Z'),
      advisory('X-1', 'yesterday'),
      { id: 'X-1', modified: '2024-01-01T00:00:00Z', record: Buffer.alloc(8 * 1024 * 1024 + 1, 0x20) },
      { id: 'X-1', modified: '2024-01-01T00:00:00Z', record: Buffer.alloc(0) },
    ];
    for (const b of bad) await assert.rejects(store.putAdvisories([good, b]), isCode('STORE_VALUE_INVALID'), `${b.id} ${b.modified}`);
    await assert.rejects(store.advisories({ afterId: '', limit: 5 }), isCode('STORE_VALUE_INVALID'));
    assert.equal(await store.advisoryCount(), 0);
    assert.equal(await store.advisoriesRevision(), 0n);
    assert.deepEqual(await store.putAdvisories([advisory('X-1', '2016-12-31T23:59:60Z'), good]), { inserted: 2, replaced: 0, unchanged: 0 });
  });
}
