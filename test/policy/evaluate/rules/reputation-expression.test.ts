// reputation and expression (CEL) rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AT, KEY_A, KEY_B, cel, decide, evaluationData, imageFacts, layersAttestation, osvFixture, pkg, revocation, rule, signature } from '../policy-fixtures.js';

const NAMESPACE = 'registry.example.com/acme';

test('reputation: the registry namespace scores from the data, 50 without events', () => {
  const r = (minScore: number) => rule({ kind: 'reputation', minScore, provider: 'namespace' });
  const low = decide(r(40), undefined, evaluationData({ reputation: [{ provider: NAMESPACE, score: 31.5 }] })).result;
  assert.equal(low.passed, false);
  assert.equal(low.reason, `requires reputation ≥ 40; provider ${NAMESPACE} scores 31.5`);
  assert.deepEqual(low.facts, [{ name: `reputation.${NAMESPACE}`, value: 31.5 }]);
  assert.equal(decide(r(50)).result.passed, true);
  assert.equal(decide(r(51)).result.passed, false);
  const hub = decide(r(50), imageFacts({ image: { reference: 'nginx:1.27', registry: 'docker.io', repository: 'library/nginx' } })).result;
  assert.deepEqual(hub.facts, [{ name: 'reputation.docker.io/library', value: 50 }]);
});

test('reputation: signer mode passes when one unrevoked signer reaches the score', () => {
  const r = rule({ kind: 'reputation', minScore: 70, provider: 'signer' });
  const data = evaluationData({ reputation: [{ provider: `key:${KEY_A.keyId}`, score: 82 }, { provider: `key:${KEY_B.keyId}`, score: 20 }] });
  const both = decide(r, imageFacts({ signatures: [signature(KEY_B, 'b'), signature(KEY_A, 'a')] }), data).result;
  assert.equal(both.passed, true);
  assert.equal(both.reason, `signer key:${KEY_A.keyId} scores 82 (≥ 70)`);
  const revokedA = imageFacts({ signatures: [signature(KEY_B, 'b'), signature(KEY_A, 'a', [revocation(KEY_A, 'a')])] });
  assert.equal(decide(r, revokedA, data).result.passed, false);
  assert.match(decide(r, imageFacts({ signatures: [] }), data).result.reason, /no unrevoked signature$/);
});

test('expression: true passes, false fails, an error fails closed with the error', () => {
  const facts = imageFacts();
  const expr = (source: string) => decide(rule({ kind: 'expression', program: cel(source) }), facts).result;
  const ok = expr('build.toolchains.exists(t, t.name == "gcc" && t.version == "12.2.0") && request.namespace == "payments"');
  assert.equal(ok.passed, true);
  assert.deepEqual(ok.evidence, [facts.attestations[0]!.evidence]);
  assert.equal(expr('packages.exists(p, p.name == "libssl3" && p.source.name == "openssl")').passed, true);
  assert.equal(expr('signatures.all(s, !s.revoked) && image.repository == "acme/payments"').passed, true);
  assert.equal(expr('attestations.exists(a, a.predicateType == "https://slsa.dev/provenance/v1" && a.issuedAt != "")').passed, true);
  const no = expr('request.labels["env"] == "dev"');
  assert.equal(no.passed, false);
  assert.match(no.reason, /is false$/);
  const broken = expr('build.nosuchfield == "x"');
  assert.equal(broken.passed, false);
  assert.match(broken.reason, /failed: .+ \(failing closed\)$/);
  assert.equal(broken.effect, 'deny');
});

test('expression: build is null without trusted provenance; vulnerabilities and reputation are bound', () => {
  const lodash = osvFixture('GHSA-jf85-cpcp-j695.json');
  const facts = imageFacts({ attestations: [layersAttestation('packages only', [pkg('npm', 'lodash', '4.17.11')])] });
  const data = evaluationData({ advisories: [lodash], reputation: [{ provider: NAMESPACE, score: 64 }] });
  const expr = (source: string) => decide(rule({ kind: 'expression', program: cel(source) }), facts, data).result.passed;
  assert.equal(expr('build == null'), true);
  assert.equal(expr('vulnerabilities.exists(v, v.id == "CVE-2019-10744" && v.severity == "CRITICAL" && "4.17.12" in v.fixed && "GHSA-jf85-cpcp-j695" in v.aliases)'), true);
  assert.equal(expr(`reputation["${NAMESPACE}"] >= 60.0 && reputation["key:${KEY_A.keyId}"] == 50.0`), true);
});

test('expression: one that reads now is valid only for the instant it was decided for', () => {
  const reads = decide(rule({ kind: 'expression', program: cel('timestamp(now) < timestamp("2030-01-01T00:00:00Z")') }));
  assert.equal(reads.result.passed, true);
  assert.equal(reads.decision.validUntil, new Date(Date.parse(AT) + 1).toISOString());
  assert.equal(decide(rule({ kind: 'expression', program: cel('size(packages) > 0') })).decision.validUntil, undefined);
});
