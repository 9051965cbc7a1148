import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from '../../../src/core/digest.js';
import { canonicalJson } from '../../../src/core/json.js';
import { loadVerifier } from '../../../src/crypto/index.js';
import type { CelInput } from '@bufbuild/cel';
import type { CelBindings } from '../../../src/policy/cel-program.js';
import { parsePolicyDocuments } from '../../../src/policy/document/index.js';
import type { Policy, Rule } from '../../../src/policy/policy.js';
import { indent, plainPolicy, publicKeyPem } from './document-fixtures.js';

const ATTESTOR_PEM = publicKeyPem('P-256');
const RELEASE_PEM = publicKeyPem('ed25519');
const GITHUB = 'https://token.actions.githubusercontent.com';
const RELEASE_WORKFLOW = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main';

const FULL = `# Every field of a ProvenancePolicy.
apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata:
  name: production-images
  annotations:
    acme.dev/owner: secteam
spec:
  mode: warn
  match:
    images: ["registry.example.com/team/*", "ghcr.io/acme/**"]
    registries: ["registry.example.com", "index.docker.io"]
    namespaces: ["prod"]
    namespaceSelector:
      matchLabels: {env: prod}
      matchExpressions:
        - {key: tier, operator: In, values: [web]}
        - {key: legacy, operator: DoesNotExist}
    kinds: ["Pod", "Deployment"]
  pinDigests: true
  attestors:
    - key: |
${indent(ATTESTOR_PEM, 8)}
    - keyless: { issuer: "${GITHUB}", subject: "${RELEASE_WORKFLOW}" }
  rules:
    - name: signed-by-release
      signature:
        signers:
          - name: release-key
            key: |
${indent(RELEASE_PEM, 14)}
          - keyless: { issuerRegExp: 'https://token\\.actions\\.githubusercontent\\.com', subjectRegExp: 'https://github\\.com/acme/.*' }
        count: 2
    - name: slsa
      action: warn
      message: SLSA provenance is required
      attestation: { predicateTypes: ["https://slsa.dev/provenance/v1", slsaprovenance02], maxAge: 720h }
    - name: audited
      audit: { auditors: [acme-secteam], type: vuln-scan, maxAge: 30d }
    - name: gcc-12
      buildEnvironment:
        compiler: {name: gcc, version: "12.2.0"}
        builderIds: ["https://github.com/acme/builder@v1"]
        sourceRepositories: ["git+https://github.com/acme/**"]
        ciSystems: [github-actions]
    - name: untrusted-dependencies
      action: sandbox
      sandbox:
        runtimeClassName: gvisor
        readOnlyRootFilesystem: true
        allowPrivilegeEscalation: false
        nodeSelector: {sandbox: "true"}
        limits: {cpu: 500m, memory: 256Mi}
      dependencies:
        blocked:
          - {ecosystem: deb, name: openssl, versions: "<3.0.7"}
          - {ecosystem: maven, name: "org.apache.logging.log4j:log4j-core", versions: "[2.0,2.17.1)"}
          - {name: left-pad}
        trustedSources: ["oci://registry.example.com/**", "git+https://github.com/acme/**"]
        allowedLicenses: [MIT, Apache-2.0]
    - name: disclosed-after-build
      vulnerabilities:
        severity: HIGH
        publishedAfter: build
        fixedOnly: true
        ignore:
          - {id: CVE-2011-3374, owner: secteam@acme.example, expires: "2027-01-01", reason: "apt signature check, not reachable"}
    - name: critical-since-june
      vulnerabilities: { severity: CRITICAL, publishedAfter: "2024-06-01T10:00:00+02:00" }
    - name: reputable-namespace
      reputation: { minScore: 60 }
    - name: reputable-signers
      reputation: { minScore: 75.5, provider: signer }
    - name: gcc-expression
      expression: { cel: 'build.toolchains.exists(t, t.name == "gcc")' }
`;

function only(text: string): Policy {
  const policies = parsePolicyDocuments(text, 'full.yaml');
  assert.equal(policies.length, 1);
  return policies[0]!;
}

function rule<K extends Rule['kind']>(policy: Policy, name: string, kind: K): Extract<Rule, { kind: K }> {
  const found = policy.rules.find((r) => r.name === name);
  assert.ok(found !== undefined && found.kind === kind, `rule ${name} of kind ${kind}`);
  return found as Extract<Rule, { kind: K }>;
}

