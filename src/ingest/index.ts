// Registry push notifications turned into verified entries of the transparency log.
export {
  MAX_NOTIFICATION_BYTES,
  MAX_NOTIFICATION_EVENTS,
  REGISTRY_EVENTS_MEDIA_TYPE,
  parseRegistryNotification,
  parseRegistryNotificationBytes,
  type IgnoreReason,
  type IgnoredEvent,
  type ManifestPushEvent,
  type RegistryNotification,
} from './registry-events.js';
export { imageOfPush, roleOfManifest, subjectOfTag, tagSettles, type ImageOfPush, type ManifestRole, type TagAttachment } from './image-of-push.js';
export { RegistryIngest, type EnqueueResult, type RegistryIngestOptions } from './registry-ingest.js';
export type { RetryOptions } from './ingest-retry.js';
export type { IngestLogger, RegistryIngestStats } from './ingest-stats.js';
export { REGISTRY_OBSERVATION_PREDICATE_TYPE } from './observation.js';
export type { AttachmentKind, AttachmentSource, AttachmentStatus, AttachmentVerdict } from './attachment-verdicts.js';
export { recordImage, type ImageRecord, type RecordImageInput } from './record-image.js';
