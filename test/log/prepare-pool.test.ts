import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sha256Digest } from '../../src/core/digest.js';
import { ProvenantError } from '../../src/core/errors.js';
import { prepareEntry } from '../../src/log/entries/index.js';
import { PreparePool, defaultPrepareThreads } from '../../src/log/prepare-pool.js';
import { ecdsa, ed25519, signatureProposal } from './entries/entry-fixtures.js';

const pool = PreparePool.create(2);
after(() => pool.close());

test('the pool prepares exactly what prepareEntry prepares, in parallel', async () => {
  const proposals = await Promise.all(
    Array.from({ length: 40 }, (_, i) => signatureProposal(i % 2 === 0 ? ecdsa : ed25519, sha256Digest(`image ${i}`))),
  );
  const [fromPool, inProcess] = await Promise.all([Promise.all(proposals.map((p) => pool.prepare(p))), Promise.all(proposals.map((p) => prepareEntry(p)))]);
  for (let i = 0; i < proposals.length; i++) {
    assert.ok(Buffer.isBuffer(fromPool[i]?.entry));
    assert.deepEqual(fromPool[i]?.entry, inProcess[i]?.entry);
    assert.deepEqual(fromPool[i]?.terms, inProcess[i]?.terms);
  }
});

test('a refused proposal is refused by the pool with the same code', async () => {
  const good = await signatureProposal(ecdsa);
  const spec = good.spec as Record<string, unknown>;
  const tampered = { ...good, spec: { ...spec, signature: Buffer.alloc(64, 1).toString('base64') } };
  const expected = await prepareEntry(tampered).then(() => undefined, (e: unknown) => e as ProvenantError);
  assert.ok(expected instanceof ProvenantError);
  await assert.rejects(pool.prepare(tampered), (e: unknown) => e instanceof ProvenantError && e.code === expected.code);
  await assert.rejects(pool.prepare({ apiVersion: 'provenant.dev/v1', kind: 'nonsense', spec: {} }), (e: unknown) => e instanceof ProvenantError && e.code === 'ENTRY_KIND_UNKNOWN');
});

test('a closed pool refuses work', async () => {
  const closed = PreparePool.create(1);
  await closed.close();
  await assert.rejects(closed.prepare({}), (e: unknown) => e instanceof ProvenantError && e.code === 'LOG_CLOSED');
  assert.throws(() => PreparePool.create(0), (e: unknown) => e instanceof ProvenantError && e.code === 'USAGE');
});

test('by default the pool takes every core but one, and a single core verifies in-process', () => {
  assert.equal(defaultPrepareThreads(1), 0);
  assert.equal(defaultPrepareThreads(2), 1);
  assert.equal(defaultPrepareThreads(4), 3);
  assert.equal(defaultPrepareThreads(16), 15);
});
