// Decision latency from cached provenance: a 20-rule policy set (YAML, every rule kind, CEL expressions) evaluated
// against the facts of an image with --packages packages (deb with source packages, npm, PyPI), with advisory data
// of the real fixtures plus --advisories synthetic records (bench/osv-synthetic.ts). The facts are gathered once,
// as the service holds them between admissions of the same digest; each sample is a full evaluation (not a
// decision-cache hit), with the request context varied so nothing else is reused by accident.
// Baseline, same process, same facts: JSON.stringify + SHA-256 of the facts object, the least a cache key over the
// facts would cost.
// Usage: node --import tsx bench/policy-decision.ts [--packages 2000] [--advisories 200000] [--samples 5000]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SigningKey } from '../src/crypto/index.js';
import type { EvaluationData, RequestContext } from '../src/policy/decision.js';
import { parsePolicyDocuments, policySetDigest } from '../src/policy/document/index.js';
import { evaluate } from '../src/policy/evaluate/index.js';
import type { AttestationFact, ImageFacts, PackageFact, SignerFact } from '../src/policy/facts.js';
import type { PolicySet } from '../src/policy/policy.js';
import { AdvisoryIndex } from '../src/vuln/advisory-index.js';
import { advisoryFromJson, type Advisory } from '../src/vuln/osv-record.js';
import { SyntheticOsv } from './osv-synthetic.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : Number(args[i + 1]);
};
const packageCount = option('--packages', 2_000);
const advisoryCount = option('--advisories', 200_000);
const samples = option('--samples', 5_000);

const keyA = SigningKey.generate('ecdsa-p256');
const others = [SigningKey.generate('ecdsa-p256'), SigningKey.generate('ed25519')];
const signer = (k: SigningKey): SignerFact => ({ keyId: k.keyId, publicKey: k.publicKeyPem() });
const digest = (s: string): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const evidence = (kind: 'signature' | 'attestation' | 'audit', n: number) => ({ kind, digest: digest(`${kind} ${n}`), logIndex: String(100 + n) });

const synthetic = new SyntheticOsv(advisoryCount);
const fixtures = join(import.meta.dirname, '../test/fixtures/osv');
const realRecords = [...readdirSync(fixtures).filter((f) => f.endsWith('.json')).map((f) => join(fixtures, f)), ...readdirSync(join(fixtures, 'debian-12')).filter((f) => f.endsWith('.json')).map((f) => join(fixtures, 'debian-12', f))];
const advisories: Advisory[] = realRecords.map((f) => advisoryFromJson(JSON.parse(readFileSync(f, 'utf8'))));
for (let n = 0; n < advisoryCount; n++) advisories.push(advisoryFromJson(synthetic.record(n) as never));
const index = AdvisoryIndex.build(advisories);

