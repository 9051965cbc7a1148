// vulnerabilities: no vulnerability of the trusted inventory survives the rule's filters. Findings are merged per
// (package, vulnerability) across aliases; a version that cannot be ordered counts (fail closed); severities are
// compared as Trivy's --severity does, so UNKNOWN never reaches a threshold (unrated findings are listed in the
// facts); `publishedAfter` keeps advisories published strictly after the build time or date, as `provenant scan
// --published-after` does; an ignore entry (by id or alias) applies until its expiry.
import type { UsedFact } from '../../decision.js';
import type { Evidence } from '../../facts.js';
import type { IgnoredVulnerability, Policy } from '../../policy.js';
import { passesFilters, utcInstant, type ScanFilters } from '../../../vuln/scan-filters.js';
import type { ScanFinding } from '../../../vuln/scan-findings.js';
import { compareRatings, SEVERITY_RATINGS } from '../../../vuln/severity.js';
import { citing, listSome, plural, type EvaluationScope, type RuleOf, type RuleVerdict } from '../evaluation-scope.js';
import { IdentityMemo } from '../identity-memo.js';
import { flipAfter, instantMs } from '../instant.js';
import { describeMatchers } from '../signer-match.js';
import { buildTime } from '../trusted-provenance.js';
import type { VulnerabilityScan } from '../vulnerability-scan.js';

export function vulnerabilitiesRule(rule: RuleOf<'vulnerabilities'>, policy: Policy, scope: EvaluationScope): RuleVerdict {
  const { build, inventory } = scope.provenance(policy);
  const fail = (reason: string, evidence: Evidence[] = []): RuleVerdict => ({ passed: false, reason, facts: [], evidence });
  if (inventory === undefined) return fail(`no trusted package inventory (attestation with packages by ${describeMatchers(policy.attestors)})`);
  const facts: UsedFact[] = [...inventory.ignoredRevocations];
  const evidence: Evidence[] = [inventory.evidence];

  let after: string | undefined;
  let afterText = '';
  if (rule.publishedAfter !== undefined) {
    switch (rule.publishedAfter.kind) {
      case 'build': {
        const time = build === undefined ? undefined : buildTime(build.fact);
        if (build === undefined || time === undefined) {
          return fail(`publishedAfter: build needs the build time, and ${build === undefined ? 'no trusted build provenance gives one' : `the provenance ${build.evidence.digest} has none`}`, build === undefined ? [] : [build.evidence]);
        }
        after = utcInstant(time);
        if (after === undefined) return fail(`the build time ${JSON.stringify(time)} of ${build.evidence.digest} is not an RFC 3339 instant`, [build.evidence]);
        evidence.push(build.evidence);
        facts.push(...build.ignoredRevocations, { name: 'build.time', value: time });
        afterText = ` published after the build (${time})`;
        break;
      }
      case 'date':
        after = utcInstant(rule.publishedAfter.at);
        if (after === undefined) return fail(`publishedAfter ${JSON.stringify(rule.publishedAfter.at)} is not an RFC 3339 instant`);
        afterText = ` published after ${rule.publishedAfter.at}`;
        break;
    }
  }
  const filters: ScanFilters = {
    severities: new Set(SEVERITY_RATINGS.filter((r) => r !== 'UNKNOWN' && compareRatings(r, rule.severity) >= 0)),
    ...(after === undefined ? {} : { publishedAfter: after }),
    ignoreUnfixed: rule.fixedOnly,
  };

  const scan = scope.vulnerabilities(inventory);
  const { unrated, passing } = FILTERED.get(rule, scan, after ?? '', () => filtered(scan, filters));
  facts.push(...unrated);
  const counted: ScanFinding[] = [];
  let ignoredCount = 0;
  let flipsAt: number | undefined;
  for (const finding of passing) {
    const ignore = rule.ignore.length === 0 ? undefined : ignoreEntryFor(rule.ignore, finding);
    const expires = ignore === undefined ? undefined : instantMs(ignore.expires);
    if (ignore !== undefined && expires !== undefined && scope.atMs <= expires) {
      ignoredCount++;
      facts.push({ name: 'vulnerability.ignored', value: `${finding.vulnerabilityId} in ${finding.package.purl} until ${ignore.expires} (${ignore.owner})` });
      flipsAt = flipsAt === undefined ? flipAfter(expires) : Math.min(flipsAt, flipAfter(expires));
      continue;
    }
    if (ignore !== undefined) facts.push({ name: 'vulnerability.ignoreExpired', value: `${ignore.id} expired ${ignore.expires} (${ignore.owner})` });
    counted.push(finding);
    // A decision names each counted vulnerability up to a bound; the count below says how many there were.
    if (counted.length <= MAX_LISTED) {
      facts.push({ name: `vulnerability.${finding.vulnerabilityId}`, value: `${finding.package.purl} ${finding.severity.rating}${finding.published === undefined ? '' : ` published ${finding.published}`}` });
    }
  }
  if (counted.length > MAX_LISTED) facts.push({ name: 'vulnerability.counted', value: counted.length });
  if (scan.notScanned.length > 0) facts.push({ name: 'packages.notScanned', value: scan.notScanned.length });
  facts.push({ name: 'packages.count', value: inventory.packages.length });

  const what = `vulnerabilities at or above ${rule.severity}${afterText}${rule.fixedOnly ? ' with a fixed version' : ''}`;
  const passed = counted.length === 0;
  const ignoredText = ignoredCount === 0 ? '' : `, ${ignoredCount} ignored until their expiry`;
  const reason = passed
    ? `no ${what} among ${plural(inventory.packages.length, 'package')}${ignoredText}`
    : `requires no ${what}; found ${counted.length}: ${listSome(counted.slice(0, LISTED_IN_REASON + 1).map(describeFinding), LISTED_IN_REASON, counted.length)}`;
  return { passed, reason: `${reason}${citing(evidence, inventory.evidence.digest)}`, facts, evidence, ...(passed && flipsAt !== undefined ? { flipsAt } : {}) };
}

