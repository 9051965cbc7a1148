// dependencies: no package of the trusted inventory is blocked, every input came from a trusted source, and
// every package declares only allowed licences. Each part the rule gives needs its facts: blocked packages and
// licences the inventory, trusted sources the build provenance; missing facts fail the rule.
import type { UsedFact } from '../../decision.js';
import type { BuildFact, Evidence, PackageFact } from '../../facts.js';
import type { Policy } from '../../policy.js';
import { citing, listSome, plural, type EvaluationScope, type RuleOf, type RuleVerdict } from '../evaluation-scope.js';
import { IdentityMemo } from '../identity-memo.js';
import { describeSelector, selectorMatch } from '../package-selector.js';
import { describeMatchers } from '../signer-match.js';
import { checkSources } from '../trusted-sources.js';

export function dependenciesRule(rule: RuleOf<'dependencies'>, policy: Policy, scope: EvaluationScope): RuleVerdict {
  const { build, inventory } = scope.provenance(policy);
  const facts: UsedFact[] = [];
  const evidence: Evidence[] = [];
  const problems: string[] = [];
  const checked: string[] = [];
  const attestors = describeMatchers(policy.attestors);
  const needsInventory = rule.blocked.length > 0 || rule.allowedLicenses.length > 0;
  if (needsInventory && inventory === undefined) problems.push(`no trusted package inventory (attestation with packages by ${attestors})`);
  if (inventory !== undefined && needsInventory) {
    evidence.push(inventory.evidence);
    facts.push(...inventory.ignoredRevocations, { name: 'packages.count', value: inventory.packages.length });
  }
  const packages = inventory === undefined ? [] : sortedByPurl(inventory.packages);

  if (rule.blocked.length > 0 && inventory !== undefined) {
    const result = BLOCKED.get(rule, inventory.packages, '', () => blockedPackages(rule, packages));
    facts.push(...result.facts);
    problems.push(...result.problems);
    checked.push(...result.checked);
  }

  if (rule.trustedSources.length > 0) {
    if (build === undefined) problems.push(`no trusted build provenance (SLSA attestation by ${attestors}) to read the sources from`);
    else {
      evidence.push(build.evidence);
      facts.push(...build.ignoredRevocations);
      const result = SOURCES.get(build.fact, packages, rule.trustedSources.map((g) => g.pattern).join('\n'), () => checkSources(rule.trustedSources, build.fact, packages));
      for (const source of result.untrusted) facts.push({ name: 'dependencies.untrustedSource', value: source });
      const trusted = rule.trustedSources.map((g) => g.pattern).join(', ');
      if (result.untrusted.length > 0) problems.push(`untrusted sources (trusted: ${trusted}): ${result.untrusted.join(', ')}`);
      else checked.push(`${plural(result.checked, 'source')} trusted (${trusted})`);
    }
  }

  if (rule.allowedLicenses.length > 0 && inventory !== undefined) {
    const result = LICENCES.get(rule, inventory.packages, '', () => licenceCheck(rule, packages));
    facts.push(...result.facts);
    problems.push(...result.problems);
    checked.push(...result.checked);
  }

  const passed = problems.length === 0;
  const reason = passed ? (checked.length === 0 ? 'no dependency condition given' : checked.join('; ')) : listSome(problems, 10);
  return { passed, reason: `${reason}${citing(evidence, inventory?.evidence.digest)}`, facts, evidence };
}

interface InventoryCheck {
  readonly facts: readonly UsedFact[];
  readonly problems: readonly string[];
  readonly checked: readonly string[];
}

// Both checks depend only on the rule and the package list: remembered by their identity (identity-memo.ts).
const BLOCKED = new IdentityMemo<RuleOf<'dependencies'>, readonly PackageFact[], InventoryCheck>();
const LICENCES = new IdentityMemo<RuleOf<'dependencies'>, readonly PackageFact[], InventoryCheck>();
const SOURCES = new IdentityMemo<BuildFact, readonly PackageFact[], ReturnType<typeof checkSources>>();
const SORTED = new WeakMap<readonly PackageFact[], readonly PackageFact[]>();

function sortedByPurl(packages: readonly PackageFact[]): readonly PackageFact[] {
  let sorted = SORTED.get(packages);
  if (sorted === undefined) {
    sorted = [...packages].sort((a, b) => (a.purl < b.purl ? -1 : a.purl > b.purl ? 1 : 0));
    SORTED.set(packages, sorted);
  }
  return sorted;
}

function blockedPackages(rule: RuleOf<'dependencies'>, packages: readonly PackageFact[]): InventoryCheck {
  const facts: UsedFact[] = [];
  const blocked: string[] = [];
  for (const selector of rule.blocked) {
    for (const pkg of packages) {
      const m = selectorMatch(selector, pkg);
      switch (m.kind) {
        case 'none':
          break;
        case 'blocked':
          blocked.push(`${describeSelector(selector)} blocks ${m.as}`);
          facts.push({ name: 'dependencies.blocked', value: pkg.purl });
          break;
        case 'notComparable':
          blocked.push(`${describeSelector(selector)}: cannot order ${m.as} (${m.reason}); failing closed`);
          facts.push({ name: 'dependencies.notComparable', value: pkg.purl });
          break;
      }
    }
  }
  const checked = blocked.length === 0 ? [`none of ${plural(packages.length, 'package')} is blocked by ${rule.blocked.map(describeSelector).join(', ')}`] : [];
  return { facts, problems: blocked, checked };
}

function licenceCheck(rule: RuleOf<'dependencies'>, packages: readonly PackageFact[]): InventoryCheck {
  const allowed = new Set(rule.allowedLicenses);
  const refused: string[] = [];
  const facts: UsedFact[] = [];
  for (const pkg of packages) {
    const licenses = pkg.licenses ?? [];
    if (licenses.length === 0) refused.push(`${pkg.name} ${pkg.version}: no licence declared`);
    const other = [...new Set(licenses.filter((l) => !allowed.has(l)))].sort();
    if (other.length > 0) refused.push(`${pkg.name} ${pkg.version}: ${other.join(', ')} not allowed`);
    if (licenses.length === 0 || other.length > 0) facts.push({ name: 'dependencies.licence', value: `${pkg.purl}: ${licenses.join(', ') || 'none'}` });
  }
  if (refused.length > 0) return { facts, problems: [`licences (allowed: ${rule.allowedLicenses.join(', ')}): ${listSome(refused, 10)}`], checked: [] };
  return { facts, problems: [], checked: ['every package declares allowed licences'] };
}