const packages: PackageFact[] = synthetic.packages(packageCount).map((p, i) => ({
  ecosystem: p.ecosystem,
  name: p.name,
  version: p.version,
  purl: p.purl,
  ...(p.source === undefined ? {} : { source: p.source }),
  ...(p.licenses === undefined ? {} : { licenses: p.licenses }),
  layer: i % 4,
}));
const FINISHED = '2025-06-01T12:00:00Z';
const attestation = (predicateType: string, n: number, extra: Partial<AttestationFact> = {}): AttestationFact => ({
  predicateType,
  signer: signer(keyA),
  evidence: evidence('attestation', n),
  issuedAt: FINISHED,
  revocations: [],
  ...extra,
});
const facts: ImageFacts = {
  image: { reference: 'registry.example.com/acme/app:1.0', registry: 'registry.example.com', repository: 'acme/app', tag: '1.0', digest: digest('manifest') },
  signatures: [keyA, ...others].map((k, i) => ({ signer: signer(k), evidence: evidence('signature', i), recordedAt: FINISHED, revocations: [] })),
  attestations: [
    attestation('https://slsa.dev/provenance/v1', 10, {
      build: {
        builderId: 'https://builder.example.com/provenant@v1',
        buildType: 'https://provenant.dev/build/v1',
        source: { uri: 'git+https://github.com/acme/app@refs/heads/main', digest: { gitCommit: 'c0'.repeat(20) } },
        ci: { system: 'github-actions', runId: '4242' },
        toolchains: [{ name: 'gcc', version: '12.2.0' }, { name: 'node', version: 'v20.11.1' }],
        os: { id: 'debian', versionId: '12' },
        compilerFlags: { CFLAGS: '-O2 -g' },
        resolvedDependencies: [{ uri: 'oci://registry.example.com/base/debian:12', digest: { sha256: 'b'.repeat(64) } }, { uri: 'git+https://github.com/acme/app@refs/heads/main' }],
        startedOn: '2025-06-01T11:50:00Z',
        finishedOn: FINISHED,
      },
    }),
    attestation('https://provenant.dev/attestation/layers/v1', 11, { packages, osRelease: { distro: 'debian', versionId: '12' } }),
    attestation('https://cyclonedx.org/bom', 12, { packages, osRelease: { distro: 'debian', versionId: '12' } }),
    attestation('https://spdx.dev/Document', 13, { packages }),
    attestation('https://provenant.dev/attestation/audit/v1', 14),
  ],
  audits: [0, 1].map((n) => ({ auditor: 'acme-secteam', type: 'vuln-scan' as const, result: 'pass' as const, createdAt: '2025-06-02T00:00:00Z', signer: signer(keyA), evidence: evidence('audit', n), revocations: [] })),
  gatheredFrom: { kind: 'log', treeSize: '1000' },
  rejected: [],
};

const pem = keyA.publicKeyPem().trimEnd().split('\n').map((l) => `          ${l}`).join('\n');
const rules = [
  `- name: signed\n  signature:\n    signers:\n      - key: |\n${pem}`,
  `- name: slsa\n  attestation: {predicateTypes: [https://slsa.dev/provenance/v1], maxAge: 8760h}`,
  `- name: layers\n  attestation: {predicateTypes: [https://provenant.dev/attestation/layers/v1]}`,
  `- name: audited\n  audit: {auditors: [acme-secteam], type: vuln-scan, maxAge: 400d}`,
  `- name: gcc\n  buildEnvironment: {compiler: {name: gcc, version: "12.2.0"}}`,
  `- name: builder\n  buildEnvironment: {builderIds: ["https://builder.example.com/provenant@v1"]}`,
  `- name: source\n  buildEnvironment: {sourceRepositories: ["git+https://github.com/acme/**"]}`,
  `- name: ci\n  buildEnvironment: {ciSystems: [github-actions]}`,
  `- name: blocked\n  dependencies: {blocked: [{ecosystem: deb, name: openssl, versions: "<3.0.7"}, {ecosystem: npm, name: event-stream}, {ecosystem: pypi, name: ctx}]}`,
  `- name: sources\n  action: sandbox\n  sandbox: {runtimeClassName: gvisor}\n  dependencies: {trustedSources: ["oci://registry.example.com/**", "git+https://github.com/acme/**"]}`,
  `- name: licences\n  action: warn\n  dependencies: {allowedLicenses: [MIT, Apache-2.0, GPL-2.0-or-later]}`,
  `- name: fresh-critical\n  vulnerabilities: {severity: CRITICAL, publishedAfter: build, ignore: [{id: CVE-2011-3374, owner: secteam@acme.example, expires: "2030-01-01"}]}`,
  `- name: fixable-high\n  action: warn\n  vulnerabilities: {severity: HIGH, fixedOnly: true}`,
  `- name: reputation\n  reputation: {minScore: 40}`,
  `- name: size\n  expression: {cel: 'packages.size() < 5000'}`,
  `- name: has-gcc\n  expression: {cel: 'build != null && build.toolchains.exists(t, t.name == "gcc")'}`,
  `- name: signature-live\n  expression: {cel: 'signatures.exists(s, !s.revoked)'}`,
  `- name: registry\n  expression: {cel: 'image.registry == "registry.example.com"'}`,
  `- name: attestations-live\n  expression: {cel: 'attestations.all(a, !a.revoked)'}`,
  `- name: not-system\n  expression: {cel: 'request.namespace != "kube-system"'}`,
];
const yaml = `apiVersion: provenant.dev/v1\nkind: ProvenancePolicy\nmetadata:\n  name: production\nspec:\n  mode: enforce\n  attestors:\n    - key: |\n${pem.replace(/^ {10}/gm, '        ')}\n  rules:\n${rules.map((r) => r.replace(/^/gm, '    ')).join('\n')}\n`;
const policies = parsePolicyDocuments(yaml);
const policySet: PolicySet = { policies, version: policySetDigest(policies), noMatch: 'deny' };
if (policies[0]!.rules.length !== 20) throw new Error(`expected 20 rules, got ${policies[0]!.rules.length}`);
const data: EvaluationData = {
  advisories: index,
  advisoriesVersion: 'bench',
  reputation: new Map([['registry.example.com/acme', { provider: 'registry.example.com/acme', score: 71 }]]),
  reputationVersion: 'bench',
  revocationAuthorities: [],
};
const namespaces = ['shop', 'payments', 'search', 'batch'];
const context = (i: number): RequestContext => ({ at: new Date(Date.parse('2025-07-01T00:00:00Z') + i * 1000).toISOString(), namespace: namespaces[i % 4]!, kind: i % 2 === 0 ? 'Deployment' : 'Pod' });

