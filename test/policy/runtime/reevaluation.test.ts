// Re-evaluation on a real log and store, with one runtime from start to end (no restart): an admitted image built
// before an advisory was published is reported as now denied once the advisory is added, and an image whose SLSA
// provenance is revoked by its own signer is reported as denied by the next watched re-evaluation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJsonObject } from '../../../src/core/json.js';
import { SigningKey } from '../../../src/crypto/index.js';
import { proposeRevocation } from '../../../src/log/entries/index.js';
import type { Decision } from '../../../src/policy/decision.js';
import { PolicyRuntime } from '../../../src/policy/runtime/policy-runtime.js';
import type { ReevaluationReport } from '../../../src/policy/runtime/reevaluation.js';
import { eventually, IMAGE_REFERENCE, osvFixture, recordBuiltImage, withWorld, type RuntimeWorld } from './runtime-fixtures.js';

const service = SigningKey.generate('ed25519');
const builder = SigningKey.generate('ecdsa-p256');
const SLSA = 'https://slsa.dev/provenance/v1';

function policyYaml(name: string, rules: string): string {
  const pem = builder.publicKeyPem().trimEnd().split('\n').map((line) => `        ${line}`).join('\n');
  return `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: ${name}
spec:
  attestors:
    - key: |
${pem}
  rules:
${rules}`;
}

const FRESH_VULNERABILITIES = policyYaml(
  'fresh-vulnerabilities',
  `    - name: no-high-disclosed-after-build
      vulnerabilities:
        severity: HIGH
        publishedAfter: build
`,
);

const REQUIRE_SLSA = policyYaml(
  'require-slsa',
  `    - name: slsa-provenance
      attestation:
        predicateTypes: [${SLSA}]
`,
);

function runtimeOf(world: RuntimeWorld, reports: ReevaluationReport[]): PolicyRuntime {
  return new PolicyRuntime({
    log: world.log,
    decisions: world.store,
    advisories: world.store,
    signer: service,
    trustedKeys: [],
    onReport: (r) => reports.push(r),
    onError: (e) => assert.fail(`background failure: ${String(e)}`),
  });
}

function ruleOf(decision: Decision, rule: string) {
  const found = decision.rules.find((r) => r.rule === rule);
  assert.ok(found, `rule ${rule} was evaluated`);
  return found;
}

test('an advisory published after the build flips an admitted image to deny in the re-evaluation report, without a restart', async () => {
  await withWorld(async (world) => {
    const built = await recordBuiltImage(world.log, world.dir, builder);
    const reports: ReevaluationReport[] = [];
    const runtime = runtimeOf(world, reports);
    await runtime.applyPolicies(FRESH_VULNERABILITIES);
    await eventually(() => reports.find((r) => r.trigger.includes('policies')), 'the re-evaluation after the policy change');

    const admitted = await runtime.decide({ reference: IMAGE_REFERENCE, digest: built.digest, namespace: 'shop', namespaceLabels: { team: 'shop' }, kind: 'Deployment', source: 'admission' });
    assert.equal(admitted.decision.outcome, 'allow');
    assert.equal(ruleOf(admitted.decision, 'no-high-disclosed-after-build').passed, true);
    assert.notEqual(admitted.recordId, undefined);

    const added = await runtime.addAdvisories([await osvFixture('debian-12/DEBIAN-CVE-2023-4911.json')]);
    assert.deepEqual(added, { inserted: 1, replaced: 0, unchanged: 0 });
    const report = await eventually(() => reports.find((r) => r.trigger.includes('advisories')), 'the re-evaluation after the advisory');
    assert.equal(report.evaluated, 1);
    assert.equal(report.dataVersions.advisories, `adv:${await world.store.advisoriesRevision()}:1`);
    assert.deepEqual(report.failed, []);
    assert.deepEqual(
      report.changed.map((c) => [c.imageDigest, c.reference, c.namespace, c.previousOutcome, c.outcome]),
      [[built.digest, IMAGE_REFERENCE, 'shop', 'allow', 'deny']],
    );
    assert.deepEqual(report.nowFailing, report.changed);

    // The re-evaluation is in the decision log, made for the admission's labels and kind.
    const [latest] = await world.store.decisionsFor(built.digest, 1);
    assert.equal(latest?.source, 'reevaluation');
    assert.equal(latest?.outcome, 'deny');
    const body = parseJsonObject(latest!.decision) as unknown as Decision & { context: { namespaceLabels: unknown; kind: unknown } };
    assert.deepEqual([body.context.namespaceLabels, body.context.kind], [{ team: 'shop' }, 'Deployment']);
    const failed = ruleOf(body, 'no-high-disclosed-after-build');
    assert.equal(failed.passed, false);
    assert.ok(failed.evidence.some((e) => e.digest === built.layers.entryDigest), 'the package inventory is cited');
    assert.ok(failed.evidence.some((e) => e.digest === built.slsa.entryDigest), 'the build time is cited');

    // A further run finds nothing new: the image was already reported.
    const again = await runtime.runNow('manual');
    assert.deepEqual([again.trigger, again.evaluated, again.changed], [['manual'], 1, []]);
    assert.deepEqual(runtime.reports().map((r) => r.id), [...reports].reverse().map((r) => r.id));
    await runtime.close();
  });
});

