// The variables a CEL expression reads (cel-program.ts CEL_VARIABLES), as plain values: objects, lists, strings,
// numbers and booleans. Absent strings are "" so that comparisons never meet a missing field; `build` is null when
// the policy trusts no build provenance. `packages` and `vulnerabilities` come from the policy's trusted
// inventory (vulnerabilities unfiltered, merged per package and vulnerability); signatures, attestations and
// audits are every verified one, each with `revoked` after the revocation rules. Only the variables the expression
// reads are computed.
import type { CelInput } from '@bufbuild/cel';
import type { CelBindings, CelVariable } from '../cel-program.js';
import type { BuildFact, PackageFact, SignerFact } from '../facts.js';
import type { Policy } from '../policy.js';
import type { EvaluationScope } from './evaluation-scope.js';
import { imageNamespace, scoreOf, signerProvider } from './provider-scores.js';
import { isRevoked } from './revocations.js';

type Plain = CelInput;

export function celBindings(scope: EvaluationScope, policy: Policy, read: readonly CelVariable[]): CelBindings {
  const wanted = new Set(read);
  const value = (name: CelVariable, make: () => Plain): Plain => (wanted.has(name) ? make() : null);
  return {
    image: value('image', () => imageValue(scope)),
    build: value('build', () => {
      const build = scope.provenance(policy).build;
      return build === undefined ? null : buildValue(build.fact);
    }),
    packages: value('packages', () => packagesValue(scope.provenance(policy).inventory?.packages ?? [])),
    signatures: value('signatures', () =>
      byText(scope.facts.signatures, (s) => s.evidence.digest).map((s) => ({ ...signerValue(s.signer), recordedAt: s.recordedAt ?? '', revoked: isRevoked(s, scope.authorities), digest: s.evidence.digest })),
    ),
    attestations: value('attestations', () =>
      byText(scope.facts.attestations, (a) => a.evidence.digest).map((a) => ({
        ...signerValue(a.signer),
        predicateType: a.predicateType,
        issuedAt: a.issuedAt ?? '',
        revoked: isRevoked(a, scope.authorities),
        digest: a.evidence.digest,
      })),
    ),
    audits: value('audits', () =>
      byText(scope.facts.audits, (a) => a.evidence.digest).map((a) => ({
        ...signerValue(a.signer),
        auditor: a.auditor,
        type: a.type,
        result: a.result,
        createdAt: a.createdAt,
        revoked: isRevoked(a, scope.authorities),
        digest: a.evidence.digest,
      })),
    ),
    vulnerabilities: value('vulnerabilities', () => {
      const inventory = scope.provenance(policy).inventory;
      if (inventory === undefined) return [];
      return scope.vulnerabilities(inventory).findings.map((f) => ({
        id: f.vulnerabilityId,
        aliases: [...f.aliases],
        package: f.package.name,
        ecosystem: f.package.ecosystem,
        version: f.installedVersion,
        severity: f.severity.rating,
        published: f.published ?? '',
        fixed: [...f.fixedVersions],
        comparable: f.comparable,
      }));
    }),
    reputation: value('reputation', () => reputationValue(scope)),
    request: value('request', () => ({
      namespace: scope.request.namespace ?? '',
      kind: scope.request.kind ?? '',
      labels: { ...(scope.request.namespaceLabels ?? {}) },
    })),
    now: scope.request.at,
  };
}

// Lists are sorted so that an expression indexing them reads the same element however the facts were listed.
// The packages value depends only on the package list: built once per list (CEL never writes to its inputs).
const PACKAGE_VALUES = new WeakMap<readonly PackageFact[], Plain>();

function packagesValue(packages: readonly PackageFact[]): Plain {
  let made = PACKAGE_VALUES.get(packages);
  if (made === undefined) {
    made = byText(packages, (p) => p.purl).map((p) => ({
      ecosystem: p.ecosystem,
      name: p.name,
      version: p.version,
      purl: p.purl,
      source: { name: p.source?.name ?? '', version: p.source?.version ?? '' },
      licenses: [...(p.licenses ?? [])],
    }));
    PACKAGE_VALUES.set(packages, made);
  }
  return made;
}

function byText<T>(list: readonly T[], key: (item: T) => string): T[] {
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function imageValue(scope: EvaluationScope): Plain {
  const { reference, registry, repository, tag, digest } = scope.facts.image;
  return { reference, registry, repository, tag: tag ?? '', digest };
}

function signerValue(signer: SignerFact): { keyId: string; issuer: string; subject: string } {
  return { keyId: signer.keyId, issuer: signer.issuer ?? '', subject: signer.subject ?? '' };
}

function buildValue(b: BuildFact): Plain {
  return {
    builderId: b.builderId,
    buildType: b.buildType,
    source: { uri: b.source?.uri ?? '', digest: { ...(b.source?.digest ?? {}) } },
    ci: { system: b.ci?.system ?? '', runId: b.ci?.runId ?? '', url: b.ci?.url ?? '' },
    toolchains: b.toolchains.map((t) => ({ name: t.name, version: t.version })),
    os: { id: b.os?.id ?? '', versionId: b.os?.versionId ?? '' },
    compilerFlags: { ...b.compilerFlags },
    resolvedDependencies: b.resolvedDependencies.map((d) => ({ uri: d.uri ?? '', name: d.name ?? '', digest: { ...(d.digest ?? {}) } })),
    startedOn: b.startedOn ?? '',
    finishedOn: b.finishedOn ?? '',
  };
}

/** Scores of the image's providers: its registry namespace and the key of every unrevoked signature. */
function reputationValue(scope: EvaluationScope): Plain {
  const out: Record<string, number> = {};
  const namespace = imageNamespace(scope);
  if (namespace !== undefined) out[namespace] = scoreOf(scope, namespace);
  for (const s of scope.facts.signatures) {
    const provider = isRevoked(s, scope.authorities) ? undefined : signerProvider(s.signer.keyId);
    if (provider !== undefined) out[provider] = scoreOf(scope, provider);
  }
  return out;
}
