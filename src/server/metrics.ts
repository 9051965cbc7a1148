// Prometheus metrics of the service, in a registry of its own (several servers in one process, as in tests, do
// not share counters): HTTP requests by route and status, token refusals, the log's size and sequencer activity,
// and the default process metrics.
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RegistryIngestStats } from '../ingest/index.js';
import type { LogStats } from '../log/sequencer.js';
import type { AuthFailureReason } from './auth.js';

const PREFIX = 'provenant_';
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route' | 'status'>;
  private readonly authFailures: Counter<'reason'>;

  /** `figures` is read at each scrape; a failure there leaves the log metrics at their last values. */
  constructor(figures: () => Promise<LogStats>, ingest?: () => RegistryIngestStats) {
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.requests = new Counter({
      name: `${PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'Time from receiving a request to finishing its answer, by method, route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.authFailures = new Counter({
      name: `${PREFIX}auth_failures_total`,
      help: 'Requests refused for their bearer token: missing, malformed, invalid (unknown) or scope (lacks the scope).',
      labelNames: ['reason'],
      registers: [this.registry],
    });

    // Read from the log at each scrape (refresh is defined below; collect runs only when a scrape happens).
    const fromLog = { registers: [this.registry], collect: () => refresh() };
    const size = new Gauge({ name: `${PREFIX}log_size`, help: 'Leaves in the log (the latest checkpoint size).', ...fromLog });
    const pending = new Gauge({ name: `${PREFIX}log_pending_appends`, help: 'Appends waiting for the sequencer.', ...fromLog });
    const counters = {
      appends: new Counter({ name: `${PREFIX}log_appends_total`, help: 'Entries appended (new leaves) since the log was opened.', ...fromLog }),
      duplicates: new Counter({ name: `${PREFIX}log_duplicates_total`, help: 'Appends answered with an identical entry already logged.', ...fromLog }),
      batches: new Counter({ name: `${PREFIX}log_batches_total`, help: 'Batches the sequencer integrated (one signed checkpoint each).', ...fromLog }),
    };
    const batchSize = new Histogram({ name: `${PREFIX}log_batch_size`, help: 'Leaves per integrated batch.', buckets: BATCH_BUCKETS, ...fromLog });
    const seen = { appends: 0, duplicates: 0, batches: 0 };
    const apply = (f: LogStats): void => {
      size.set(Number(f.size));
      pending.set(f.pending);
      for (const name of ['appends', 'duplicates', 'batches'] as const) {
        // Prometheus counters only go up; the log reports totals, so add what is new since the last scrape.
        if (f[name] > seen[name]) counters[name].inc(f[name] - seen[name]);
        seen[name] = Math.max(seen[name], f[name]);
      }
      for (const n of f.batchSizes) batchSize.observe(n);
    };
    if (ingest !== undefined) this.ingestMetrics(ingest);
    // A scrape renders every metric concurrently, calling each collect() in the same tick: they share one read.
    let scrape: Promise<void> | null = null;
    const refresh = (): Promise<void> => {
      scrape ??= figures()
        .then(apply, () => undefined)
        .finally(() => {
          scrape = null;
        });
      return scrape;
    };
  }

  private ingestMetrics(stats: () => RegistryIngestStats): void {
    const gauge = (name: string, help: string, read: (s: RegistryIngestStats) => number): void => {
      const g: Gauge = new Gauge({ name: `${PREFIX}ingest_${name}`, help, registers: [this.registry], collect: () => void g.set(read(stats())) });
    };
    gauge('queue_depth', 'Registry pushes waiting to be examined.', (s) => s.queueDepth);
    gauge('in_flight', 'Registry pushes being examined.', (s) => s.inFlight);
    const counter = (name: string, help: string, read: (s: RegistryIngestStats) => number): void => {
      let seen = 0;
      const c: Counter = new Counter({
        name: `${PREFIX}ingest_${name}_total`,
        help,
        registers: [this.registry],
        collect: () => {
          const now = read(stats());
          if (now > seen) c.inc(now - seen);
          seen = Math.max(seen, now);
        },
      });
    };
    counter('events', 'Events received in registry notifications.', (s) => s.eventsReceived);
    counter('images_recorded', 'Image observations the ingest appended.', (s) => s.imagesRecorded);
    counter('retries', 'Ingest attempts repeated after a registry or store failure.', (s) => s.retries);
    counter('failures', 'Registry pushes given up on after the last attempt.', (s) => s.failures);
    counter('unsettled_tags', 'Attachment tag pushes whose tag never named the pushed manifest within the wait.', (s) => s.unsettledTags);
    counter('unmapped_registry_events', 'Events naming a registry the service is not configured to read.', (s) => s.eventsUnmappedRegistry);
    const outcomes: [string, string, (s: RegistryIngestStats) => number][] = [
      ['attestation', 'verified', (s) => s.attestationsVerified],
      ['attestation', 'untrusted', (s) => s.attestationsUntrusted],
      ['attestation', 'invalid', (s) => s.attestationsInvalid],
      ['signature', 'verified', (s) => s.signaturesVerified],
      ['signature', 'untrusted', (s) => s.signaturesUntrusted],
      ['signature', 'invalid', (s) => s.signaturesInvalid],
    ];
    const seen = new Map<string, number>();
    const attachments: Counter<'kind' | 'status'> = new Counter({
      name: `${PREFIX}ingest_attachments_total`,
      help: 'Attachments found on pushed images, by kind and verdict (verified by a trusted key, untrusted, invalid).',
      labelNames: ['kind', 'status'],
      registers: [this.registry],
      collect: () => {
        const current = stats();
        for (const [kind, status, read] of outcomes) {
          const key = `${kind}/${status}`;
          const now = read(current);
          const before = seen.get(key) ?? 0;
          if (now > before) attachments.inc({ kind, status }, now - before);
          seen.set(key, Math.max(before, now));
        }
      },
    });
  }

  /** Counts each answered request; the route label is the pattern, never the raw URL, to bound cardinality. */
  install(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      };
      this.requests.inc(labels);
      this.latency.observe(labels, reply.elapsedTime / 1000);
    });
  }

  authFailed(reason: AuthFailureReason): void {
    this.authFailures.inc({ reason });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
