// How the policy runtime stays exact while reading little: while the log has not grown (and the advisory revision
// has not moved) a decision makes no log search at all; any new entry, including an audit that names the image
// only through its lineage record, is seen by the next decision. Decisions made together are committed together.
// Real log and SQLite store; the log is wrapped only to count the searches it answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SigningKey } from '../../../src/crypto/index.js';
import { proposeAudit, proposeLineageRecord, proposeSignature } from '../../../src/log/entries/index.js';
import type { LogService } from '../../../src/log/service.js';
import { PolicyRuntime } from '../../../src/policy/runtime/policy-runtime.js';
import { IMAGE_NAME, IMAGE_REFERENCE, recordBuiltImage, withWorld, type RuntimeWorld } from './runtime-fixtures.js';

const service = SigningKey.generate('ed25519');
const builder = SigningKey.generate('ecdsa-p256');
const auditor = SigningKey.generate('ed25519');

const REQUIRE_AUDIT = `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: require-audit
spec:
  rules:
    - name: scanned
      audit:
        auditors: [sec-team]
`;

/** The world's log, with the searches it answers counted. */
function countingLog(world: RuntimeWorld): { log: LogService; searches: () => number } {
  let searches = 0;
  const log = new Proxy(world.log as LogService, {
    get(target, property, receiver) {
      if (property === 'search') {
        return (...args: Parameters<LogService['search']>) => {
          searches++;
          return target.search(...args);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { log, searches: () => searches };
}

function runtimeOn(world: RuntimeWorld, log: LogService): PolicyRuntime {
  return new PolicyRuntime({
    log,
    decisions: world.store,
    advisories: world.store,
    signer: service,
    trustedKeys: [],
    onError: (e) => assert.fail(`background failure: ${String(e)}`),
  });
}

test('no log search while the log has not grown; an audit appended later changes the next decision', async () => {
  await withWorld(async (world) => {
    const built = await recordBuiltImage(world.log, world.dir, builder);
    const { log, searches } = countingLog(world);
    const runtime = runtimeOn(world, log);
    try {
      await runtime.applyPolicies(REQUIRE_AUDIT);
      const record = await world.log.append(
        await proposeLineageRecord({ line: 'acme/app', artifact: { kind: 'oci-image', name: IMAGE_NAME, digest: built.digest }, previous: null, sequence: 1 }, service),
      );
      const ask = { reference: IMAGE_REFERENCE, digest: built.digest, namespace: 'shop', source: 'admission' } as const;
      const first = await runtime.decide(ask);
      assert.equal(first.decision.outcome, 'deny');
      assert.match(first.decision.reasons.join('\n'), /sec-team: no audit/);

      const before = searches();
      const again = await runtime.decide({ ...ask, namespace: 'other' });
      const repeated = await runtime.decide(ask);
      assert.equal(searches(), before, 'an unchanged log is not searched');
      assert.equal(again.decision.outcome, 'deny');
      assert.equal(repeated.cached, true);

      // The audit names the image through its lineage record, which was there before the first decision.
      await world.log.append(
        await proposeAudit({ record: record.entryDigest, line: 'acme/app', artifact: { name: IMAGE_NAME, digest: built.digest }, auditor: 'sec-team', type: 'vuln-scan', result: 'pass' }, auditor),
      );
      const audited = await runtime.decide(ask);
      assert.equal(audited.decision.outcome, 'allow', audited.decision.reasons.join('\n'));
      assert.equal(audited.cached, false);
      assert.ok(searches() > before, 'a grown log is searched again');

      // An entry about another image: the log grew, so it is checked, but this image's decision is still cached.
      const other = SigningKey.generate('ecdsa-p256');
      const payload = Buffer.from(JSON.stringify({ critical: { image: { 'docker-manifest-digest': `sha256:${'e'.repeat(64)}` }, identity: { 'docker-reference': 'registry.example/other' }, type: 'cosign container image signature' }, optional: null }));
      await world.log.append(proposeSignature(payload, await other.sign(payload), other.publicKeyPem()));
      const unrelated = await runtime.decide(ask);
      assert.equal(unrelated.cached, true);
      assert.equal(unrelated.decision.outcome, 'allow');
    } finally {
      await runtime.close();
    }
  });
});

test('decisions made together are committed together, each with its own id and body', async () => {
  await withWorld(async (world) => {
    const built = await recordBuiltImage(world.log, world.dir, builder);
    const runtime = runtimeOn(world, world.log);
    try {
      await runtime.applyPolicies(REQUIRE_AUDIT);
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => runtime.decide({ reference: IMAGE_REFERENCE, digest: built.digest, namespace: `ns-${i}`, source: 'admission' })),
      );
      const ids = results.map((r) => r.recordId);
      assert.equal(new Set(ids).size, 40);
      for (const [i, r] of results.entries()) {
        const stored = await world.store.decision(r.recordId!);
        assert.equal(stored?.namespace, `ns-${i}`);
        assert.equal(stored?.outcome, 'deny');
        assert.equal(JSON.parse(stored!.decision.toString('utf8')).context.namespace, `ns-${i}`);
      }
      const { decisions, batches } = runtime.writerStats();
      assert.equal(decisions, 40);
      assert.ok(batches < 40, `40 concurrent decisions took ${batches} commits`);
    } finally {
      await runtime.close();
    }
  });
});
