// The five policy examples of the product, each on realistic facts of an image built by the builder, both ways:
// the facts that satisfy the policy and the ones that do not. Reasons must name the rule and the evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Decision, EvaluationInput } from '../../../src/policy/decision.js';
import { evaluate } from '../../../src/policy/evaluate/evaluate.js';
import {
  BUILDER,
  KEY_A,
  KEY_B,
  buildFact,
  bookwormPackages,
  evaluationData,
  globs,
  imageFacts,
  input,
  keyMatcher,
  layersAttestation,
  osvFixture,
  pkg,
  policy,
  policySet,
  range,
  rule,
  signature,
  slsaAttestation,
} from './policy-fixtures.js';

const lodash = osvFixture('GHSA-jf85-cpcp-j695.json');

function withBuild(label: string, change: Parameters<typeof buildFact>[0]) {
  return imageFacts({ attestations: [slsaAttestation(label, buildFact(change)), layersAttestation(label)] });
}

function withPackages(label: string, packages = bookwormPackages(), build = buildFact()) {
  return imageFacts({ attestations: [slsaAttestation(label, build), layersAttestation(label, packages)] });
}

const compilerPolicy = policySet([
  policy('toolchain', [rule({ kind: 'buildEnvironment', compilers: [{ name: 'gcc', version: '12.2.0' }], builderIds: [], sourceRepositories: [], ciSystems: [] }, { name: 'gcc-12.2.0' })]),
]);

const opensslPolicy = policySet([
  policy('dependencies', [rule({ kind: 'dependencies', blocked: [{ ecosystem: 'deb', name: 'openssl', versions: range('<3.0.7', 'deb') }], trustedSources: [], allowedLicenses: [] }, { name: 'no-old-openssl' })]),
]);

const disclosedAfterBuild = policySet([
  policy('vulnerabilities', [rule({ kind: 'vulnerabilities', severity: 'HIGH', publishedAfter: { kind: 'build' }, fixedOnly: false, ignore: [] }, { name: 'disclosed-after-build' })]),
]);

const signerPolicy = policySet([
  policy('release-signing', [rule({ kind: 'signature', signers: [keyMatcher(KEY_A, 'release key A')], count: 1 }, { name: 'signed-by-release-key' })], {
    attestors: [keyMatcher(BUILDER)],
  }),
]);

// Two policies ask for a sandbox for different reasons; their changes are merged.
const sandboxPolicies = policySet([
  policy('base-images', [
    rule(
      { kind: 'dependencies', blocked: [], trustedSources: globs('oci://registry.example.com/base/**', 'git+https://github.com/acme/**'), allowedLicenses: [] },
      { name: 'trusted-sources', action: 'sandbox', sandbox: { runtimeClassName: 'gvisor', readOnlyRootFilesystem: true, limits: { memory: '1Gi', cpu: '2' } } },
    ),
  ]),
  policy('isolation', [
    rule(
      { kind: 'dependencies', blocked: [], trustedSources: globs('oci://registry.example.com/**', 'git+https://github.com/**'), allowedLicenses: [] },
      { name: 'registry-sources', action: 'sandbox', sandbox: { nodeSelector: { 'sandbox.acme.io/pool': 'untrusted' }, allowPrivilegeEscalation: false, limits: { memory: '512Mi', cpu: '1500m' } } },
    ),
  ]),
]);

const lodashBuild = (finishedOn: string) =>
  withPackages(`lodash ${finishedOn}`, [...bookwormPackages().filter((p) => p.name !== 'lodash'), pkg('npm', 'lodash', '4.17.11')], buildFact({ startedOn: finishedOn, finishedOn }));

interface Example {
  readonly name: string;
  readonly input: EvaluationInput;
  readonly outcome: Decision['outcome'];
  readonly reason?: RegExp;
  readonly check?: (d: Decision, i: EvaluationInput) => void;
}