test('a ProvenancePolicy with every field and rule kind gives exactly this policy', () => {
  const policy = only(FULL);
  const attestor = loadVerifier(ATTESTOR_PEM);
  const release = loadVerifier(RELEASE_PEM);
  assert.deepEqual(plainPolicy(policy), {
    name: 'production-images',
    mode: 'warn',
    match: {
      images: ['registry.example.com/team/*', 'ghcr.io/acme/**'],
      registries: ['registry.example.com', 'docker.io'],
      namespaces: ['prod'],
      namespaceSelector: {
        matchLabels: { env: 'prod' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web'] },
          { key: 'legacy', operator: 'DoesNotExist', values: [] },
        ],
      },
      kinds: ['Pod', 'Deployment'],
    },
    pinDigests: true,
    attestors: [
      { kind: 'key', keyId: attestor.keyId, publicKey: attestor.publicKeyPem() },
      { kind: 'identity', issuer: GITHUB, subject: RELEASE_WORKFLOW },
    ],
    rules: [
      {
        kind: 'signature',
        name: 'signed-by-release',
        action: 'deny',
        signers: [
          { kind: 'key', keyId: release.keyId, publicKey: release.publicKeyPem(), name: 'release-key' },
          { kind: 'identity', issuerRegExp: '^(?:https:\\/\\/token\\.actions\\.githubusercontent\\.com)$', subjectRegExp: '^(?:https:\\/\\/github\\.com\\/acme\\/.*)$' },
        ],
        count: 2,
      },
      {
        kind: 'attestation',
        name: 'slsa',
        action: 'warn',
        message: 'SLSA provenance is required',
        predicateTypes: ['https://slsa.dev/provenance/v1', 'https://slsa.dev/provenance/v0.2'],
        signers: [],
        maxAge: 720 * 3600,
      },
      { kind: 'audit', name: 'audited', action: 'deny', auditors: ['acme-secteam'], type: 'vuln-scan', maxAge: 30 * 86_400 },
      {
        kind: 'buildEnvironment',
        name: 'gcc-12',
        action: 'deny',
        compilers: [{ name: 'gcc', version: '12.2.0' }],
        builderIds: ['https://github.com/acme/builder@v1'],
        sourceRepositories: ['git+https://github.com/acme/**'],
        ciSystems: ['github-actions'],
      },
      {
        kind: 'dependencies',
        name: 'untrusted-dependencies',
        action: 'sandbox',
        sandbox: {
          runtimeClassName: 'gvisor',
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          nodeSelector: { sandbox: 'true' },
          limits: { cpu: '500m', memory: '256Mi' },
        },
        blocked: [
          { ecosystem: 'deb', name: 'openssl', versions: { text: '<3.0.7', ecosystem: 'deb' } },
          { ecosystem: 'maven', name: 'org.apache.logging.log4j:log4j-core', versions: { text: '[2.0,2.17.1)', ecosystem: 'maven' } },
          { name: 'left-pad' },
        ],
        trustedSources: ['oci://registry.example.com/**', 'git+https://github.com/acme/**'],
        allowedLicenses: ['MIT', 'Apache-2.0'],
      },
      {
        kind: 'vulnerabilities',
        name: 'disclosed-after-build',
        action: 'deny',
        severity: 'HIGH',
        publishedAfter: { kind: 'build' },
        fixedOnly: true,
        ignore: [{ id: 'CVE-2011-3374', owner: 'secteam@acme.example', expires: '2027-01-01T00:00:00Z', reason: 'apt signature check, not reachable' }],
      },
      {
        kind: 'vulnerabilities',
        name: 'critical-since-june',
        action: 'deny',
        severity: 'CRITICAL',
        publishedAfter: { kind: 'date', at: '2024-06-01T08:00:00Z' },
        fixedOnly: false,
        ignore: [],
      },
      { kind: 'reputation', name: 'reputable-namespace', action: 'deny', minScore: 60, provider: 'namespace' },
      { kind: 'reputation', name: 'reputable-signers', action: 'deny', minScore: 75.5, provider: 'signer' },
      {
        kind: 'expression',
        name: 'gcc-expression',
        action: 'deny',
        program: { source: 'build.toolchains.exists(t, t.name == "gcc")', variables: ['build'] },
      },
    ],
    origin: { format: 'ProvenancePolicy', digest: policy.origin.digest },
  });
});

