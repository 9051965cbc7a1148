// The service's own record of what a registry holds for an image: an in-toto statement about the image manifest,
// signed with the service key, naming its parts and every attachment found with its verdict. It carries no time:
// the log records when it was integrated, and the same state observed twice is the same statement, which is then
// not appended again.
import type { JsonObject } from '../core/json.js';
import type { Signer } from '../crypto/index.js';
import { buildStatement, IN_TOTO_PAYLOAD_TYPE, signEnvelope, statementToBytes, type Envelope } from '../formats/index.js';
import type { Manifest } from '../oci/manifest.js';
import { formatPlatform } from '../oci/platform.js';
import type { RawManifest } from '../oci/types.js';
import type { AttachmentVerdict } from './attachment-verdicts.js';

export const REGISTRY_OBSERVATION_PREDICATE_TYPE = 'https://provenant.dev/attestation/registry-observation/v1';
/** More attachments than this are counted, not listed, so an observation always fits in a log entry proposal. */
export const MAX_OBSERVED_ATTACHMENTS = 1000;

export interface ObservedImage {
  /** host[:port] of the registry as the pushes named it. */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly raw: RawManifest;
  readonly manifest: Manifest;
}

/** An attachment verdict with the log index its evidence was appended at, if it was. */
export interface RecordedAttachment {
  readonly verdict: AttachmentVerdict;
  readonly logIndex?: bigint;
}

export function observationPredicate(image: ObservedImage, attachments: readonly RecordedAttachment[]): JsonObject {
  const m = image.manifest;
  const parts: JsonObject =
    m.kind === 'manifest'
      ? { config: m.config.digest, layers: m.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType })) }
      : {
          layers: [],
          manifests: m.manifests.map((d) => ({
            digest: d.digest,
            size: d.size,
            mediaType: d.mediaType,
            ...(d.platform === undefined ? {} : { platform: formatPlatform(d.platform) }),
          })),
        };
  const listed = [...attachments].sort(compareAttachments).slice(0, MAX_OBSERVED_ATTACHMENTS);
  return {
    registry: image.registry,
    repository: image.repository,
    ...(image.tag === undefined ? {} : { tag: image.tag }),
    mediaType: image.raw.mediaType,
    ...parts,
    attachments: listed.map(attachmentJson),
    ...(attachments.length > listed.length ? { attachmentsOmitted: attachments.length - listed.length } : {}),
  };
}

function attachmentJson({ verdict: v, logIndex }: RecordedAttachment): JsonObject {
  return {
    kind: v.kind,
    source: v.source,
    digest: v.digest,
    ...(v.predicateType === undefined ? {} : { predicateType: v.predicateType }),
    ...(v.claimedPredicateType === undefined ? {} : { claimedPredicateType: v.claimedPredicateType, predicateTypeVerified: false }),
    status: v.status,
    ...(v.signer === undefined ? {} : { signer: v.signer }),
    // A decimal string: log indices are unsigned 64-bit, beyond what a JSON number holds exactly.
    ...(logIndex === undefined ? {} : { logIndex: logIndex.toString() }),
    ...(v.reason === undefined ? {} : { reason: v.reason }),
  };
}

// A fixed order, so one registry state always gives the same statement bytes.
function compareAttachments(a: RecordedAttachment, b: RecordedAttachment): number {
  const ka = [a.verdict.kind, a.verdict.source, a.verdict.digest, a.verdict.signer ?? '', a.verdict.evidence ?? '', a.verdict.reason ?? ''];
  const kb = [b.verdict.kind, b.verdict.source, b.verdict.digest, b.verdict.signer ?? '', b.verdict.evidence ?? '', b.verdict.reason ?? ''];
  for (let i = 0; i < ka.length; i++) {
    if (ka[i]! < kb[i]!) return -1;
    if (ka[i]! > kb[i]!) return 1;
  }
  return 0;
}

export function observationStatementBytes(image: ObservedImage, predicate: JsonObject): Buffer {
  const statement = buildStatement({
    subjects: [{ name: image.repository, digest: image.raw.digest }],
    predicateType: REGISTRY_OBSERVATION_PREDICATE_TYPE,
    predicate,
  });
  return statementToBytes(statement);
}

export function signObservation(statementBytes: Buffer, signer: Signer): Promise<Envelope> {
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementBytes, [signer]);
}