const examples: Example[] = [
  { name: 'compiler gcc 12.2.0 required, built with 12.2.0', input: input(compilerPolicy, withBuild('gcc ok', {})), outcome: 'allow' },
  {
    name: 'compiler gcc 12.2.0 required, built with 12.1.0',
    input: input(compilerPolicy, withBuild('gcc old', { toolchains: [{ name: 'gcc', version: '12.1.0' }, { name: 'node', version: 'v20.11.1' }] })),
    outcome: 'deny',
    reason: /^toolchain\/gcc-12\.2\.0: compiler gcc: requires 12\.2\.0, found 12\.1\.0 \(provenance sha256:[0-9a-f]{64}\)$/,
    check: (d, i) => {
      const provenance = i.facts.attestations.find((a) => a.build !== undefined)!;
      assert.ok(d.reasons[0]!.includes(provenance.evidence.digest));
      assert.deepEqual(d.rules[0]!.evidence, [provenance.evidence]);
      assert.deepEqual(d.rules[0]!.facts, [{ name: 'build.toolchains.gcc', value: '12.1.0' }]);
    },
  },
  {
    name: 'openssl <3.0.7 blocked, libssl3 from openssl 3.0.11 (the fix)',
    input: input(opensslPolicy, withPackages('openssl fixed')),
    outcome: 'allow',
  },
  {
    name: 'openssl <3.0.7 blocked, libssl3 from openssl 3.0.2 (a binNMU of it)',
    input: input(
      opensslPolicy,
      withPackages('openssl old', [pkg('deb', 'libssl3', '3.0.2-1+b1', { source: { name: 'openssl', version: '3.0.2-1' } }), ...bookwormPackages().filter((p) => p.name !== 'libssl3')]),
    ),
    outcome: 'deny',
    reason: /^dependencies\/no-old-openssl: deb\/openssl <3\.0\.7 blocks libssl3 3\.0\.2-1\+b1 \(source openssl 3\.0\.2-1\) \(inventory sha256:[0-9a-f]{64}\)$/,
    check: (d, i) => {
      assert.deepEqual(d.rules[0]!.facts.find((f) => f.name === 'dependencies.blocked')?.value, 'pkg:deb/debian/libssl3@3.0.2-1+b1');
      assert.deepEqual(d.rules[0]!.evidence, [i.facts.attestations.find((a) => a.packages !== undefined)!.evidence]);
    },
  },
  {
    name: 'lodash advisory (published 2019-07-10) disclosed after a build of 2019-06-01',
    input: input(disclosedAfterBuild, lodashBuild('2019-06-01T08:00:00Z'), evaluationData({ advisories: [lodash] })),
    outcome: 'deny',
    reason: /^vulnerabilities\/disclosed-after-build: requires no vulnerabilities at or above HIGH published after the build \(2019-06-01T08:00:00Z\); found 1: CVE-2019-10744 in lodash 4\.17\.11 \(CRITICAL, fixed in 4\.17\.12, published 2019-07-10T19:45:23Z in GHSA-jf85-cpcp-j695\) \(inventory sha256:[0-9a-f]{64}, provenance sha256:[0-9a-f]{64}\)$/,
    check: (d, i) => {
      const digests = d.rules[0]!.evidence.map((e) => e.digest).sort();
      assert.deepEqual(digests, i.facts.attestations.map((a) => a.evidence.digest).sort(), 'the inventory and the build provenance');
      assert.ok(d.rules[0]!.facts.some((f) => f.name === 'vulnerability.CVE-2019-10744' && f.value === 'pkg:npm/lodash@4.17.11 CRITICAL published 2019-07-10T19:45:23Z'));
    },
  },
  {
    name: 'lodash advisory already public at a build of 2019-08-01',
    input: input(disclosedAfterBuild, lodashBuild('2019-08-01T08:00:00Z'), evaluationData({ advisories: [lodash] })),
    outcome: 'allow',
  },
  { name: 'signer key A required, signed by A', input: input(signerPolicy, imageFacts({ signatures: [signature(KEY_A, 'by A')] })), outcome: 'allow' },
  {
    name: 'signer key A required, signed by B',
    input: input(signerPolicy, imageFacts({ signatures: [signature(KEY_B, 'by B')] })),
    outcome: 'deny',
    reason: new RegExp(`^release-signing/signed-by-release-key: requires signatures by 1 signer of release key A; found none; also signed by key ${KEY_B.keyId}, not required signers$`),
  },
  {
    name: 'base image from the trusted base registry: no sandbox',
    input: input(sandboxPolicies, withPackages('trusted base')),
    outcome: 'allow',
  },
  {
    name: 'base image from Docker Hub: sandboxed with the changes of both policies merged',
    input: input(
      sandboxPolicies,
      withPackages('hub base', bookwormPackages(), buildFact({ resolvedDependencies: [{ uri: 'oci://docker.io/library/debian:bookworm', digest: { sha256: 'b'.repeat(64) } }] })),
    ),
    outcome: 'sandbox',
    reason: /^base-images\/trusted-sources: untrusted sources \(trusted: oci:\/\/registry\.example\.com\/base\/\*\*, git\+https:\/\/github\.com\/acme\/\*\*\): oci:\/\/docker\.io\/library\/debian:bookworm \(provenance sha256:[0-9a-f]{64}\)$/,
    check: (d) => {
      assert.deepEqual(d.sandbox, {
        runtimeClassName: 'gvisor',
        nodeSelector: { 'sandbox.acme.io/pool': 'untrusted' },
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        limits: { memory: '512Mi', cpu: '1500m' },
      });
      assert.equal(d.reasons.length, 2);
      assert.match(d.reasons[1]!, /^isolation\/registry-sources: untrusted sources/);
    },
  },
];

for (const example of examples) {
  test(`product example: ${example.name} → ${example.outcome}`, () => {
    const decision = evaluate(example.input);
    assert.equal(decision.outcome, example.outcome, decision.reasons.join('\n'));
    if (example.outcome === 'allow') assert.deepEqual(decision.reasons, []);
    if (example.reason !== undefined) assert.match(decision.reasons[0] ?? '', example.reason);
    for (const r of decision.rules) assert.ok(r.evidence.length > 0 || r.kind === 'signature', `${r.rule} names its evidence`);
    example.check?.(decision, example.input);
  });
}
