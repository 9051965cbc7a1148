// What the registry ingest reports about itself, for the service's metrics and logs.

/** Counters since start, plus the current queue. Evidence counts are of new log entries and new observations only. */
export interface RegistryIngestStats {
  /** Events in accepted notifications, of every action. */
  eventsReceived: number;
  /** Events that were not manifest pushes (pulls, blobs, deletes, unknown actions). */
  eventsIgnored: number;
  eventsQueued: number;
  /** Pushes already waiting or in progress when they arrived again. */
  eventsDeduplicated: number;
  /** Pushes naming a registry that registryHosts does not list. */
  eventsUnmappedRegistry: number;
  /** Attachment manifests with nothing saying which image they belong to. */
  detachedAttachments: number;
  /** Attachment tag pushes whose tag did not come to name the pushed manifest (moved again meanwhile). */
  unsettledTags: number;
  /** Requests to examine an image folded into a re-examination already due. */
  examinationsCoalesced: number;
  /** Observations appended. */
  imagesRecorded: number;
  /** Examinations whose observation was already the latest in the log. */
  observationsUnchanged: number;
  attestationsVerified: number;
  attestationsUntrusted: number;
  attestationsInvalid: number;
  signaturesVerified: number;
  signaturesUntrusted: number;
  signaturesInvalid: number;
  /** Attempts repeated after a registry or store failure. */
  retries: number;
  /** Pushes given up on after the last attempt. */
  failures: number;
  queueDepth: number;
  inFlight: number;
}

export function emptyStats(): RegistryIngestStats {
  return {
    eventsReceived: 0,
    eventsIgnored: 0,
    eventsQueued: 0,
    eventsDeduplicated: 0,
    eventsUnmappedRegistry: 0,
    detachedAttachments: 0,
    unsettledTags: 0,
    examinationsCoalesced: 0,
    imagesRecorded: 0,
    observationsUnchanged: 0,
    attestationsVerified: 0,
    attestationsUntrusted: 0,
    attestationsInvalid: 0,
    signaturesVerified: 0,
    signaturesUntrusted: 0,
    signaturesInvalid: 0,
    retries: 0,
    failures: 0,
    queueDepth: 0,
    inFlight: 0,
  };
}

/** The part of a pino/fastify logger the ingest uses. */
export interface IngestLogger {
  warn(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}
