// Builders for the evaluator's inputs: policies written as the document parser would produce them (globs, ranges
// and CEL compiled), and the facts gathered for an image built by `provenant build` (SLSA provenance, the layers
// predicate's package inventory, signatures), so each test states only what it changes.
import { readFileSync } from 'node:fs';
import { sha256Digest } from '../../../src/core/digest.js';
import { compileCel } from '../../../src/policy/cel-program.js';
import { evaluate } from '../../../src/policy/evaluate/evaluate.js';
import type { EvaluationData, EvaluationInput, ProviderScore, RequestContext } from '../../../src/policy/decision.js';
import type {
  AttestationFact,
  AuditFact,
  BuildFact,
  Evidence,
  ImageFacts,
  PackageFact,
  RevocationFact,
  SignatureFact,
  SignerFact,
} from '../../../src/policy/facts.js';
import { compileImageGlob } from '../../../src/policy/image-glob.js';
import type { Policy, PolicyMatch, PolicySet, Rule, RuleBody, SignerMatcher } from '../../../src/policy/policy.js';
import { parseVersionRange } from '../../../src/policy/version-range.js';
import { AdvisoryIndex } from '../../../src/vuln/advisory-index.js';
import { parseOsvRecord, type Advisory } from '../../../src/vuln/osv-record.js';

export const AT = '2024-06-01T12:00:00Z';
export const SLSA = 'https://slsa.dev/provenance/v1';
export const LAYERS = 'https://provenant.dev/attestation/layers/v1';
export const IMAGE_DIGEST = sha256Digest('registry.example.com/acme/payments manifest');

/** A real advisory from test/fixtures/osv (see SOURCE.md there). */
export function osvFixture(name: string): Advisory {
  return parseOsvRecord(readFileSync(new URL(`../../fixtures/osv/${name}`, import.meta.url), 'utf8'));
}

export function signer(name: string): SignerFact {
  return { keyId: sha256Digest(`spki of ${name}`), publicKey: `-----BEGIN PUBLIC KEY-----\n${name}\n-----END PUBLIC KEY-----` };
}

export function keyless(issuer: string, subject: string, keyName = `${subject} ephemeral`): SignerFact {
  return { ...signer(keyName), issuer, subject };
}

export const KEY_A = signer('release key A');
export const KEY_B = signer('contractor key B');
export const BUILDER = signer('builder key');
export const AUDITOR = signer('auditor key');
export const AUTHORITY = signer('security team revocation key');

export function keyMatcher(s: SignerFact, name?: string): SignerMatcher {
  return { kind: 'key', keyId: s.keyId, publicKey: s.publicKey, ...(name === undefined ? {} : { name }) };
}

let nextIndex = 100;
export function evidence(kind: Evidence['kind'], label: string): Evidence {
  return { kind, digest: sha256Digest(`log entry: ${label}`), logIndex: String(nextIndex++) };
}

export function revocation(by: SignerFact, label: string, reason = 'key compromised', createdAt = '2024-05-20T00:00:00Z'): RevocationFact {
  return { evidence: evidence('revocation', `revocation ${label}`), reason, createdAt, signer: by };
}

export function signature(by: SignerFact, label: string, revocations: RevocationFact[] = []): SignatureFact {
  return { signer: by, evidence: evidence('signature', `signature ${label}`), recordedAt: '2024-05-01T10:00:00Z', revocations };
}

export function buildFact(change: Partial<BuildFact> = {}): BuildFact {
  return {
    builderId: 'https://provenant.dev/builder/v1',
    buildType: 'https://provenant.dev/build/v1',
    source: { uri: 'git+https://github.com/acme/payments@refs/heads/main', digest: { gitCommit: '9f3c1e2d4b5a69788776655443322110ffeeddcc' } },
    ci: { system: 'github-actions', runId: '9213784412', url: 'https://github.com/acme/payments/actions/runs/9213784412' },
    toolchains: [
      { name: 'gcc', version: '12.2.0' },
      { name: 'node', version: 'v20.11.1' },
      { name: 'go', version: 'go1.22.1' },
    ],
    os: { id: 'debian', versionId: '12' },
    compilerFlags: { CFLAGS: '-O2 -fstack-protector-strong' },
    resolvedDependencies: [
      { uri: 'oci://registry.example.com/base/debian:bookworm-slim', digest: { sha256: 'a'.repeat(64) } },
      { uri: 'git+https://github.com/acme/payments@refs/heads/main', digest: { gitCommit: '9f3c1e2d4b5a69788776655443322110ffeeddcc' } },
    ],
    startedOn: '2024-05-01T09:58:00Z',
    finishedOn: '2024-05-01T10:04:31Z',
    ...change,
  };
}

export function pkg(ecosystem: PackageFact['ecosystem'], name: string, version: string, change: Partial<PackageFact> = {}): PackageFact {
  const purlType = ecosystem === 'golang' ? 'golang' : ecosystem;
  const ns = ecosystem === 'deb' ? 'debian/' : '';
  return { ecosystem, name, version, purl: `pkg:${purlType}/${ns}${name}@${version}`, licenses: ['MIT'], ...change };
}

