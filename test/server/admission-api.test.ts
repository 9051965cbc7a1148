// The admission webhooks of the service answer every real AdmissionReview of test/fixtures/admission with HTTP 200
// and the request's uid: workloads are decided (here no policy is applied, so every gated image is denied as
// unmatched), resources without containers are allowed, malformed reviews are refused without a crash; metrics
// count the refusals. Digests come from a function standing in for the registries the fixtures name (which cannot
// be reached here); the real registry is used by the integration test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Digest } from '../../src/core/digest.js';
import { SigningKey } from '../../src/crypto/index.js';
import { noteSignerFromKey } from '../../src/formats/signed-note.js';
import { prepareEntry } from '../../src/log/entries/index.js';
import { TransparencyLog } from '../../src/log/transparency-log.js';
import { buildServer } from '../../src/server/app.js';
import { policyEngine } from '../../src/server/policy-wiring.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { openLogStore } from '../../src/store/open-log-store.js';

const FIXTURES = new URL('../fixtures/admission/', import.meta.url);

test('every real AdmissionReview gets an answer with its uid; malformed ones are refused, not crashed on', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-admission-'));
  const store = await openLogStore({ dataDir: join(dir, 'data') });
  const key = SigningKey.generate('ed25519');
  const log = await TransparencyLog.open({ store, origin: 'admission.test/log', signer: noteSignerFromKey('admission.test/log', key), prepare: prepareEntry, maxDelayMs: 0 });
  const tokens = join(dir, 'tokens.json');
  await createToken(tokens, 'w', ['write']);
  const lookups: string[] = [];
  const engine = policyEngine({
    log, store, signer: key, policyKeys: [], reputationKeys: [], noMatch: 'deny', reevaluateIntervalMs: 0,
    admission: { digestLookup: async (ref) => { lookups.push(ref.toString()); return sha256Digest(ref.toString()); } },
  });
  const lines: string[] = [];
  const stream = { write: (line: string) => void lines.push(line) };
  const app = await buildServer({ log, tokens: await TokenStore.open(tokens), readAuth: 'open', logger: { level: 'info', stream }, extraRoutes: [engine] });
  t.after(async () => {
    await app.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  const seen: Record<string, boolean> = {};
  for (const name of (await readdir(FIXTURES)).filter((f) => f.startsWith('connaisseur-') && f.endsWith('.json')).sort()) {
    const body = await readFile(new URL(name, FIXTURES), 'utf8');
    for (const path of ['/admission/validate', '/admission/mutate']) {
      const res = await app.inject({ method: 'POST', url: path, payload: body, headers: { 'content-type': 'application/json' } });
      assert.equal(res.statusCode, 200, `${name} ${path}: ${res.body}`);
      const answer = res.json() as { kind: string; apiVersion: string; response: { uid: string; allowed: boolean; status?: { code: number } } };
      assert.equal(answer.kind, 'AdmissionReview');
      const sent = JSON.parse(body) as { request?: { uid?: unknown }; apiVersion?: string } | null;
      if (typeof sent?.request?.uid === 'string') assert.equal(answer.response.uid, sent.request.uid, name);
      seen[name] = answer.response.allowed;
    }
  }
  assert.equal(seen['connaisseur-11_role.json'], true, 'a Role runs no container: not gated');
  assert.equal(seen['connaisseur-02_pod.json'], false, 'no policy matches: fail closed');
  for (const broken of ['connaisseur-21_broken_admission_request.json', 'connaisseur-25_null_request.json', 'connaisseur-26_broken_update_admission_request.json', 'connaisseur-12_err_pod.json']) {
    assert.equal(seen[broken], false, broken);
  }
  assert.ok(lookups.some((l) => l.includes(':')), 'tags were resolved through the lookup');
  assert.ok(!lookups.some((l) => l.includes('@sha256:')), 'pinned digests never reach the registry');

  // Every decision is one structured JSON line.
  const decisions = lines.map((l) => JSON.parse(l) as { msg: string; decision?: { source: string; outcome: string; digest: string; namespace: string } }).filter((l) => l.msg === 'decision');
  assert.ok(decisions.length > 0);
  assert.ok(decisions.every((d) => d.decision?.source === 'admission' && /^sha256:[0-9a-f]{64}$/.test(d.decision.digest)));
  assert.ok(decisions.some((d) => d.decision?.outcome === 'deny' && d.decision.namespace === 'test-connaisseur'));

  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /^provenant_image_verification_failures_total\{reason="denied",namespace="test-connaisseur"\} [1-9]/m);
  assert.match(metrics, /^provenant_image_verification_failures_total\{reason="malformed",namespace=""\} [1-9]/m);
  assert.match(metrics, /^provenant_admission_duration_seconds_count\{webhook="validate"\} [1-9]/m);
});
