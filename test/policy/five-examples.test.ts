// The product's five policy examples (compiler version; blocked dependency; vulnerability disclosed after the build
// date; required signer; sandbox for untrusted dependencies) and the ClusterImagePolicy example, each written as the
// YAML a user would write, on images built, attested and signed by the real builder and recorded into a SQLite log:
// parsePolicyDocuments, gatherFactsFromLog, evaluate. Each example has an image that passes and one that differs
// from it in the single input the policy is about; the failing decision names the policy/rule and what was found,
// and cites the log entry the fact came from. Examples 1 and 4 also go through `provenant policy test --data`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import type { Decision, EvaluationData, RuleResult } from '../../src/policy/decision.js';
import { loadVerifier } from '../../src/crypto/index.js';
import { parsePolicyDocuments, policySetDigest } from '../../src/policy/document/index.js';
import { evaluate } from '../../src/policy/evaluate/index.js';
import { imageRefOf } from '../../src/policy/facts/image-ref.js';
import { AdvisoryIndex } from '../../src/vuln/advisory-index.js';
import { parseOsvRecord, type Advisory } from '../../src/vuln/osv-record.js';
import { keyFiles } from '../cli/cli-helpers.js';
import { storeWorkspace } from '../cli/store-fixtures.js';
import { buildExampleImages, LODASH, OPENSSL_OLD, type ExampleImage } from './five-examples-images.js';

const ws = await storeWorkspace('five-examples');
const keyA = ws.key;
const keyB = await keyFiles(ws.path('key-b'));
const images = await buildExampleImages(ws, { A: keyA, B: keyB });
/** Every decision is made for one instant after every build. */
const AT = new Date().toISOString();

/** A PEM as a YAML block scalar's lines, `by` spaces in. */
function indent(pem: string, by: number): string {
  return pem.trimEnd().split('\n').map((line) => `${' '.repeat(by)}${line}`).join('\n');
}

/** The release pipeline's attestation key, as each ProvenancePolicy names it. */
const ATTESTORS = `  attestors:\n    - name: release-pipeline\n      key: |\n${indent(keyA.pair.publicKeyPem, 8)}`;

function data(advisories: readonly Advisory[] = []): EvaluationData {
  return { advisories: AdvisoryIndex.build(advisories), advisoriesVersion: 'test', reputation: new Map(), reputationVersion: 'none', revocationAuthorities: [] };
}

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decide(yaml: string, image: ExampleImage, advisories: readonly Advisory[] = []): Decision {
  const policies = parsePolicyDocuments(yaml, 'policy.yaml');
  return evaluate({ facts: image.facts, policies: { policies, version: policySetDigest(policies), noMatch: 'deny' }, data: data(advisories), context: { at: AT } });
}

/** The one rule evaluated, which passed. */
function passed(decision: Decision, id: string): RuleResult {
  assert.equal(decision.outcome, 'allow', decision.reasons.join('\n'));
  assert.deepEqual(decision.reasons, []);
  const [rule, ...others] = decision.rules;
  assert.deepEqual(others, []);
  assert.equal(`${rule!.policy}/${rule!.rule}`, id);
  assert.equal(rule!.passed, true, rule!.reason);
  return rule!;
}

/** The one rule evaluated, which failed with `outcome`; its reason is the decision's only one, led by policy/rule. */
function failed(decision: Decision, id: string, outcome: Decision['outcome']): RuleResult {
  assert.equal(decision.outcome, outcome, decision.reasons.join('\n'));
  const [rule, ...others] = decision.rules;
  assert.deepEqual(others, []);
  assert.equal(`${rule!.policy}/${rule!.rule}`, id);
  assert.equal(rule!.passed, false);
  assert.deepEqual(decision.reasons, [`${id}: ${rule!.reason}`]);
  return rule!;
}

const COMPILER = `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: toolchain
spec:
${ATTESTORS}
  rules:
    - name: gcc-12-2
      buildEnvironment:
        compiler: { name: gcc, version: "12.2.0" }
`;

test('1. compiler version: gcc 12.2.0 is allowed, gcc 12.1.0 denied, citing the SLSA provenance entry', () => {
  const ok = passed(decide(COMPILER, images.release), 'toolchain/gcc-12-2');
  assert.deepEqual(ok.facts, [{ name: 'build.toolchains.gcc', value: '12.2.0' }]);
  assert.deepEqual(ok.evidence, [images.release.logged.slsa]);

  const image = images['gcc-12.1.0'];
  const denied = failed(decide(COMPILER, image), 'toolchain/gcc-12-2', 'deny');
  assert.deepEqual(denied.facts, [{ name: 'build.toolchains.gcc', value: '12.1.0' }]);
  assert.match(denied.reason, /\b12\.2\.0\b.*\b12\.1\.0\b/);
  assert.deepEqual(denied.evidence, [image.logged.slsa]);
  assert.ok(denied.reason.includes(image.logged.slsa.digest), 'the reason names the provenance entry');
});