test('revoking the SLSA attestation a policy requires is picked up by the watch and reported as deny', async () => {
  await withWorld(async (world) => {
    const built = await recordBuiltImage(world.log, world.dir, builder);
    const reports: ReevaluationReport[] = [];
    const runtime = runtimeOf(world, reports);
    await runtime.applyPolicies(REQUIRE_SLSA);
    await eventually(() => reports.find((r) => r.trigger.includes('policies')), 'the re-evaluation after the policy change');
    const admitted = await runtime.decide({ reference: IMAGE_REFERENCE, digest: built.digest, source: 'admission' });
    assert.equal(admitted.decision.outcome, 'allow');

    const watch = runtime.watch(10);
    try {
      // Appended straight to the log, as another replica or the CLI (`provenant revoke`) would.
      await world.log.append(await proposeRevocation({ target: built.slsa.entryDigest, reason: 'builder key compromised' }, builder));
      const report = await eventually(() => reports.find((r) => r.trigger.includes('revocations')), 'the re-evaluation after the revocation');
      assert.deepEqual(
        report.nowFailing.map((c) => [c.imageDigest, c.namespace, c.previousOutcome, c.outcome]),
        [[built.digest, null, 'allow', 'deny']],
      );
    } finally {
      await watch.stop();
    }
    const [latest] = await world.store.decisionsFor(built.digest, 1);
    const body = parseJsonObject(latest!.decision) as unknown as Decision;
    const rule = ruleOf(body, 'slsa-provenance');
    assert.equal(rule.passed, false);
    assert.ok(rule.evidence.some((e) => e.kind === 'revocation'), 'the revocation is cited');
    await runtime.close();
  });
});

test('a policy change takes effect on the next decision; a dry run records nothing; the same request is served from the cache', async () => {
  await withWorld(async (world) => {
    const built = await recordBuiltImage(world.log, world.dir, builder);
    const runtime = runtimeOf(world, []);
    const request = { reference: IMAGE_REFERENCE, digest: built.digest, source: 'api' as const, dryRun: true };
    // No policy yet: the default for an unmatched image is deny.
    const none = await runtime.decide(request);
    assert.deepEqual([none.decision.outcome, none.decision.policyVersion, none.recordId], ['deny', 'none', undefined]);

    const applied = await runtime.applyPolicies(REQUIRE_SLSA);
    const first = await runtime.decide(request);
    assert.deepEqual([first.decision.outcome, first.decision.policyVersion, first.cached], ['allow', applied.policyVersion, false]);
    const second = await runtime.decide(request);
    assert.equal(second.cached, true);
    assert.deepEqual(second.decision, first.decision);
    await runtime.close();
    assert.deepEqual(await world.store.decisionsFor(built.digest, 10), []);
  });
});

test('addAdvisories is all or nothing and names the bad record', async () => {
  await withWorld(async (world) => {
    const runtime = runtimeOf(world, []);
    const good = await osvFixture('debian-12/DEBIAN-CVE-2023-4911.json');
    const bad = { id: 'DEBIAN-CVE-0000-0000', modified: 'yesterday' };
    await assert.rejects(runtime.addAdvisories([good, bad]), (e: unknown) => {
      assert.ok(e instanceof Error && 'code' in e && e.code === 'OSV_MALFORMED');
      assert.equal((e as { details?: { index?: number } }).details?.index, 1);
      return true;
    });
    assert.equal(await world.store.advisoryCount(), 0);
    assert.deepEqual(await runtime.addAdvisories([good]), { inserted: 1, replaced: 0, unchanged: 0 });
    assert.deepEqual(await runtime.addAdvisories([good]), { inserted: 0, replaced: 0, unchanged: 1 });
    await runtime.close();
  });
});
