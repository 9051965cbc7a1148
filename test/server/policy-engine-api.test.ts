// The policy engine inside the service, over HTTP, with a real SQLite store and log and one service from start to
// end (no restart): policies applied through the API are versioned in the log and take effect on the next decision;
// an advisory published after an admitted image's build, or the revocation of its provenance, shows up in the
// re-evaluation reports and the metrics as an image now denied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SigningKey } from '../../src/crypto/index.js';
import { noteSignerFromKey } from '../../src/formats/signed-note.js';
import { prepareEntry, proposeRevocation } from '../../src/log/entries/index.js';
import { TransparencyLog } from '../../src/log/transparency-log.js';
import { buildServer } from '../../src/server/app.js';
import { policyEngine } from '../../src/server/policy-wiring.js';
import { createToken, TokenStore } from '../../src/server/tokens.js';
import { openLogStore } from '../../src/store/open-log-store.js';
import { IMAGE_REFERENCE, osvFixture, recordBuiltImage, type BuiltProvenance } from '../policy/runtime/runtime-fixtures.js';
import type { TestContext } from './server-fixture.js';

const service = SigningKey.generate('ed25519');
const builder = SigningKey.generate('ecdsa-p256');
const ORIGIN = 'policy.test.example/log';

function policy(name: string, rules: string): string {
  const pem = builder.publicKeyPem().trimEnd().split('\n').map((l) => `        ${l}`).join('\n');
  return `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: ${name}\nspec:\n  attestors:\n    - key: |\n${pem}\n  rules:\n${rules}`;
}

const FRESH = policy('fresh-vulnerabilities', '    - name: no-high-disclosed-after-build\n      vulnerabilities:\n        severity: HIGH\n        publishedAfter: build\n');
const SLSA = policy('require-slsa', '    - name: slsa-provenance\n      attestation:\n        predicateTypes: [https://slsa.dev/provenance/v1]\n');

interface Service {
  app: FastifyInstance;
  log: TransparencyLog;
  built: BuiltProvenance;
  write: Record<string, string>;
  read: Record<string, string>;
}

