// The bodies of the rule kinds of a ProvenancePolicy (docs/policy.md, "Rules"). Each kind is a closed mapping;
// globs, version ranges, predicate types and CEL arrive compiled, so evaluation never parses text.
import { resolvePredicateType } from '../../formats/predicate-types.js';
import { compileCel } from '../cel-program.js';
import { compileImageGlob, type ImageGlob } from '../image-glob.js';
import { SEVERITIES, type IgnoredVulnerability, type PackageSelector, type RuleBody, type RuleKind } from '../policy.js';
import { parseVersionRange, schemeForEcosystem } from '../version-range.js';
import { failAt, rethrowAt } from './failure.js';
import { atMostOne, Fields, flag, list, num, oneOf, text, textList } from './read-fields.js';
import { MAX_SIGNERS, signerList } from './signers.js';
import { duration, instant, VULNERABILITY_ID_RULE } from './values.js';
import type { YamlNode } from './yaml-tree.js';

export const RULE_KINDS: readonly RuleKind[] = [
  'signature',
  'attestation',
  'audit',
  'buildEnvironment',
  'dependencies',
  'vulnerabilities',
  'reputation',
  'expression',
];

const MAX_ENTRIES = 1000;
const MAX_SHORT_LIST = 64;

export function ruleBody(kind: RuleKind, node: YamlNode): RuleBody {
  switch (kind) {
    case 'signature':
      return signatureBody(node);
    case 'attestation':
      return attestationBody(node);
    case 'audit':
      return auditBody(node);
    case 'buildEnvironment':
      return buildEnvironmentBody(node);
    case 'dependencies':
      return dependenciesBody(node);
    case 'vulnerabilities':
      return vulnerabilitiesBody(node);
    case 'reputation':
      return reputationBody(node);
    case 'expression':
      return expressionBody(node);
  }
}

export function glob(node: YamlNode): ImageGlob {
  const pattern = text(node, { max: 512 });
  try {
    return compileImageGlob(pattern);
  } catch (e) {
    return rethrowAt(node, e);
  }
}

export function globList(node: YamlNode): ImageGlob[] {
  return list(node, MAX_ENTRIES).map(glob);
}

function signatureBody(node: YamlNode): RuleBody {
  const f = Fields.of(node, ['signers', 'count']);
  const signers = signerList(f.need('signers'), 1);
  const countNode = f.get('count');
  const count = countNode === undefined ? 1 : num(countNode, 1, MAX_SIGNERS, true);
  if (count > signers.length) failAt(countNode!, `asks for ${count} signers but only ${signers.length} are listed`);
  return { kind: 'signature', signers, count };
}

function attestationBody(node: YamlNode): RuleBody {
  const f = Fields.of(node, ['predicateTypes', 'signers', 'maxAge']);
  const predicateTypes = list(f.need('predicateTypes'), MAX_SHORT_LIST, 1).map(predicateType);
  const signers = f.has('signers') ? signerList(f.need('signers'), 0) : [];
  return { kind: 'attestation', predicateTypes, signers, ...maxAge(f) };
}

/** A predicate type URI, or one of cosign's `--type` names ("slsaprovenance1", "spdxjson", ...). */
export function predicateType(node: YamlNode): string {
  const value = text(node, { max: 512 });
  try {
    return resolvePredicateType(value);
  } catch (e) {
    return rethrowAt(node, e);
  }
}

function maxAge(f: Fields): { maxAge?: number } {
  return f.has('maxAge') ? { maxAge: duration(f.need('maxAge')) } : {};
}

function auditBody(node: YamlNode): RuleBody {
  const f = Fields.of(node, ['auditors', 'type', 'maxAge']);
  const auditors = textList(f.need('auditors'), MAX_SHORT_LIST, { max: 256 }, 1);
  const type = f.has('type') ? { type: oneOf(f.need('type'), ['vuln-scan', 'compliance'] as const) } : {};
  return { kind: 'audit', auditors, ...type, ...maxAge(f) };
}

