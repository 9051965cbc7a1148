// Admission of a workload's images with the real policy runtime over a real log and store: the worst outcome wins,
// identical concurrent decisions are evaluated once, and a registry that never answers is met within the budget by
// the failure policy. The digest lookup is a function standing in for a registry (named as such below); the real
// registry is used by the webhook's integration tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SigningKey } from '../../src/crypto/index.js';
import { DigestResolver } from '../../src/intercept/digest-resolver.js';
import { ImageAdmission, type AdmissionDecideRequest } from '../../src/intercept/image-admission.js';
import { PolicyRuntime } from '../../src/policy/runtime/policy-runtime.js';
import { IMAGE_NAME, recordBuiltImage, withWorld } from '../policy/runtime/runtime-fixtures.js';

const service = SigningKey.generate('ed25519');
const builder = SigningKey.generate('ecdsa-p256');

function policy(): string {
  const pem = builder.publicKeyPem().trimEnd().split('\n').map((l) => `        ${l}`).join('\n');
  return `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: provenance\nspec:\n  match:\n    images: ["registry.example/**"]\n  attestors:\n    - key: |\n${pem}\n  rules:\n    - name: slsa\n      attestation:\n        predicateTypes: [https://slsa.dev/provenance/v1]\n`;
}

test('a scripted registry tag resolves to the built digest; the worst image outcome wins; concurrent twins are evaluated once', async () => {
  await withWorld(async (world) => {
    const built = await recordBuiltImage(world.log, world.dir, builder);
    const runtime = new PolicyRuntime({ log: world.log, decisions: world.store, advisories: world.store, signer: service, trustedKeys: [], noMatch: 'deny' });
    await runtime.applyPolicies(policy());
    const decided: AdmissionDecideRequest[] = [];
    const resolver = new DigestResolver({ lookup: async () => built.digest });
    const failures: string[] = [];
    const admission = new ImageAdmission({
      resolver,
      decide: (request) => {
        decided.push(request);
        return runtime.decide(request);
      },
      onFailure: (reason, ns) => failures.push(`${reason} ${ns}`),
    });
    const ctx = { namespace: 'shop', kind: 'Deployment', dryRun: false, source: 'admission' as const };
    const runs = await Promise.all(Array.from({ length: 20 }, () => admission.admit([`${IMAGE_NAME}:1.0`], ctx)));
    assert.ok(runs.every((r) => r.outcome === 'allow'), JSON.stringify(runs[0]));
    assert.equal(decided.length, 1, 'twenty identical admissions, one evaluation');
    assert.equal(resolver.stats().registryCalls, 1);

    const mixed = await admission.admit([`${IMAGE_NAME}:1.0`, 'ghcr.io/other/app:2'], ctx);
    assert.equal(mixed.outcome, 'deny', 'an image no policy matches is denied (noMatch deny)');
    assert.ok(mixed.reasons.some((r) => r.startsWith('ghcr.io/other/app:2: ')));
    assert.deepEqual(failures, ['denied shop']);
    await runtime.close();
  });
});

test('a registry that never answers meets the failure policy within the budget', async () => {
  const hanging = new DigestResolver({ lookup: () => new Promise(() => undefined) });
  const decide = () => Promise.reject(new Error('not reached'));
  const closed = new ImageAdmission({ resolver: hanging, decide, budgetMs: 50 });
  const denied = await closed.admit(['registry.example/app:1'], { dryRun: false, source: 'admission' });
  assert.equal(denied.outcome, 'deny');
  assert.equal(denied.images[0]!.failure?.code, 'ADMISSION_TIMEOUT');
  const open = new ImageAdmission({ resolver: hanging, decide, budgetMs: 50, failurePolicy: 'ignore' });
  const warned = await open.admit(['registry.example/app:1'], { dryRun: false, source: 'admission' });
  assert.equal(warned.outcome, 'warn');
  assert.match(warned.warnings[0]!, /ADMISSION_TIMEOUT/);
});
