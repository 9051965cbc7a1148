// Digest pinning is a per-policy choice: the mutating webhook pins the images a policy with `pinDigests: true`
// matched and leaves the others as written (the resolved digests of all of them are recorded in the annotation and
// in auditAnnotations); the service-wide setting pins every image. Real log, store and policy engine; the
// registries' tag lookups are a stand-in function (registry.example cannot be reached; the real registry is used
// by test/e2e/admission-registry.integration.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest, type Digest } from '../../src/core/digest.js';
import { SigningKey } from '../../src/crypto/index.js';
import { noteSignerFromKey } from '../../src/formats/signed-note.js';
import { prepareEntry } from '../../src/log/entries/index.js';
import { TransparencyLog } from '../../src/log/transparency-log.js';
import { buildServer } from '../../src/server/app.js';
import { policyEngine } from '../../src/server/policy-wiring.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { openLogStore } from '../../src/store/open-log-store.js';
import { createReview } from '../helpers/admission-review.js';

const policy = (name: string, images: string, pin: boolean): string => `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata: {name: ${name}}
spec:
  match: {images: ["${images}"]}
${pin ? '  pinDigests: true\n' : ''}  rules:
    - name: any
      expression: {cel: "true"}
`;
const POLICIES = [policy('pinned', 'registry.example/pinned/**', true), policy('loose', 'registry.example/loose/**', false), policy('audited', 'registry.example/audited/**', true).replace('spec:\n', 'spec:\n  mode: audit\n')].join('---\n');

const IMAGES = ['registry.example/pinned/app:1.0', 'registry.example/loose/app:1.0', 'registry.example/audited/app:1.0'];
const digestOf = (reference: string): Digest => sha256Digest(`stand-in registry: ${reference}`);

const review = createReview({ uid: 'b3a6b1d6-5f6a-4c1e-9d55-3b6f0c0f9d01', namespace: 'shop', images: IMAGES });

async function mutate(pinDigests: boolean): Promise<{ ops: { op: string; path: string; value: unknown }[]; audit: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-pinning-'));
  const store = await openLogStore({ dataDir: join(dir, 'data') });
  const key = SigningKey.generate('ed25519');
  const log = await TransparencyLog.open({ store, origin: 'pinning.test/log', signer: noteSignerFromKey('pinning.test/log', key), prepare: prepareEntry, maxDelayMs: 0 });
  const tokens = join(dir, 'tokens.json');
  const token = await createToken(tokens, 'w', ['write']);
  const engine = policyEngine({
    log, store, signer: key, policyKeys: [], reputationKeys: [], noMatch: 'deny', reevaluateIntervalMs: 0,
    admission: { pinDigests, digestLookup: async (ref) => digestOf(ref.toString()) },
  });
  const app = await buildServer({ log, tokens: await TokenStore.open(tokens), readAuth: 'open', logger: false, extraRoutes: [engine] });
  try {
    const applied = await app.inject({ method: 'POST', url: '/api/v1/policies', payload: POLICIES, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' } });
    assert.equal(applied.statusCode, 200, applied.body);
    const res = await app.inject({ method: 'POST', url: '/admission/mutate', payload: review });
    assert.equal(res.statusCode, 200, res.body);
    const response = (res.json() as { response: { allowed: boolean; patch: string; auditAnnotations: Record<string, string> } }).response;
    assert.equal(response.allowed, true);
    return { ops: JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) as never, audit: response.auditAnnotations };
  } finally {
    await app.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('only the image a pinning policy matched is pinned; every digest is recorded', async () => {
  const { ops, audit } = await mutate(false);
  const replaced = ops.filter((o) => o.op === 'replace').map((o) => [o.path, o.value]);
  assert.deepEqual(replaced, [['/spec/containers/0/image', `${IMAGES[0]}@${digestOf(IMAGES[0]!)}`]]);
  const resolved = JSON.parse(String(ops.find((o) => o.path === '/metadata/annotations/provenant.dev~1resolved-images')?.value)) as Record<string, string>;
  assert.deepEqual(resolved, { c0: digestOf(IMAGES[0]!), c1: digestOf(IMAGES[1]!), c2: digestOf(IMAGES[2]!) });
  assert.deepEqual(JSON.parse(audit['resolved-images']!), resolved);
});

test('the service-wide setting pins every image', async () => {
  const { ops } = await mutate(true);
  const replaced = ops.filter((o) => o.op === 'replace').map((o) => [o.path, o.value]);
  assert.deepEqual(replaced, IMAGES.map((image, i) => [`/spec/containers/${i}/image`, `${image}@${digestOf(image)}`]));
});
