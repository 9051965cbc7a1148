// Policies versioned in the log. Each version of a named policy is an attestation entry (policy-statement.ts)
// signed by a key the service trusts for policies; the policies in force are the newest usable version of each
// name, and the set is named by the log index of the newest policy entry that took effect. Applying a YAML text
// appends a version only for the documents that differ from the version in force, so re-applying the same text
// leaves the log untouched.
import type { Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import type { Signer } from '../../crypto/index.js';
import type { LogService } from '../../log/service.js';
import type { Policy, PolicySet } from '../policy.js';
import { contentRead, readAttestation, searchAll, type UnreadEntry } from './log-reads.js';
import { policyDocuments, reparsePolicy } from './policy-documents.js';
import { MAX_POLICY_DOCUMENT_CHARS, POLICY_PREDICATE_TYPE, proposePolicyVersion, readPolicyStatement, type PolicyFormat } from './policy-statement.js';

export interface PolicyTrust {
  /** Key ids ("sha256:<hex of the SPKI DER>") whose policy versions count. */
  readonly trustedSigners: readonly string[];
}

/** What a version holds: a policy, a deletion, or a document that no longer validates (reported, never used). */
export type PolicyContent = { readonly kind: 'policy'; readonly policy: Policy } | { readonly kind: 'deleted' } | { readonly kind: 'invalid'; readonly reason: string };

export interface PolicyVersion {
  readonly name: string;
  readonly format: PolicyFormat;
  readonly version: number;
  readonly previous: Digest | null;
  readonly document: string;
  readonly originDigest: Digest;
  readonly entryDigest: Digest;
  readonly logIndex: bigint;
  readonly integratedAt: string;
  readonly signer: string;
  readonly content: PolicyContent;
}

export interface PolicyHistory {
  /** Every version by a trusted signer, in log order. */
  readonly versions: readonly PolicyVersion[];
  /** Policy entries that are not versions: untrusted signers, unreadable statements. */
  readonly ignored: readonly UnreadEntry[];
  /** The newest policy entry of the log, used or not (where the cheap check for news starts). */
  readonly searchedTo?: bigint;
}

export interface CurrentPolicies {
  /** The version in force of each policy name, by name. */
  readonly policies: readonly (PolicyVersion & { readonly content: { kind: 'policy'; policy: Policy } })[];
  /** The log index of the newest version or deletion that took effect, or "none". */
  readonly version: string;
  /** The newest version of each name, deletions and invalid ones included (what a new version chains to). */
  readonly latest: ReadonlyMap<string, PolicyVersion>;
  /** Versions whose document no longer validates, and entries that are not versions. */
  readonly problems: readonly UnreadEntry[];
  readonly searchedTo?: bigint;
}

export interface AppliedVersion {
  readonly name: string;
  readonly version: number;
  readonly entryDigest: Digest;
  readonly logIndex: bigint;
  readonly previous: Digest | null;
  readonly deleted: boolean;
}

export interface ApplyResult {
  readonly applied: readonly AppliedVersion[];
  /** Documents identical to the version in force: nothing appended. */
  readonly unchanged: readonly { readonly name: string; readonly version: number; readonly entryDigest: Digest; readonly logIndex: bigint }[];
  /** The policy set version after the apply. */
  readonly policyVersion: string;
}

const ENVELOPE_LIMIT = 4 * MAX_POLICY_DOCUMENT_CHARS;

/** Every policy version in the log, each re-verified and its document re-validated. Errors: the log's. */
export async function readPolicyVersions(log: LogService, trust: PolicyTrust): Promise<PolicyHistory> {
  const trusted = new Set(trust.trustedSigners);
  const indices = await searchAll(log, { predicateType: POLICY_PREDICATE_TYPE });
  const versions: PolicyVersion[] = [];
  const ignored: UnreadEntry[] = [];
  for (const index of indices) {
    const read = await readAttestation(log, await log.entry(index), ENVELOPE_LIMIT);
    if ('reason' in read) {
      ignored.push(read);
      continue;
    }
    const { logIndex, entryDigest } = read;
    if (!trusted.has(read.signer)) {
      ignored.push({ logIndex, entryDigest, reason: `its signer ${read.signer} is not trusted for policies` });
      continue;
    }
    const statement = contentRead(() => readPolicyStatement(read.payload));
    if ('reason' in statement) {
      ignored.push({ logIndex, entryDigest, reason: statement.reason });
      continue;
    }
    const { predicate, originDigest } = statement.value;
    const content: PolicyContent = predicate.deleted === true ? { kind: 'deleted' } : reparsed(predicate.document, predicate.name, originDigest);
    versions.push({ ...predicate, originDigest, entryDigest, logIndex, integratedAt: read.integratedAt, signer: read.signer, content });
  }
  const searchedTo = indices[indices.length - 1];
  return { versions, ignored, ...(searchedTo === undefined ? {} : { searchedTo }) };
}

/** The policies in force. Errors: the log's. */
export async function currentPolicies(log: LogService, trust: PolicyTrust): Promise<CurrentPolicies> {
  return currentOf(await readPolicyVersions(log, trust));
}

/**
 * The policies in force in a history: per name, the newest version that validates, unless a newer deletion
 * removed the name. A version that no longer validates is skipped (the one before it stays in force) and reported.
 */
export function currentOf(history: PolicyHistory): CurrentPolicies {
  const inForce = new Map<string, PolicyVersion>();
  const latest = new Map<string, PolicyVersion>();
  const problems: UnreadEntry[] = [...history.ignored];
  let newest: bigint | undefined;
  for (const v of history.versions) {
    latest.set(v.name, v);
    switch (v.content.kind) {
      case 'invalid':
        problems.push({ logIndex: v.logIndex, entryDigest: v.entryDigest, reason: v.content.reason });
        continue;
      case 'deleted':
        inForce.delete(v.name);
        break;
      case 'policy':
        inForce.set(v.name, v);
        break;
    }
    newest = v.logIndex;
  }
  const policies = [...inForce.values()]
    .filter((v): v is PolicyVersion & { content: { kind: 'policy'; policy: Policy } } => v.content.kind === 'policy')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  problems.sort((a, b) => (a.logIndex < b.logIndex ? -1 : a.logIndex > b.logIndex ? 1 : 0));
  return {
    policies,
    version: newest === undefined ? 'none' : newest.toString(),
    latest,
    problems,
    ...(history.searchedTo === undefined ? {} : { searchedTo: history.searchedTo }),
  };
}

export function policySetOf(current: CurrentPolicies, noMatch: PolicySet['noMatch']): PolicySet {
  return { policies: current.policies.map((v) => v.content.policy), version: current.version, noMatch };
}

/**
 * Validates `yamlText` (errors propagate with their line, column and field) and appends a version for each
 * document that differs from the version of its name in force. `signer` must be trusted (it is added to `trust`).
 * Errors: POLICY_INVALID, the log's.
 */
export async function applyPolicies(log: LogService, signer: Signer, yamlText: string, trust: PolicyTrust, origin?: string): Promise<ApplyResult> {
  const documents = policyDocuments(yamlText, origin);
  const current = await currentPolicies(log, withSigner(trust, signer));
  const inForce = new Map(current.policies.map((v) => [v.name, v]));
  const applied: AppliedVersion[] = [];
  const unchanged: ApplyResult['unchanged'][number][] = [];
  for (const { policy, text } of documents) {
    const now = inForce.get(policy.name);
    if (now !== undefined && now.originDigest === policy.origin.digest) {
      unchanged.push({ name: now.name, version: now.version, entryDigest: now.entryDigest, logIndex: now.logIndex });
      continue;
    }
    const before = current.latest.get(policy.name);
    applied.push(await appendVersion(log, signer, { name: policy.name, format: policy.origin.format, document: text, originDigest: policy.origin.digest as Digest }, before));
  }
  return { applied, unchanged, policyVersion: newestVersion(current.version, applied) };
}

/** Appends a deletion of each named policy in force. Errors: POLICY_NOT_FOUND (a name not in force), the log's. */
export async function deletePolicies(log: LogService, signer: Signer, names: readonly string[], trust: PolicyTrust): Promise<ApplyResult> {
  const current = await currentPolicies(log, withSigner(trust, signer));
  const inForce = new Map(current.policies.map((v) => [v.name, v]));
  for (const name of names) {
    if (!inForce.has(name)) throw new ProvenantError('POLICY_NOT_FOUND', `no policy named ${JSON.stringify(name)} is in force`, { details: { name } });
  }
  const applied: AppliedVersion[] = [];
  for (const name of new Set(names)) {
    const now = inForce.get(name)!;
    applied.push(await appendVersion(log, signer, { name, format: now.format, document: now.document, originDigest: now.originDigest, deleted: true }, current.latest.get(name)));
  }
  return { applied, unchanged: [], policyVersion: newestVersion(current.version, applied) };
}

async function appendVersion(
  log: LogService,
  signer: Signer,
  v: { name: string; format: PolicyFormat; document: string; originDigest: Digest; deleted?: true },
  before: PolicyVersion | undefined,
): Promise<AppliedVersion> {
  const version = (before?.version ?? 0) + 1;
  const previous = before?.entryDigest ?? null;
  const proposal = await proposePolicyVersion(
    { name: v.name, format: v.format, version, previous, document: v.document, ...(v.deleted === true ? { deleted: true as const } : {}) },
    v.originDigest,
    signer,
  );
  const result = await log.append(proposal);
  return { name: v.name, version, entryDigest: result.entryDigest, logIndex: result.index, previous, deleted: v.deleted === true };
}

function reparsed(document: string, name: string, originDigest: Digest): PolicyContent {
  const read = contentRead(() => reparsePolicy(document));
  if ('reason' in read) return { kind: 'invalid', reason: read.reason };
  const policy = read.value;
  if (policy.name !== name) return { kind: 'invalid', reason: `POLICY_INVALID: the document names the policy ${JSON.stringify(policy.name)}, not ${JSON.stringify(name)}` };
  if (policy.origin.digest !== originDigest) return { kind: 'invalid', reason: `POLICY_INVALID: the document's digest is ${policy.origin.digest}, not the ${originDigest} its statement names` };
  return { kind: 'policy', policy };
}

function withSigner(trust: PolicyTrust, signer: Signer): PolicyTrust {
  return { trustedSigners: [...new Set([...trust.trustedSigners, signer.keyId])] };
}

function newestVersion(before: string, applied: readonly AppliedVersion[]): string {
  const last = applied[applied.length - 1];
  return last === undefined ? before : last.logIndex.toString();
}
