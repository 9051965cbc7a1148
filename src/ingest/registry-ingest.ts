// The registry ingest: a bounded queue of manifest pushes and a few workers that turn each into a record of the
// image it concerns (src/ingest/record-image.ts). The notification endpoint only enqueues, so the registry gets
// its answer at once. Pushes of the same manifest waiting together are kept once; examinations of one image are
// serialised, and requests that arrive while one runs are folded into a single re-examination afterwards, which
// sees everything pushed meanwhile. Registry and store failures are retried with back-off, then counted.
import type { Digest } from '../core/digest.js';
import { isProvenantError, ProvenantError } from '../core/errors.js';
import type { Signer, Verifier } from '../crypto/index.js';
import type { LogService } from '../log/service.js';
import type { CredentialSource, HttpOptions } from '../oci/registry/index.js';
import type { RawManifest } from '../oci/types.js';
import { CachedRepository } from './cached-repository.js';
import { imageOfPush, subjectOfTag, tagSettles } from './image-of-push.js';
import { recordImage } from './record-image.js';
import type { ManifestPushEvent, RegistryNotification } from './registry-events.js';
import { RegistryTargets, type RegistryTarget } from './registry-targets.js';
import { emptyStats, type IngestLogger, type RegistryIngestStats } from './ingest-stats.js';
import { retryPolicy, withRetry, type RetryOptions, type RetryPolicy } from './ingest-retry.js';

export interface RegistryIngestOptions {
  readonly log: LogService;
  /** The service's own key: it signs the observations. */
  readonly signer: Signer;
  /** Keys whose signatures and attestations are appended as verified evidence. */
  readonly trustedKeys: readonly Verifier[];
  /** Registry name in events to the base URL to read it at; when given, other registries are not read. */
  readonly registryHosts?: Readonly<Record<string, string>>;
  readonly credentials?: CredentialSource;
  readonly http?: HttpOptions;
  /** Pushes waiting or in progress at most. Default 10,000. */
  readonly queueLimit?: number;
  /** Pushes examined at once. Default 2. */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  readonly logger?: IngestLogger;
}

export interface EnqueueResult {
  readonly queued: number;
  /** Pushes already waiting or in progress. */
  readonly deduplicated: number;
}

interface ImageJob {
  readonly target: RegistryTarget;
  readonly repository: string;
  readonly image: Digest;
  readonly tag?: string;
  readonly raw?: RawManifest;
}

const MAX_KNOWN_TAGS = 10_000;
const NO_LOGGER: IngestLogger = { warn: () => undefined };

export class RegistryIngest {
  private readonly targets: RegistryTargets;
  private readonly queue = new Map<string, ManifestPushEvent>();
  private readonly active = new Set<string>();
  private readonly images = new Map<string, { rerun?: ImageJob }>();
  /** The last tag each image was pushed under, so re-examinations after attachment pushes still name it. */
  private readonly knownTags = new Map<string, string>();
  private readonly counters = emptyStats();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly queueLimit: number;
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  private readonly logger: IngestLogger;
  private running = 0;
  private closing = false;

  /** Errors: USAGE for a bad registryHosts entry or limits. */
  constructor(private readonly options: RegistryIngestOptions) {
    this.targets = new RegistryTargets({
      ...(options.registryHosts === undefined ? {} : { registryHosts: options.registryHosts }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.http === undefined ? {} : { http: options.http }),
    });
    this.queueLimit = positive(options.queueLimit ?? 10_000, 'queueLimit');
    this.concurrency = positive(options.concurrency ?? 2, 'concurrency');
    this.retry = retryPolicy(options.retry);
    this.logger = options.logger ?? NO_LOGGER;
  }

  /** Counts a parsed notification and enqueues its pushes. Errors: INGEST_BUSY. */
  receive(notification: RegistryNotification): { accepted: number; ignored: number } {
    this.enqueue(notification.pushes);
    this.counters.eventsReceived += notification.received;
    this.counters.eventsIgnored += notification.ignored.length;
    return { accepted: notification.pushes.length, ignored: notification.ignored.length };
  }

  /**
   * Queues pushes and returns at once. All or nothing: when the new ones do not fit, none is queued and the error
   * is INGEST_BUSY (503), on which the registry sends the batch again later; also while draining.
   */
  enqueue(events: readonly ManifestPushEvent[]): EnqueueResult {
    if (this.closing) throw new ProvenantError('INGEST_BUSY', 'the registry ingest is shutting down');
    const fresh = new Map<string, ManifestPushEvent>();
    let deduplicated = 0;
    for (const event of events) {
      const key = `${event.registry}/${event.repository}@${event.digest}`;
      const waiting = this.queue.get(key) ?? fresh.get(key);
      if (waiting !== undefined || this.active.has(key)) {
        deduplicated++;
        // The same manifest pushed again under a tag: the tag is worth keeping.
        if (waiting !== undefined && waiting.tag === undefined && event.tag !== undefined) (this.queue.has(key) ? this.queue : fresh).set(key, event);
        continue;
      }
      fresh.set(key, event);
    }
    if (this.queue.size + this.active.size + fresh.size > this.queueLimit) {
      throw new ProvenantError('INGEST_BUSY', `the registry ingest queue is full (${this.queueLimit} pushes)`, { details: { limit: this.queueLimit } });
    }
    for (const [key, event] of fresh) this.queue.set(key, event);
    this.counters.eventsQueued += fresh.size;
    this.counters.eventsDeduplicated += deduplicated;
    this.pump();
    return { queued: fresh.size, deduplicated };
  }

