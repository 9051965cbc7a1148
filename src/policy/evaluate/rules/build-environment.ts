// buildEnvironment: the trusted build provenance names every required compiler at exactly the required version
// (as the toolchain reports it: gcc "12.2.0", node "v20.11.1", go "go1.22.1"), and a builder id, a source
// repository (glob) and a CI system among the allowed ones, for each list the rule gives.
import type { UsedFact } from '../../decision.js';
import type { Policy } from '../../policy.js';
import { listSome, type EvaluationScope, type RuleOf, type RuleVerdict } from '../evaluation-scope.js';
import { describeMatchers } from '../signer-match.js';

export function buildEnvironmentRule(rule: RuleOf<'buildEnvironment'>, policy: Policy, scope: EvaluationScope): RuleVerdict {
  const build = scope.provenance(policy).build;
  if (build === undefined) {
    return { passed: false, reason: `no trusted build provenance (SLSA attestation by ${describeMatchers(policy.attestors)})`, facts: [], evidence: [] };
  }
  const { fact } = build;
  const facts: UsedFact[] = [...build.ignoredRevocations];
  const problems: string[] = [];
  const matched: string[] = [];
  for (const compiler of rule.compilers) {
    const versions = [...new Set(fact.toolchains.filter((t) => t.name === compiler.name).map((t) => t.version))].sort();
    facts.push({ name: `build.toolchains.${compiler.name}`, value: versions.length === 0 ? null : versions.join(', ') });
    if (versions.includes(compiler.version)) matched.push(`${compiler.name} ${compiler.version}`);
    else problems.push(`compiler ${compiler.name}: requires ${compiler.version}, found ${versions.length === 0 ? 'none' : versions.join(', ')}`);
  }
  if (rule.builderIds.length > 0) {
    facts.push({ name: 'build.builderId', value: fact.builderId });
    if (rule.builderIds.includes(fact.builderId)) matched.push(`builder ${fact.builderId}`);
    else problems.push(`builder: requires one of ${rule.builderIds.join(', ')}, found ${fact.builderId}`);
  }
  if (rule.sourceRepositories.length > 0) {
    const uri = fact.source?.uri;
    facts.push({ name: 'build.source.uri', value: uri ?? null });
    const glob = uri === undefined ? undefined : rule.sourceRepositories.find((g) => g.matchesText(uri));
    if (glob !== undefined) matched.push(`source ${uri} (${glob.pattern})`);
    else problems.push(`source repository: requires one of ${rule.sourceRepositories.map((g) => g.pattern).join(', ')}, found ${uri ?? 'none'}`);
  }
  if (rule.ciSystems.length > 0) {
    const system = fact.ci?.system;
    facts.push({ name: 'build.ci.system', value: system ?? null });
    if (system !== undefined && rule.ciSystems.includes(system)) matched.push(`CI ${system}`);
    else problems.push(`CI system: requires one of ${rule.ciSystems.join(', ')}, found ${system ?? 'none'}`);
  }
  const passed = problems.length === 0;
  const reason = passed
    ? `build environment as required${matched.length === 0 ? '' : `: ${matched.join(', ')}`} (provenance ${build.evidence.digest})`
    : `${listSome(problems)} (provenance ${build.evidence.digest})`;
  return { passed, reason, facts, evidence: [build.evidence] };
}