test('the compiled globs, ranges, regular expressions and CEL behave as written', () => {
  const policy = only(FULL);
  const [team, acme] = policy.match.images;
  assert.equal(team!.matchesImage('registry.example.com/team/app:1.0'), true);
  assert.equal(team!.matchesImage('registry.example.com/team/nested/app:1.0'), false);
  assert.equal(acme!.matchesImage('ghcr.io/acme/nested/app:1.0'), true);

  const deps = rule(policy, 'untrusted-dependencies', 'dependencies');
  const [openssl, log4j] = deps.blocked;
  assert.deepEqual(openssl!.versions!.test('3.0.2-0ubuntu1'), { comparable: true, contains: true });
  assert.deepEqual(openssl!.versions!.test('3.0.11-1~deb12u2'), { comparable: true, contains: false });
  assert.deepEqual(log4j!.versions!.test('2.14.1'), { comparable: true, contains: true });
  assert.deepEqual(log4j!.versions!.test('2.17.1'), { comparable: true, contains: false });
  assert.equal(deps.trustedSources[1]!.matchesText('git+https://github.com/acme/lib@refs/tags/v1'), true);
  assert.equal(deps.trustedSources[1]!.matchesText('git+https://github.com/evil/lib'), false);

  const identity = rule(policy, 'signed-by-release', 'signature').signers[1]!;
  assert.ok(identity.kind === 'identity');
  assert.equal(identity.subjectRegExp!.test('https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main'), true);
  assert.equal(identity.subjectRegExp!.test('https://github.com/acme-evil/app'), false);
  assert.equal(identity.issuerRegExp!.test(`${GITHUB}.evil.example`), false);

  const cel = rule(policy, 'gcc-expression', 'expression').program;
  const bindings = (toolchains: CelInput[]): CelBindings => ({
    image: {},
    build: { toolchains },
    packages: [],
    signatures: [],
    attestations: [],
    audits: [],
    vulnerabilities: [],
    reputation: {},
    request: {},
    now: '2024-06-01T00:00:00Z',
  });
  assert.deepEqual(cel.evaluate(bindings([{ name: 'gcc', version: '12.2.0' }])), { ok: true, value: true });
  assert.deepEqual(cel.evaluate(bindings([{ name: 'clang', version: '17' }])), { ok: true, value: false });
});

test('defaults: mode enforce, match everything, no attestors, action deny, count 1, fixedOnly false, provider namespace', () => {
  const pem = publicKeyPem();
  const policy = only(`apiVersion: provenant.dev/v1
kind: ProvenancePolicy
metadata: {name: minimal}
spec:
  rules:
    - name: signed
      signature:
        signers:
          - key: |
${indent(pem, 14)}
`);
  assert.equal(policy.mode, 'enforce');
  assert.deepEqual(policy.match, { images: [], registries: [], namespaces: [], kinds: [] });
  assert.deepEqual(policy.attestors, []);
  assert.equal(policy.pinDigests, undefined);
  const signed = rule(policy, 'signed', 'signature');
  assert.equal(signed.action, 'deny');
  assert.equal(signed.count, 1);
  assert.equal('message' in signed || 'sandbox' in signed, false);
});

test('the origin digest is that of the canonical JSON value, so reformatting the YAML keeps it', () => {
  const block = only(FULL);
  const commented = only(FULL.replace('spec:\n', '# the spec\nspec:   \n').replace('mode: warn', "mode: 'warn'"));
  assert.equal(commented.origin.digest, block.origin.digest);
  const changed = only(FULL.replace('minScore: 60', 'minScore: 61'));
  assert.notEqual(changed.origin.digest, block.origin.digest);

  const flow = `{"apiVersion": "provenant.dev/v1", "kind": "ProvenancePolicy", "metadata": {"name": "n"},
    "spec": {"rules": [{"name": "r", "reputation": {"minScore": 1}}]}}`;
  const value = { apiVersion: 'provenant.dev/v1', kind: 'ProvenancePolicy', metadata: { name: 'n' }, spec: { rules: [{ name: 'r', reputation: { minScore: 1 } }] } };
  assert.equal(only(flow).origin.digest, sha256Digest(canonicalJson(value)));
});