const first = evaluate({ facts, policies: policySet, data, context: context(0) });
console.log(`facts per rule: ${first.rules.map((r) => `${r.rule}=${r.facts.length}`).join(" ")}`);
console.log(`decision: ${first.outcome}; rules evaluated ${first.rules.length} (failed: ${first.rules.filter((r) => !r.passed).map((r) => r.rule).join(', ') || 'none'})`);
for (let i = 0; i < 200; i++) evaluate({ facts, policies: policySet, data, context: context(i) });

const micros = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e3;
const decisionTimes: number[] = [];
const baselineTimes: number[] = [];
// Two loops rather than one interleaved: the baseline allocates the facts' whole JSON text (megabytes) each time,
// and the collections that garbage causes would otherwise land in the decisions' timings.
for (let i = 0; i < samples; i++) {
  const t0 = process.hrtime.bigint();
  evaluate({ facts, policies: policySet, data, context: context(i) });
  decisionTimes.push(micros(t0));
}
for (let i = 0; i < samples; i++) {
  const t0 = process.hrtime.bigint();
  createHash('sha256').update(JSON.stringify(facts)).digest('hex');
  baselineTimes.push(micros(t0));
}
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
console.log('');
console.log(`| what (${packageCount} packages, ${advisoryCount} synthetic + ${realRecords.length} real advisories, ${samples} samples) | p50 (µs) | p99 (µs) | max (µs) |`);
console.log('|---|---|---|---|');
console.log(`| evaluate, 20 rules | ${pct(decisionTimes, 0.5).toFixed(0)} | ${pct(decisionTimes, 0.99).toFixed(0)} | ${Math.max(...decisionTimes).toFixed(0)} |`);
console.log(`| baseline: JSON.stringify + SHA-256 of the facts | ${pct(baselineTimes, 0.5).toFixed(0)} | ${pct(baselineTimes, 0.99).toFixed(0)} | ${Math.max(...baselineTimes).toFixed(0)} |`);
console.log(`| ratio (p99) | | ${(pct(decisionTimes, 0.99) / pct(baselineTimes, 0.99)).toFixed(2)}x | |`);
