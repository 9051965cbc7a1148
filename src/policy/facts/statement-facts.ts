// One verified in-toto statement about an image, as an AttestationFact: shared by the log and registry gatherers,
// so the same statement gives the same fact wherever it was found. Only the predicate types below are read;
// any other type is still a fact (its type and signer), for rules that require or forbid it.
import type { Digest } from '../../core/digest.js';
import { ProvenantError } from '../../core/errors.js';
import type { Statement } from '../../formats/intoto.js';
import { statementCoversDigest } from '../../formats/intoto.js';
import { LAYERS_PREDICATE_TYPE } from '../../formats/layers-predicate.js';
import { PREDICATE_TYPE_ALIASES } from '../../formats/predicate-types.js';
import { SLSA_PROVENANCE_V1 } from '../../formats/slsa-provenance.js';
import type { AttestationFact, BuildFact, Evidence, RevocationFact, SignerFact } from '../facts.js';
import { buildFactOf } from './build-fact.js';
import { layersPackages, sbomPackages, type PackageContent } from './package-facts.js';

export interface StatementContent extends Partial<PackageContent> {
  readonly build?: BuildFact;
}

export interface AttestationSource {
  readonly signer: SignerFact;
  readonly evidence: Evidence;
  readonly revocations: readonly RevocationFact[];
  /** When the log integrated it; absent for registry attachments, which take the statement's own time. */
  readonly recordedAt?: string;
}

/** A verified statement as a fact about `image`. Errors: SIGNATURE_DIGEST_MISMATCH, and those of statementContent. */
export function attestationFact(statement: Statement, image: Digest, source: AttestationSource): AttestationFact {
  if (!statementCoversDigest(statement, image)) {
    throw new ProvenantError('SIGNATURE_DIGEST_MISMATCH', `the statement's subjects do not include ${image}`, { details: { image } });
  }
  const { statedAt, build, packages, osRelease } = statementContent(statement);
  const issuedAt = source.recordedAt ?? statedAt;
  return {
    predicateType: statement.predicateType,
    signer: source.signer,
    evidence: source.evidence,
    ...(issuedAt === undefined ? {} : { issuedAt }),
    revocations: source.revocations,
    ...(build === undefined ? {} : { build }),
    ...(packages === undefined ? {} : { packages }),
    ...(osRelease === undefined ? {} : { osRelease }),
  };
}

/**
 * What the predicate says, for the types policies read. CycloneDX and SPDX are matched with or without a
 * version suffix ("https://spdx.dev/Document/v2.3"), as producers write both.
 * Errors: PREDICATE_MALFORMED, SBOM_MALFORMED, INPUT_TOO_LARGE.
 */
export function statementContent(statement: Statement): StatementContent {
  const type = statement.predicateType;
  if (type === SLSA_PROVENANCE_V1) return buildFactOf(statement.predicate);
  if (type === LAYERS_PREDICATE_TYPE) return layersPackages(statement.predicate);
  if (isTypeOrVersion(type, PREDICATE_TYPE_ALIASES.cyclonedx) || isTypeOrVersion(type, PREDICATE_TYPE_ALIASES.spdx)) return sbomPackages(statement.predicate);
  return {};
}

/**
 * Log entries and key-verified attachments name a key only: no certificate identity is recorded with them, so
 * issuer and subject stay absent until keyless signatures are logged with their certificates.
 */
export function signerFact(keyId: string, publicKey: string): SignerFact {
  return { keyId, publicKey };
}

function isTypeOrVersion(type: string, base: string): boolean {
  return type === base || type.startsWith(`${base}/`);
}
