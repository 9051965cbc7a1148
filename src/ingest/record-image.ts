// One examination of an image in a registry: read its manifest and attachments, append each verified signature
// and attestation to the log, then the service's observation of the whole. Evidence already in the log comes
// back as a duplicate of its entry, so examining an unchanged image appends nothing new.
import { sha256Digest, type Digest } from '../core/digest.js';
import { ERROR_CODES, isProvenantError } from '../core/errors.js';
import type { Signer, Verifier } from '../crypto/index.js';
import { proposeAttestation } from '../log/entries/index.js';
import type { AppendResult, LogService } from '../log/service.js';
import { parseManifest } from '../oci/manifest.js';
import type { ArtifactRepository, RawManifest } from '../oci/types.js';
import { attachmentVerdicts, type AttachmentVerdict } from './attachment-verdicts.js';
import {
  observationPredicate,
  observationStatementBytes,
  REGISTRY_OBSERVATION_PREDICATE_TYPE,
  signObservation,
  type ObservedImage,
  type RecordedAttachment,
} from './observation.js';

export interface RecordImageInput {
  readonly log: LogService;
  /** The repository the image is in (read only). */
  readonly repo: ArtifactRepository;
  readonly signer: Signer;
  readonly trustedKeys: readonly Verifier[];
  readonly registry: string;
  readonly repository: string;
  readonly image: Digest;
  readonly tag?: string;
  /** The image manifest, when the push that led here carried it. */
  readonly raw?: RawManifest;
}

export interface ImageRecord {
  readonly image: Digest;
  /** The observation appended, or null when the latest observation of the image already says the same. */
  readonly observation: AppendResult | null;
  readonly attachments: readonly RecordedAttachment[];
  /** Evidence appended as new entries (not duplicates of entries already logged). */
  readonly newEntries: { readonly signatures: number; readonly attestations: number };
}

/**
 * Errors: registry and log errors are thrown for the caller to retry; evidence the log refuses (a statement
 * of a kind appended otherwise, an oversized envelope) is recorded in the observation with the refusal's code.
 */
export async function recordImage(input: RecordImageInput): Promise<ImageRecord> {
  const raw = input.raw ?? (await input.repo.fetchManifest(input.image));
  const manifest = parseManifest(raw.bytes, raw.mediaType);
  const verdicts = await attachmentVerdicts(input.repo, input.image, input.trustedKeys);
  const newEntries = { signatures: 0, attestations: 0 };
  const appended = new Map<string, AppendResult | string>();
  const attachments: RecordedAttachment[] = [];
  for (const verdict of verdicts) {
    if (verdict.proposal === undefined || verdict.evidence === undefined) {
      attachments.push({ verdict });
      continue;
    }
    let result = appended.get(verdict.evidence);
    if (result === undefined) {
      result = await appendEvidence(input.log, verdict);
      appended.set(verdict.evidence, result);
      if (typeof result !== 'string' && !result.duplicate) {
        if (verdict.kind === 'signature') newEntries.signatures++;
        else newEntries.attestations++;
      }
    }
    attachments.push(typeof result === 'string' ? { verdict: { ...verdict, reason: result } } : { verdict, logIndex: result.index });
  }

  const observed: ObservedImage = {
    registry: input.registry,
    repository: input.repository,
    raw,
    manifest,
    ...(input.tag === undefined ? {} : { tag: input.tag }),
  };
  const statement = observationStatementBytes(observed, observationPredicate(observed, attachments));
  const latest = await latestObservationDigest(input.log, input.image, input.signer.keyId);
  if (latest === sha256Digest(statement)) return { image: input.image, observation: null, attachments, newEntries };
  const envelope = await signObservation(statement, input.signer);
  const observation = await input.log.append(proposeAttestation(envelope, input.signer.publicKeyPem()));
  return { image: input.image, observation, attachments, newEntries };
}

/** The append result, or the code of a refusal that retrying cannot change. */
async function appendEvidence(log: LogService, verdict: AttachmentVerdict): Promise<AppendResult | string> {
  try {
    return await log.append(verdict.proposal!);
  } catch (e) {
    if (isProvenantError(e) && ERROR_CODES[e.code].status < 500 && e.code !== 'LOG_SEQUENCE_CONFLICT') return e.code;
    throw e;
  }
}

const SEARCH_PAGE = 1000;
/** Observations of one image by one key are few; a history longer than this is not searched to its end. */
const MAX_SEARCH_PAGES = 100;

/** The payloadDigest of the newest observation of `image` the service signed, if any. */
async function latestObservationDigest(log: LogService, image: Digest, signer: string): Promise<string | undefined> {
  let after: bigint | undefined;
  let newest: bigint | undefined;
  for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
    const found = await log.search(
      { subject: image, predicateType: REGISTRY_OBSERVATION_PREDICATE_TYPE, signer, kind: 'attestation' },
      { ...(after === undefined ? {} : { after }), limit: SEARCH_PAGE },
    );
    if (found.indices.length > 0) newest = found.indices[found.indices.length - 1];
    if (found.next === undefined) break;
    after = found.next;
  }
  if (newest === undefined) return undefined;
  const spec = (await log.entry(newest)).entry['spec'];
  const digest = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? spec['payloadDigest'] : undefined;
  return typeof digest === 'string' ? digest : undefined;
}