/** Vulnerabilities named one by one in a rule's facts, and in its reason. */
const MAX_LISTED = 100;
const LISTED_IN_REASON = 5;

interface FilteredScan {
  readonly unrated: readonly UsedFact[];
  readonly passing: readonly ScanFinding[];
}

// Which findings pass the rule's severity, date and fix filters depends only on the rule, the scan (itself
// remembered per advisory data and inventory) and the instant they must be published after.
const FILTERED = new IdentityMemo<RuleOf<'vulnerabilities'>, VulnerabilityScan, FilteredScan>();

function filtered(scan: VulnerabilityScan, filters: ScanFilters): FilteredScan {
  const unrated: UsedFact[] = [];
  const passing: ScanFinding[] = [];
  let unratedCount = 0;
  for (const finding of scan.findings) {
    if (finding.severity.rating === 'UNKNOWN' && ++unratedCount <= MAX_LISTED) {
      unrated.push({ name: 'vulnerability.unrated', value: `${finding.vulnerabilityId} in ${finding.package.purl}` });
    }
    if (passesFilters(finding, filters)) passing.push(finding);
  }
  if (unratedCount > MAX_LISTED) unrated.push({ name: 'vulnerability.unratedCount', value: unratedCount });
  return { unrated, passing };
}

function ignoreEntryFor(entries: readonly IgnoredVulnerability[], finding: ScanFinding): IgnoredVulnerability | undefined {
  const ids = new Set([finding.vulnerabilityId, ...finding.advisories, ...finding.aliases]);
  // The entry expiring last wins when several name the same vulnerability.
  const matching = entries.filter((e) => ids.has(e.id));
  return matching.sort((a, b) => (instantMs(b.expires) ?? -Infinity) - (instantMs(a.expires) ?? -Infinity))[0];
}

function describeFinding(f: ScanFinding): string {
  const fix = f.fixedVersions.length === 0 ? 'no fix' : `fixed in ${f.fixedVersions.join(', ')}`;
  const comparable = f.comparable ? '' : `, version not comparable (${f.notComparableReason ?? 'unknown'}): counted, failing closed`;
  // The date's record is named when it is not the vulnerability's own id (a distro record of a CVE, say).
  const source = f.publishedIn === undefined || f.publishedIn === f.vulnerabilityId ? '' : ` in ${f.publishedIn}`;
  return `${f.vulnerabilityId} in ${f.package.name} ${f.installedVersion} (${f.severity.rating}, ${fix}${f.published === undefined ? '' : `, published ${f.published}${source}`}${comparable})`;
}