function buildEnvironmentBody(node: YamlNode): RuleBody {
  const f = Fields.of(node, ['compiler', 'compilers', 'builderIds', 'sourceRepositories', 'ciSystems']);
  const which = atMostOne(f, ['compiler', 'compilers']);
  const compilers = which === undefined ? [] : which === 'compiler' ? [compiler(f.need('compiler'))] : list(f.need('compilers'), MAX_SHORT_LIST, 1).map(compiler);
  const builderIds = f.has('builderIds') ? textList(f.need('builderIds'), MAX_SHORT_LIST, { max: 2048 }) : [];
  const sourceRepositories = f.has('sourceRepositories') ? globList(f.need('sourceRepositories')) : [];
  const ciSystems = f.has('ciSystems') ? textList(f.need('ciSystems'), MAX_SHORT_LIST, { max: 128 }) : [];
  if (compilers.length + builderIds.length + sourceRepositories.length + ciSystems.length === 0) {
    failAt(f.node, 'needs at least one of compiler, compilers, builderIds, sourceRepositories, ciSystems');
  }
  return { kind: 'buildEnvironment', compilers, builderIds, sourceRepositories, ciSystems };
}

function compiler(node: YamlNode): { name: string; version: string } {
  const f = Fields.of(node, ['name', 'version']);
  return { name: text(f.need('name'), { max: 256 }), version: text(f.need('version'), { max: 256 }) };
}

function dependenciesBody(node: YamlNode): RuleBody {
  const f = Fields.of(node, ['blocked', 'trustedSources', 'allowedLicenses']);
  const blocked = f.has('blocked') ? list(f.need('blocked'), MAX_ENTRIES).map(packageSelector) : [];
  const trustedSources = f.has('trustedSources') ? globList(f.need('trustedSources')) : [];
  const allowedLicenses = f.has('allowedLicenses') ? textList(f.need('allowedLicenses'), MAX_ENTRIES, { max: 256 }) : [];
  if (blocked.length + trustedSources.length + allowedLicenses.length === 0) failAt(f.node, 'needs at least one of blocked, trustedSources, allowedLicenses');
  return { kind: 'dependencies', blocked, trustedSources, allowedLicenses };
}

function packageSelector(node: YamlNode): PackageSelector {
  const f = Fields.of(node, ['ecosystem', 'name', 'versions']);
  const name = text(f.need('name'), { max: 512 });
  if (!f.has('ecosystem')) {
    if (f.has('versions')) failAt(f.keyOf('versions'), 'versions needs an ecosystem, whose ordering compares them');
    return { name };
  }
  const ecosystemNode = f.need('ecosystem');
  const ecosystem = text(ecosystemNode, { max: 64 });
  try {
    schemeForEcosystem(ecosystem);
  } catch (e) {
    rethrowAt(ecosystemNode, e);
  }
  if (!f.has('versions')) return { ecosystem, name };
  const versionsNode = f.need('versions');
  try {
    return { ecosystem, name, versions: parseVersionRange(text(versionsNode, { max: 512 }), ecosystem) };
  } catch (e) {
    return rethrowAt(versionsNode, e);
  }
}

function vulnerabilitiesBody(node: YamlNode): RuleBody {
  const f = Fields.of(node, ['severity', 'publishedAfter', 'fixedOnly', 'ignore']);
  const severity = oneOf(f.need('severity'), SEVERITIES);
  const after = f.get('publishedAfter');
  const publishedAfter =
    after === undefined ? {} : { publishedAfter: after.kind === 'scalar' && after.value === 'build' ? { kind: 'build' as const } : { kind: 'date' as const, at: instant(after) } };
  const fixedOnly = f.has('fixedOnly') ? flag(f.need('fixedOnly')) : false;
  const ignore = f.has('ignore') ? list(f.need('ignore'), MAX_ENTRIES).map(ignored) : [];
  return { kind: 'vulnerabilities', severity, ...publishedAfter, fixedOnly, ignore };
}

function ignored(node: YamlNode): IgnoredVulnerability {
  const f = Fields.of(node, ['id', 'owner', 'expires', 'reason']);
  return {
    id: text(f.need('id'), VULNERABILITY_ID_RULE),
    owner: text(f.need('owner'), { max: 256 }),
    expires: instant(f.need('expires')),
    ...(f.has('reason') ? { reason: text(f.need('reason'), { max: 1024 }) } : {}),
  };
}

function reputationBody(node: YamlNode): RuleBody {
  const f = Fields.of(node, ['minScore', 'provider']);
  const minScore = num(f.need('minScore'), 0, 100);
  const provider = f.has('provider') ? oneOf(f.need('provider'), ['namespace', 'signer'] as const) : 'namespace';
  return { kind: 'reputation', minScore, provider };
}

function expressionBody(node: YamlNode): RuleBody {
  const f = Fields.of(node, ['cel']);
  const celNode = f.need('cel');
  const source = text(celNode, { max: 4096 });
  try {
    return { kind: 'expression', program: compileCel(source) };
  } catch (e) {
    return rethrowAt(celNode, e);
  }
}
