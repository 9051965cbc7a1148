// An HTTPS load generator for the admission benchmark, run in a worker thread so that it has its own event loop
// (and, on a 2-core machine, its own core) apart from the server under test. Two ways to load:
// - closed loop: `connections` keep-alive connections, each sending its next request when the previous answered
//   (the most the server can take);
// - open loop: requests started at a fixed `rate` whatever the answers do, at most `connections` in flight on the
//   wire and the rest queued; latency counts from when a request was due, so a stalled server is not hidden by
//   sending less (no coordinated omission).
import { Agent, request } from 'node:https';
import { parentPort, Worker, workerData } from 'node:worker_threads';

export interface LoadSpec {
  readonly port: number;
  readonly ca: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** A body with `{{n}}` replaced by the request number (unique uids) and `{{k}}` by it modulo 32, or none. */
  readonly bodyTemplate?: string;
  /** Or one body per request, the n-th for request n. */
  readonly bodies?: readonly string[];
  /** Also fail the run unless every answer is an AdmissionReview with `response.allowed` true. */
  readonly expectAllowed?: boolean;
  readonly requests: number;
  readonly connections: number;
  /** Requests per second for an open loop; absent for a closed loop. */
  readonly rate?: number;
  /** A status other than this fails the run. */
  readonly expectStatus: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  /** Latencies in ms, sorted ascending. */
  readonly latencies: number[];
  readonly failures: number;
  readonly firstFailure?: string;
}

function allowed(text: string): boolean {
  try {
    return (JSON.parse(text) as { response?: { allowed?: unknown } }).response?.allowed === true;
  } catch {
    return false;
  }
}

async function run(spec: LoadSpec): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections, ca: spec.ca });
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const send = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const body = spec.bodies !== undefined ? spec.bodies[n % spec.bodies.length] : spec.bodyTemplate?.replaceAll('{{n}}', String(n).padStart(12, '0')).replaceAll('{{k}}', String(n % 32));
      const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
      const req = request({ host: '127.0.0.1', port: spec.port, method: spec.method, path: spec.path, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== spec.expectStatus || (spec.expectAllowed === true && !allowed(text))) {
            failures++;
            firstFailure ??= `${res.statusCode}: ${text.slice(0, 500)}`;
          }
          resolve();
        });
      });
      req.on('error', (e) => {
        failures++;
        firstFailure ??= e.message;
        resolve();
      });
      req.end(body);
    });
  const now = (): number => Number(process.hrtime.bigint()) / 1e6;
  // Every connection opened (TLS handshake done) before the clock starts, as an apiserver's stay open (not with
  // per-request bodies: sending those early would warm what is measured).
  if (spec.bodies === undefined) await Promise.all(Array.from({ length: spec.connections }, (_, i) => send(spec.requests + i)));
  latencies.length = 0;
  const started = now();
  if (spec.rate === undefined) {
    let next = 0;
    await Promise.all(
      Array.from({ length: spec.connections }, async () => {
        for (let n = next++; n < spec.requests; n = next++) {
          const t0 = now();
          await send(n);
          latencies.push(now() - t0);
        }
      }),
    );
  } else {
    const interval = 1000 / spec.rate;
    const pending: Promise<void>[] = [];
    for (let n = 0; n < spec.requests; n++) {
      const due = started + n * interval;
      const wait = due - now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      // Counted from when it was due, or from when it was sent if that was earlier (timers fire in steps of 1 ms).
      const sent = now();
      pending.push(send(n).then(() => void latencies.push(now() - Math.min(due, sent))));
    }
    await Promise.all(pending);
  }
  const seconds = (now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: spec.requests, seconds, latencies, failures, ...(firstFailure === undefined ? {} : { firstFailure }) };
}

/** Runs `spec` in a worker thread; throws unless every request went as expected. */
export async function generateLoad(what: string, spec: LoadSpec): Promise<LoadResult> {
  // A worker's entry module is loaded before --import hooks apply (Node 20), so it registers tsx itself first.
  const entry = new URL('./load-generator.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`, { eval: true, workerData: spec });
  const message = await new Promise<{ result?: LoadResult; error?: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  if (message.result === undefined) throw new Error(`load generator: ${message.error}`);
  const r = message.result;
  if (r.failures > 0) throw new Error(`${what}: ${r.failures} requests failed; first: ${r.firstFailure}`);
  return r;
}

export interface LatencyRow {
  readonly what: string;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Throughput and percentiles of `sorted` latencies (ms, ascending). */
export function latencyRow(what: string, requests: number, seconds: number, sorted: readonly number[]): LatencyRow {
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
  return { what, perSecond: requests / seconds, p50: pct(0.5), p99: pct(0.99), max: sorted[sorted.length - 1]! };
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object') {
  const port = parentPort;
  run(workerData as LoadSpec).then(
    (result) => port.postMessage({ result }),
    (e: unknown) => port.postMessage({ error: e instanceof Error ? e.stack : String(e) }),
  );
}
