// The data part of a decision's identity. Besides the advisory and reputation data versions, it covers what is
// known about this image digest: the digests of its signatures, attestations and audits, which entry each
// revocation revokes, and the revocation authorities. New evidence about the digest changes it; entries the log
// gained about other images do not, so a growing log does not empty the decision cache. The trailing digest
// covers all parts (RFC 8785 JSON), so two different inputs never share a version even if a part contains "|".
import { sha256Hex } from '../../core/digest.js';
import { canonicalJson } from '../../core/json.js';
import type { EvaluationData } from '../decision.js';
import type { ImageFacts } from '../facts.js';

/** Hex characters of the digest kept: 128 bits. */
const DIGEST_CHARS = 32;

export type DataVersionInput = Pick<EvaluationData, 'advisoriesVersion' | 'reputationVersion' | 'revocationAuthorities'>;

/** The last data version computed for a facts object (facts are immutable once gathered), and what it was for. */
const memo = new WeakMap<ImageFacts, { readonly data: string; readonly version: string }>();

export function dataVersionOf(facts: ImageFacts, data: DataVersionInput): string {
  const dataKey = `${data.advisoriesVersion}\0${data.reputationVersion}\0${data.revocationAuthorities.join('\0')}`;
  const known = memo.get(facts);
  if (known !== undefined && known.data === dataKey) return known.version;
  const version = computeDataVersion(facts, data);
  memo.set(facts, { data: dataKey, version });
  return version;
}

function computeDataVersion(facts: ImageFacts, data: DataVersionInput): string {
  const entries: string[] = [];
  const revocations: string[] = [];
  const add = (kind: string, entry: { evidence: { digest: string }; revocations: readonly { evidence: { digest: string } }[] }): void => {
    entries.push(`${kind} ${entry.evidence.digest}`);
    for (const r of entry.revocations) revocations.push(`${r.evidence.digest} revokes ${entry.evidence.digest}`);
  };
  for (const s of facts.signatures) add('signature', s);
  for (const a of facts.attestations) add('attestation', a);
  for (const a of facts.audits) add('audit', a);
  const digest = sha256Hex(
    canonicalJson({
      advisories: data.advisoriesVersion,
      reputation: data.reputationVersion,
      image: facts.image.digest,
      entries: [...new Set(entries)].sort(),
      revocations: [...new Set(revocations)].sort(),
      authorities: [...new Set(data.revocationAuthorities)].sort(),
    }),
  );
  return `${data.advisoriesVersion}|${data.reputationVersion}|${digest.slice(0, DIGEST_CHARS)}`;
}
