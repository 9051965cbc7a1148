// The digest cache in front of the registry: pinned references never reach it, a tag is asked once per TTL and
// once for any number of concurrent admissions, and a failure is remembered briefly and reported with its code.
// The lookup here is a function counting its calls, not a registry: the real one is exercised against the CNCF
// registry by the admission integration tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../src/core/digest.js';
import { isProvenantError, ProvenantError } from '../../src/core/errors.js';
import type { ImageReference } from '../../src/oci/reference.js';
import { DigestResolver } from '../../src/intercept/digest-resolver.js';

const D1 = sha256Digest('manifest 1');
const D2 = sha256Digest('manifest 2');

function counting(answers: (ref: ImageReference) => Promise<string>) {
  const asked: string[] = [];
  return {
    asked,
    lookup: async (ref: ImageReference) => {
      asked.push(ref.toString());
      return (await answers(ref)) as `sha256:${string}`;
    },
  };
}

test('a pinned digest needs no lookup; a tag is looked up once per TTL, concurrent lookups share one call', async () => {
  let now = 1_000;
  let digest = D1;
  const l = counting(async () => digest);
  const r = new DigestResolver({ lookup: l.lookup, ttlMs: 100, now: () => now });
  assert.deepEqual(await r.resolve(`registry.example/app@${D2}`), { reference: `registry.example/app@${D2}`, digest: D2, source: 'pinned' });
  const together = await Promise.all(Array.from({ length: 50 }, () => r.resolve('registry.example/app:1.0')));
  assert.ok(together.every((x) => x.digest === D1));
  assert.deepEqual(l.asked, ['registry.example/app:1.0']);
  assert.equal((await r.resolve('registry.example/app:1.0')).source, 'cache');
  digest = D2;
  now += 100;
  assert.deepEqual(await r.resolve('registry.example/app:1.0'), { reference: 'registry.example/app:1.0', digest: D2, source: 'registry' });
  assert.equal(l.asked.length, 2);
  assert.deepEqual(r.stats(), { registryCalls: 2, registryErrors: 0, cacheHits: 50 });
});

test('a failed lookup is remembered for the failure TTL and rethrown with its code', async () => {
  let now = 0;
  let fail = true;
  const l = counting(async () => {
    if (fail) throw new ProvenantError('REGISTRY_UNREACHABLE', 'connection refused');
    return D1;
  });
  const r = new DigestResolver({ lookup: l.lookup, failureTtlMs: 50, now: () => now });
  for (let i = 0; i < 3; i++) await assert.rejects(r.resolve('registry.example/app:2'), (e) => isProvenantError(e, 'REGISTRY_UNREACHABLE'));
  assert.equal(l.asked.length, 1);
  fail = false;
  now += 50;
  assert.equal((await r.resolve('registry.example/app:2')).digest, D1);
  await assert.rejects(r.resolve('not a reference'), (e) => isProvenantError(e, 'REFERENCE_INVALID'));
});

test('the cache keeps at most maxEntries tags, dropping the oldest', async () => {
  const l = counting(async (ref) => sha256Digest(ref.toString()));
  const r = new DigestResolver({ lookup: l.lookup, maxEntries: 2 });
  for (const tag of ['a', 'b', 'c', 'a']) await r.resolve(`registry.example/app:${tag}`);
  assert.deepEqual(l.asked, ['registry.example/app:a', 'registry.example/app:b', 'registry.example/app:c', 'registry.example/app:a']);
});