const BLOCKED = `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: dependencies
spec:
${ATTESTORS}
  rules:
    - name: no-old-openssl
      dependencies:
        blocked:
          - { ecosystem: deb, name: openssl, versions: "<3.0.7" }
`;

test('2. blocked dependency: openssl <3.0.7 denies the image whose libssl3 was built from openssl 3.0.2, citing the package inventory', () => {
  const ok = passed(decide(BLOCKED, images.release), 'dependencies/no-old-openssl');
  assert.deepEqual(ok.evidence, [images.release.logged.newestInventory]);

  const image = images['openssl-3.0.2'];
  const denied = failed(decide(BLOCKED, image), 'dependencies/no-old-openssl', 'deny');
  // Matched through the source package: no package of the image is named openssl.
  assert.ok(!image.facts.attestations.some((a) => a.packages?.some((p) => p.name === 'openssl')));
  assert.match(String(denied.facts.find((f) => f.name === 'dependencies.blocked')?.value), new RegExp(`^pkg:deb/debian/libssl3@${literal(OPENSSL_OLD)}\\b`));
  assert.match(denied.reason, new RegExp(`libssl3 ${literal(OPENSSL_OLD)} \\(source openssl\\b`));
  assert.deepEqual(denied.evidence, [image.logged.newestInventory]);
  assert.ok(denied.reason.includes(image.logged.newestInventory.digest), 'the reason names the inventory entry');
});

const DISCLOSED_AFTER_BUILD = `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: vulnerabilities
spec:
${ATTESTORS}
  rules:
    - name: disclosed-after-build
      vulnerabilities:
        severity: HIGH
        publishedAfter: build
`;

test('3. vulnerability disclosed after the build date: the real lodash advisory (2019) predates the build; a copy published after it denies', async () => {
  const text = await readFile(new URL('../fixtures/osv/GHSA-jf85-cpcp-j695.json', import.meta.url), 'utf8');
  const real = parseOsvRecord(text);
  const image = images.release;
  assert.ok(real.published !== undefined && real.published < image.finishedOn);
  passed(decide(DISCLOSED_AFTER_BUILD, image, [real]), 'vulnerabilities/disclosed-after-build');
  // The advisory does affect the image's lodash: the same policy without its date filter denies.
  const anyHigh = DISCLOSED_AFTER_BUILD.replace('        publishedAfter: build\n', '');
  const unfiltered = failed(decide(anyHigh, image, [real]), 'vulnerabilities/disclosed-after-build', 'deny');
  assert.ok(unfiltered.reason.includes(`CVE-2019-10744 in lodash ${LODASH}`), unfiltered.reason);

  // Not a real record: the real one with `published` moved to an hour after this image's build, and its id
  // suffixed so that it cannot be taken for the original.
  const published = new Date(Date.parse(image.finishedOn) + 3_600_000).toISOString();
  const moved = parseOsvRecord(JSON.stringify({ ...JSON.parse(text), id: 'GHSA-jf85-cpcp-j695-published-after-build', published }));
  const denied = failed(decide(DISCLOSED_AFTER_BUILD, image, [moved]), 'vulnerabilities/disclosed-after-build', 'deny');
  // Findings are named as `provenant scan` names them: by the CVE alias the record carries.
  assert.ok(denied.reason.includes(`CVE-2019-10744 in lodash ${LODASH}`), denied.reason);
  assert.ok(denied.reason.includes(`published ${published}`), 'the date of the moved record');
  assert.ok(denied.reason.includes(`after the build (${image.finishedOn})`), 'the build time it was compared with');
  assert.deepEqual(
    denied.evidence.map((e) => e.digest).sort(),
    [image.logged.newestInventory.digest, image.logged.slsa.digest].sort(),
    'the inventory and the build provenance',
  );
});

const SIGNER = `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: release-signing
spec:
  rules:
    - name: release-key
      signature:
        signers:
          - key: |
${indent(keyA.pair.publicKeyPem, 14)}
`;

test('4. required signer: the image signed with key A is allowed, citing its signature entry; the one signed with key B is denied', () => {
  const ok = passed(decide(SIGNER, images.release), 'release-signing/release-key');
  assert.deepEqual(ok.evidence, [images.release.logged.signature]);
  assert.ok(ok.reason.includes(loadVerifier(keyA.pair.publicKeyPem).keyId), ok.reason);

  const denied = failed(decide(SIGNER, images['signed-by-b']), 'release-signing/release-key', 'deny');
  assert.ok(denied.reason.includes(loadVerifier(keyA.pair.publicKeyPem).keyId), 'the reason names the key it required');
  assert.ok(denied.reason.endsWith(`found none; also signed by key ${loadVerifier(keyB.pair.publicKeyPem).keyId}, not required signers`), denied.reason);
});

