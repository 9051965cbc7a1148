// What `provenant policy test` evaluates: the policies of a YAML file, the image's facts (from the log when one
// is given, otherwise from the attestations attached to the image in its registry or layout, verified with the
// keys the policies name), advisory data from --db, and reputation scores from the log.
import { ProvenantError } from '../core/errors.js';
import { loadVerifier, type Verifier } from '../crypto/index.js';
import type { LogService } from '../log/service.js';
import { imageName, isArtifactRepository, openImage } from '../oci/open-image.js';
import { resolveImage } from '../oci/resolve.js';
import type { EvaluationData } from '../policy/decision.js';
import { parsePolicyDocuments, policySetDigest } from '../policy/document/index.js';
import type { ImageFacts } from '../policy/facts.js';
import { gatherFactsFromLog } from '../policy/facts/from-log.js';
import { gatherFactsFromRegistry } from '../policy/facts/from-registry.js';
import { imageRefOf } from '../policy/facts/image-ref.js';
import type { Policy, PolicySet, SignerMatcher } from '../policy/policy.js';
import { ReputationState } from '../policy/runtime/reputation-state.js';
import { ReputationBook } from '../reputation/reputation-book.js';
import { AdvisoryIndex } from '../vuln/advisory-index.js';
import { loadOsv, type OsvSource } from '../vuln/osv-load.js';
import { withSource } from './commands/with-source.js';
import { readTextFile } from './files.js';
import { platformOption, registryAccess, type AccessOptions } from './options.js';
import type { Io } from './run.js';

export const MAX_POLICY_FILE_BYTES = 4 * 1024 * 1024;

/** The policies of a file as one set; its version is the set's digest. Errors: POLICY_INVALID (line, field), file errors. */
export async function readPolicySet(path: string, noMatch: PolicySet['noMatch']): Promise<PolicySet> {
  const text = await readTextFile(path, 'policy file', MAX_POLICY_FILE_BYTES);
  const policies = parsePolicyDocuments(text, path);
  if (policies.length === 0) throw new ProvenantError('POLICY_INVALID', `${path} holds no policy document`, { details: { origin: path, problem: 'empty' } });
  return { policies, version: policySetDigest(policies), noMatch };
}

/** Every public key a policy names: attestors and the signers of signature and attestation rules. */
export function policyKeys(policies: readonly Policy[]): Verifier[] {
  const pems = new Map<string, string>();
  const add = (signers: readonly SignerMatcher[]): void => {
    for (const s of signers) if (s.kind === 'key') pems.set(s.keyId, s.publicKey);
  };
  for (const policy of policies) {
    add(policy.attestors);
    for (const rule of policy.rules) if (rule.kind === 'signature' || rule.kind === 'attestation') add(rule.signers);
  }
  return [...pems.values()].map((pem) => loadVerifier(pem));
}

export interface ImageUnderTest {
  readonly facts: ImageFacts;
  readonly digest: string;
  readonly reference: string;
}

/**
 * Resolves the image to its digest and gathers its facts: from `log` when given, otherwise from the image's own
 * attachments verified with the policies' keys. Errors: USAGE (no log and no key to verify with), the image's.
 */
export async function imageUnderTest(
  image: string,
  as: string | undefined,
  policies: PolicySet,
  log: LogService | undefined,
  opts: AccessOptions,
  io: Io,
): Promise<ImageUnderTest> {
  const reference = as ?? registryReferenceOf(image);
  return withSource(openImage(image, await registryAccess(opts, io)), async (source) => {
    const resolved = await resolveImage(source, platformOption(opts));
    const digest = resolved.top.digest;
    const ref = imageRefOf(reference, digest);
    if (log !== undefined) return { facts: await gatherFactsFromLog(log, ref), digest, reference: ref.reference };
    const keys = policyKeys(policies.policies);
    if (keys.length === 0) {
      throw new ProvenantError('USAGE', 'the policies name no public key to verify the image’s attestations with; give --data or --server to read its facts from the log');
    }
    if (!isArtifactRepository(source)) throw new ProvenantError('USAGE', `${image} holds no signatures or attestations to read; give --data or --server`);
    return { facts: await gatherFactsFromRegistry(source, ref, keys), digest, reference: ref.reference };
  });
}

/**
 * The reference policies match. A layout or archive has no registry name of its own, so one is asked for: the
 * name the image will run under (`--as registry.example.com/team/app:1.0`). Errors: USAGE.
 */
export function registryReferenceOf(image: string): string {
  if (/^(oci|docker-archive):/.test(image)) {
    throw new ProvenantError('USAGE', `${imageName(image)} is not in a registry: give the reference it will run as with --as REGISTRY/REPOSITORY[:TAG]`);
  }
  return image.startsWith('docker://') ? image.slice('docker://'.length) : image;
}

/** Advisories from --db (none without it). Errors: USAGE when a vulnerabilities rule has no data, loadOsv's. */
export async function advisoryData(db: OsvSource | undefined, policies: PolicySet): Promise<Pick<EvaluationData, 'advisories' | 'advisoriesVersion'>> {
  if (db === undefined) {
    const needs = policies.policies.some((p) => p.rules.some((r) => r.kind === 'vulnerabilities'));
    if (needs) throw new ProvenantError('USAGE', 'the policies have a vulnerabilities rule: give the advisory data with --db (an OSV directory, .ndjson or all.zip)');
    return { advisories: AdvisoryIndex.build([]), advisoriesVersion: 'none' };
  }
  const dataset = await loadOsv(db);
  return { advisories: AdvisoryIndex.build(dataset.advisories), advisoriesVersion: dataset.identity.digest };
}

/** Reputation scores from the log's events by trusted reporters; none without a log. */
export async function reputationData(
  log: LogService | undefined,
  reporters: readonly string[],
  policies: PolicySet,
  facts: ImageFacts,
  at: string,
): Promise<Pick<EvaluationData, 'reputation' | 'reputationVersion'>> {
  if (log === undefined) return { reputation: new Map(), reputationVersion: 'none' };
  const info = await log.info();
  const state = new ReputationState(new ReputationBook(log, { trustedSigners: reporters }));
  return { reputation: await state.scores(policies, facts, at, info.size.toString()), reputationVersion: `log:${info.size}` };
}