/** The final inventory of a bookworm-based Node service. */
export function bookwormPackages(): PackageFact[] {
  return [
    pkg('deb', 'libssl3', '3.0.11-1~deb12u2', { source: { name: 'openssl', version: '3.0.11-1~deb12u2' }, licenses: ['Apache-2.0'], layer: 0 }),
    pkg('deb', 'libc6', '2.36-9+deb12u4', { source: { name: 'glibc' }, licenses: ['LGPL-2.1'], layer: 0 }),
    pkg('deb', 'zlib1g', '1:1.2.13.dfsg-1', { source: { name: 'zlib' }, licenses: ['Zlib'], layer: 0 }),
    pkg('npm', 'express', '4.19.2', { layer: 2 }),
    pkg('npm', 'lodash', '4.17.21', { layer: 2 }),
  ];
}

export function slsaAttestation(label: string, build: BuildFact = buildFact(), by: SignerFact = BUILDER, change: Partial<AttestationFact> = {}): AttestationFact {
  return { predicateType: SLSA, signer: by, evidence: evidence('attestation', `slsa ${label}`), issuedAt: '2024-05-01T10:05:00Z', revocations: [], build, ...change };
}

export function layersAttestation(label: string, packages: PackageFact[] = bookwormPackages(), by: SignerFact = BUILDER, change: Partial<AttestationFact> = {}): AttestationFact {
  return {
    predicateType: LAYERS,
    signer: by,
    evidence: evidence('attestation', `layers ${label}`),
    issuedAt: '2024-05-01T10:05:01Z',
    revocations: [],
    packages,
    osRelease: { distro: 'debian', versionId: '12' },
    ...change,
  };
}

export function audit(auditor: string, result: AuditFact['result'], createdAt: string, change: Partial<AuditFact> = {}): AuditFact {
  return { auditor, type: 'vuln-scan', result, createdAt, signer: AUDITOR, evidence: evidence('audit', `audit ${auditor} ${createdAt}`), revocations: [], ...change };
}

export interface FactsChange {
  readonly signatures?: SignatureFact[];
  readonly attestations?: AttestationFact[];
  readonly audits?: AuditFact[];
  readonly image?: Partial<ImageFacts['image']>;
}

export function imageFacts(change: FactsChange = {}): ImageFacts {
  return {
    image: {
      reference: 'registry.example.com/acme/payments:1.4.2',
      registry: 'registry.example.com',
      repository: 'acme/payments',
      tag: '1.4.2',
      digest: IMAGE_DIGEST,
      ...change.image,
    },
    signatures: change.signatures ?? [signature(KEY_A, 'release')],
    attestations: change.attestations ?? [slsaAttestation('build'), layersAttestation('build')],
    audits: change.audits ?? [],
    gatheredFrom: { kind: 'log', treeSize: '5120' },
    rejected: [],
  };
}

export function rule(body: RuleBody, change: Partial<Omit<Rule, 'kind'>> = {}): Rule {
  return { ...body, name: change.name ?? body.kind, action: 'deny', ...change } as Rule;
}

export const MATCH_ALL: PolicyMatch = { images: [], registries: [], namespaces: [], kinds: [] };

export function policy(name: string, rules: Rule[], change: Partial<Policy> = {}): Policy {
  return {
    name,
    mode: 'enforce',
    match: MATCH_ALL,
    attestors: [],
    rules,
    origin: { format: 'ProvenancePolicy', digest: sha256Digest(`policy ${name}`) },
    ...change,
  };
}

export function match(change: { images?: string[]; registries?: string[]; namespaces?: string[]; kinds?: string[]; namespaceSelector?: PolicyMatch['namespaceSelector'] }): PolicyMatch {
  return {
    images: (change.images ?? []).map(compileImageGlob),
    registries: change.registries ?? [],
    namespaces: change.namespaces ?? [],
    kinds: change.kinds ?? [],
    ...(change.namespaceSelector === undefined ? {} : { namespaceSelector: change.namespaceSelector }),
  };
}

export function policySet(policies: Policy[], noMatch: PolicySet['noMatch'] = 'deny', version = '42'): PolicySet {
  return { policies, version, noMatch };
}

export const globs = (...patterns: string[]) => patterns.map(compileImageGlob);
export const range = (text: string, ecosystem: string) => parseVersionRange(text, ecosystem);
export const cel = (source: string) => compileCel(source);

export function evaluationData(change: { advisories?: Advisory[]; reputation?: ProviderScore[]; revocationAuthorities?: string[] } = {}): EvaluationData {
  return {
    advisories: AdvisoryIndex.build(change.advisories ?? []),
    advisoriesVersion: 'sha256:6d1f0b5a8c1e57a2f0e9b4b8d3c2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4',
    reputation: new Map((change.reputation ?? []).map((s) => [s.provider, s])),
    reputationVersion: 'reputation@77',
    revocationAuthorities: change.revocationAuthorities ?? [],
  };
}

export function input(policies: PolicySet, facts: ImageFacts = imageFacts(), data: EvaluationData = evaluationData(), context: Partial<RequestContext> = {}): EvaluationInput {
  return { facts, policies, data, context: { at: AT, namespace: 'payments', namespaceLabels: { team: 'payments', env: 'prod' }, kind: 'Deployment', ...context } };
}

/** Freezes objects, arrays and map entries all the way down (the advisory index and compiled RegExps included). */
export function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<string | symbol, unknown>)[key], seen);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      deepFreeze(k, seen);
      deepFreeze(v, seen);
    }
  }
  return Object.freeze(value);
}

/** The decision for one rule in one enforcing policy. */
export function decide(r: Rule, facts: ImageFacts = imageFacts(), data: EvaluationData = evaluationData(), change: Partial<Policy> = {}, context: Partial<RequestContext> = {}) {
  const decision = evaluate(input(policySet([policy('p', [r], change)]), facts, data, context));
  return { decision, result: decision.rules[0]! };
}