const SANDBOX = `apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: isolation
spec:
${ATTESTORS}
  rules:
    - name: untrusted-dependencies
      action: sandbox
      sandbox:
        runtimeClassName: gvisor
        readOnlyRootFilesystem: true
        limits: { cpu: 500m, memory: 256Mi }
      dependencies:
        trustedSources: ["oci://registry.example.com/**", "git+https://github.com/acme/**"]
`;

test('5. sandbox: the image built FROM a Docker Hub base runs sandboxed with exactly the changes asked; the registry.example.com one is allowed', () => {
  passed(decide(SANDBOX, images.release), 'isolation/untrusted-dependencies');

  const image = images['docker-hub-base'];
  const decision = decide(SANDBOX, image);
  const sandboxed = failed(decision, 'isolation/untrusted-dependencies', 'sandbox');
  assert.deepEqual(decision.sandbox, { runtimeClassName: 'gvisor', readOnlyRootFilesystem: true, limits: { cpu: '500m', memory: '256Mi' } });
  assert.equal(sandboxed.effect, 'sandbox');
  assert.ok(sandboxed.reason.includes('oci://docker.io/library/debian'), sandboxed.reason);
  assert.deepEqual(sandboxed.evidence, [image.logged.slsa]);
});

const CLUSTER_IMAGE_POLICY = `apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: image-policy
spec:
  images:
  - glob: "registry.example.com/**"
  authorities:
  - key:
      data: |
${indent(keyA.pair.publicKeyPem, 8)}
`;

test('the ClusterImagePolicy example, verbatim: the image signed with key A is allowed, the one signed with key B denied', () => {
  passed(decide(CLUSTER_IMAGE_POLICY, images.release), 'image-policy/authorities');
  failed(decide(CLUSTER_IMAGE_POLICY, images['signed-by-b']), 'image-policy/authorities', 'deny');
  // The glob is what makes the policy apply: another registry's name for the same image matches no policy.
  const elsewhere = { ...images.release, facts: { ...images.release.facts, image: imageRefOf('ghcr.io/acme/app:release', images.release.digest) } };
  const unmatched = decide(CLUSTER_IMAGE_POLICY, elsewhere);
  assert.equal(unmatched.outcome, 'deny');
  assert.deepEqual(unmatched.rules, []);
});

interface CliDecision {
  outcome: string;
  reasons: string[];
  rules: { policy: string; rule: string; passed: boolean; evidence: unknown[] }[];
}

/** `provenant policy test -p FILE IMAGE --data DIR --json`: the exit status, the error code and the decision printed. */
async function policyTest(file: string, image: ExampleImage): Promise<{ exit: number; code: string | undefined; decision: CliDecision }> {
  const result = await ws.run(['policy', 'test', '-p', file, image.ref, '--as', image.reference, '--data', ws.data, '--json', '-q']);
  return { exit: result.exit, code: /^error\[([A-Z0-9_]+)\]: /.exec(result.stderr)?.[1], decision: JSON.parse(result.stdout) as CliDecision };
}

/** What a decision says about each rule, without the facts. */
function ruleSummary(decision: { rules: readonly { policy: string; rule: string; passed: boolean; evidence: readonly unknown[] }[] }): unknown[] {
  return decision.rules.map((r) => ({ policy: r.policy, rule: r.rule, passed: r.passed, evidence: r.evidence }));
}

test('`provenant policy test --data` reads examples 1 and 4 from the log and decides as above: exit 0 allows, 1 denies', async () => {
  const cases: Array<[string, string, ExampleImage, ExampleImage]> = [
    ['compiler.yaml', COMPILER, images.release, images['gcc-12.1.0']],
    ['signer.yaml', SIGNER, images.release, images['signed-by-b']],
  ];
  for (const [name, yaml, allowed, denied] of cases) {
    const file = ws.path(name);
    await writeFile(file, yaml);
    for (const [image, outcome, exit, code] of [[allowed, 'allow', 0, undefined], [denied, 'deny', 1, 'POLICY_DENIED']] as const) {
      const run = await policyTest(file, image);
      const what = `${name} on ${image.tag}`;
      assert.equal(run.exit, exit, what);
      assert.equal(run.code, code, what);
      assert.equal(run.decision.outcome, outcome, what);
      const expected = decide(yaml, image);
      assert.deepEqual(run.decision.reasons, expected.reasons, what);
      assert.deepEqual(ruleSummary(run.decision), ruleSummary(expected), what);
    }
  }
});