async function service_(t: TestContext): Promise<Service> {
  const dir = await mkdtemp(join(tmpdir(), 'provenant-policy-api-'));
  const store = await openLogStore({ dataDir: join(dir, 'data') });
  const log = await TransparencyLog.open({ store, origin: ORIGIN, signer: noteSignerFromKey(ORIGIN, service), prepare: prepareEntry, maxDelayMs: 0 });
  const tokenFile = join(dir, 'tokens.json');
  const writeToken = await createToken(tokenFile, 'writer', ['write']);
  const readToken = await createToken(tokenFile, 'reader', ['read']);
  const built = await recordBuiltImage(log, dir, builder);
  const engine = policyEngine({ log, store, signer: service, policyKeys: [], reputationKeys: [], noMatch: 'deny', reevaluateIntervalMs: 20 });
  const app = await buildServer({ log, tokens: await TokenStore.open(tokenFile), readAuth: 'open', logger: false, extraRoutes: [engine] });
  t.after(async () => {
    await app.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { app, log, built, write: { authorization: `Bearer ${writeToken}` }, read: { authorization: `Bearer ${readToken}` } };
}

async function applyYaml(s: Service, yaml: string) {
  return s.app.inject({ method: 'POST', url: '/api/v1/policies', payload: yaml, headers: { ...s.write, 'content-type': 'application/yaml' } });
}

async function decide(s: Service) {
  const res = await s.app.inject({ method: 'POST', url: '/api/v1/decisions', payload: { reference: IMAGE_REFERENCE, digest: s.built.digest, namespace: 'shop' }, headers: s.write });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { decision: { outcome: string; reasons: string[] }; cached: boolean; recordId?: string };
}

interface Report {
  trigger: string[];
  nowFailing: { imageDigest: string; previousOutcome: string; outcome: string; reasons: string[] }[];
}

async function reportAfter(s: Service, trigger: string): Promise<Report> {
  let found: Report | undefined;
  const deadline = Date.now() + 10_000;
  while (found === undefined && Date.now() < deadline) {
    const res = await s.app.inject({ method: 'GET', url: '/api/v1/reevaluations' });
    found = (res.json() as { reports: Report[] }).reports.find((r) => r.trigger.includes(trigger) && r.nowFailing.length > 0);
    if (found === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(found, `a re-evaluation triggered by ${trigger} that found images now denied`);
  return found;
}

test('an advisory posted after an admitted image was built turns it to deny in the re-evaluation report and metrics, without a restart', async (t) => {
  const s = await service_(t);
  const applied = await applyYaml(s, FRESH);
  assert.equal(applied.statusCode, 200, applied.body);
  assert.deepEqual((applied.json() as { applied: { name: string; version: number }[] }).applied.map((a) => [a.name, a.version]), [['fresh-vulnerabilities', 1]]);
  assert.equal((await decide(s)).decision.outcome, 'allow');

  const record = JSON.stringify(await osvFixture('debian-12/DEBIAN-CVE-2023-4911.json'));
  const posted = await s.app.inject({ method: 'POST', url: '/api/v1/advisories', payload: `${record}\n`, headers: { ...s.write, 'content-type': 'application/x-ndjson' } });
  assert.equal(posted.statusCode, 200, posted.body);
  assert.equal((posted.json() as { inserted: number }).inserted, 1);
  const info = await s.app.inject({ method: 'GET', url: '/api/v1/advisories' });
  assert.deepEqual(info.json(), { count: 1, revision: '1', version: 'adv:1:1' });

  const report = await reportAfter(s, 'advisories');
  assert.deepEqual(report.nowFailing.map((i) => [i.imageDigest, i.previousOutcome, i.outcome]), [[s.built.digest, 'allow', 'deny']]);
  assert.ok(report.nowFailing[0]!.reasons.some((r) => r.includes('fresh-vulnerabilities/no-high-disclosed-after-build')), report.nowFailing[0]!.reasons.join('\n'));
  const metrics = await s.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /^provenant_reevaluation_images_now_failing 1$/m);
  assert.match(metrics.body, /^provenant_policy_decisions_total\{outcome="allow",source="api"\} 1$/m);
  // The next decision is the new one.
  assert.equal((await decide(s)).decision.outcome, 'deny');
});

test('revoking the attestation a policy requires is reported as deny by the next watched re-evaluation', async (t) => {
  const s = await service_(t);
  assert.equal((await applyYaml(s, SLSA)).statusCode, 200);
  assert.equal((await decide(s)).decision.outcome, 'allow');
  // Appended through the log API, as `provenant revoke --server` does.
  const revocation = await proposeRevocation({ target: s.built.slsa.entryDigest, reason: 'builder key compromised' }, builder);
  const appended = await s.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: revocation, headers: s.write });
  assert.equal(appended.statusCode, 201, appended.body);
  const report = await reportAfter(s, 'revocations');
  assert.deepEqual(report.nowFailing.map((i) => [i.imageDigest, i.outcome]), [[s.built.digest, 'deny']]);
});

test('a policy change is a new logged version chained to the previous one; invalid policies are refused with line and field', async (t) => {
  const s = await service_(t);
  assert.equal((await applyYaml(s, SLSA)).statusCode, 200);
  const same = await applyYaml(s, SLSA);
  assert.deepEqual((same.json() as { applied: unknown[]; unchanged: unknown[] }).applied, []);
  const changed = await applyYaml(s, SLSA.replace('  rules:\n', '  mode: warn\n  rules:\n'));
  assert.equal(changed.statusCode, 200, changed.body);
  const versions = await s.app.inject({ method: 'GET', url: '/api/v1/policies/require-slsa/versions' });
  const history = versions.json() as { versions: { version: number; entryDigest: string; previous: string | null; logIndex: string }[] };
  assert.deepEqual(history.versions.map((v) => v.version), [1, 2]);
  assert.equal(history.versions[1]!.previous, history.versions[0]!.entryDigest);
  const inForce = (await s.app.inject({ method: 'GET', url: '/api/v1/policies' })).json() as { version: string; policies: { name: string; mode: string }[] };
  assert.deepEqual(inForce.policies.map((p) => [p.name, p.mode]), [['require-slsa', 'warn']]);
  assert.equal(inForce.version, history.versions[1]!.logIndex);

  const invalid = await applyYaml(s, SLSA.replace('predicateTypes:', 'predicateTypez:'));
  assert.equal(invalid.statusCode, 400);
  const error = invalid.json() as { code: string; details: { line: number; column: number; field: string } };
  assert.equal(error.code, 'POLICY_INVALID');
  assert.equal(error.details.field, 'spec.rules[0].attestation.predicateTypez');
  assert.equal(error.details.line, SLSA.split('\n').findIndex((l) => l.includes('predicateTypes:')) + 1);

  assert.equal((await s.app.inject({ method: 'POST', url: '/api/v1/policies', payload: SLSA, headers: { 'content-type': 'application/yaml' } })).statusCode, 401);
  assert.equal((await s.app.inject({ method: 'POST', url: '/api/v1/policies', payload: SLSA, headers: { ...s.read, 'content-type': 'application/yaml' } })).statusCode, 403);
  const unknownField = await s.app.inject({ method: 'POST', url: '/api/v1/decisions', payload: { reference: IMAGE_REFERENCE, digest: s.built.digest, extra: 1 }, headers: s.write });
  assert.equal(unknownField.statusCode, 400);
  const badRecord = await s.app.inject({ method: 'POST', url: '/api/v1/advisories', payload: '{"id": "X"}\n', headers: { ...s.write, 'content-type': 'application/x-ndjson' } });
  assert.equal(badRecord.statusCode, 400);
  assert.equal((badRecord.json() as { code: string }).code, 'OSV_MALFORMED');
});