  stats(): RegistryIngestStats {
    return { ...this.counters, queueDepth: this.queue.size, inFlight: this.active.size };
  }

  /** Resolves when nothing is queued or in progress. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking pushes, finishes those queued (without further back-off waits) and releases connections. */
  async drain(): Promise<void> {
    this.closing = true;
    await this.whenIdle();
    this.targets.close();
  }

  private isIdle(): boolean {
    return this.queue.size === 0 && this.active.size === 0;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.size > 0) {
      const [key, event] = this.queue.entries().next().value as [string, ManifestPushEvent];
      this.queue.delete(key);
      this.active.add(key);
      this.running++;
      void this.process(event)
        .catch((e: unknown) => this.failed(e, event.repository, event.digest))
        .finally(() => {
          this.running--;
          this.active.delete(key);
          this.pump();
          if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
        });
    }
  }

  private async process(event: ManifestPushEvent): Promise<void> {
    const target = this.targets.resolve(event.registry);
    if (target === undefined) {
      this.counters.eventsUnmappedRegistry++;
      this.logger.warn({ registry: event.registry }, 'registry notification names a registry that is not in registryHosts; ignored');
      return;
    }
    const found = await this.attempt(`resolve ${event.repository}@${event.digest}`, async () => {
      const client = this.targets.client(target, event.repository);
      try {
        if (event.tag !== undefined && subjectOfTag(event.tag) !== undefined) {
          if (!(await tagSettles((tag) => client.headManifest(tag), event.tag, event.digest))) this.counters.unsettledTags++;
        }
        return await imageOfPush(event, (digest) => client.fetchManifest(digest));
      } finally {
        await client.close();
      }
    });
    if (found === undefined) {
      this.counters.detachedAttachments++;
      return;
    }
    const job: ImageJob = {
      target,
      repository: event.repository,
      image: found.image,
      ...(found.tag === undefined ? {} : { tag: found.tag }),
      ...(found.raw === undefined ? {} : { raw: found.raw }),
    };
    await this.examine(job);
  }

  /** Runs the job, or folds it into the examination of the same image already running. */
  private async examine(job: ImageJob): Promise<void> {
    const key = `${job.target.name}/${job.repository}@${job.image}`;
    if (job.tag !== undefined) this.rememberTag(key, job.tag);
    const running = this.images.get(key);
    if (running !== undefined) {
      if (running.rerun !== undefined) this.counters.examinationsCoalesced++;
      running.rerun = job;
      return;
    }
    const slot: { rerun?: ImageJob } = {};
    this.images.set(key, slot);
    try {
      let next: ImageJob | undefined = job;
      while (next !== undefined) {
        try {
          await this.examineOnce(key, next);
        } catch (e) {
          // A failed examination must not lose the re-examination requested meanwhile.
          this.failed(e, next.repository, next.image);
        }
        next = slot.rerun;
        delete slot.rerun;
      }
    } finally {
      this.images.delete(key);
    }
  }

  private async examineOnce(key: string, job: ImageJob): Promise<void> {
    const tag = this.knownTags.get(key);
    const record = await this.attempt(`examine ${job.repository}@${job.image}`, async () => {
      const client = this.targets.client(job.target, job.repository);
      try {
        return await recordImage({
          log: this.options.log,
          repo: new CachedRepository(client),
          signer: this.options.signer,
          trustedKeys: this.options.trustedKeys,
          registry: job.target.name,
          repository: job.repository,
          image: job.image,
          ...(tag === undefined ? {} : { tag }),
          ...(job.raw === undefined ? {} : { raw: job.raw }),
        });
      } finally {
        await client.close();
      }
    });
    const c = this.counters;
    c.signaturesVerified += record.newEntries.signatures;
    c.attestationsVerified += record.newEntries.attestations;
    if (record.observation === null || record.observation.duplicate) {
      c.observationsUnchanged++;
      return;
    }
    c.imagesRecorded++;
    for (const { verdict } of record.attachments) {
      if (verdict.status === 'verified') continue;
      if (verdict.kind === 'attestation') c[verdict.status === 'untrusted' ? 'attestationsUntrusted' : 'attestationsInvalid']++;
      else c[verdict.status === 'untrusted' ? 'signaturesUntrusted' : 'signaturesInvalid']++;
    }
  }

  private attempt<T>(what: string, run: () => Promise<T>): Promise<T> {
    return withRetry(this.retry, run, {
      stop: () => this.closing,
      onRetry: (code, attempt, delayMs) => {
        this.counters.retries++;
        this.logger.info?.({ code, attempt, delayMs }, `registry ingest: ${what} failed, retrying`);
      },
    });
  }


  private failed(e: unknown, repository: string, digest: Digest): void {
    this.counters.failures++;
    const code = isProvenantError(e) ? e.code : 'INTERNAL';
    this.logger.warn({ err: e, code, repository, digest }, 'registry ingest gave up on a push');
  }

  private rememberTag(key: string, tag: string): void {
    this.knownTags.delete(key);
    this.knownTags.set(key, tag);
    if (this.knownTags.size > MAX_KNOWN_TAGS) {
      const oldest = this.knownTags.keys().next();
      if (oldest.done !== true) this.knownTags.delete(oldest.value);
    }
  }
}

function positive(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new ProvenantError('USAGE', `${what} must be a positive integer`, { details: { [what]: value } });
  return value;
}
