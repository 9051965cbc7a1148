// Running the service: listen, and stop gracefully. stop() marks the service not ready (readyz 503), stops
// accepting connections, waits for the requests in flight and only then closes the log, which finishes the appends
// still queued: an append acknowledged with 2xx is always durable. SIGTERM and SIGINT call stop().
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ProvenantError } from '../core/errors.js';
import { buildServer, type ServerOptions } from './app.js';

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface StartOptions extends ServerOptions {
  /** Address to bind; default 127.0.0.1. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** Longest wait for requests in flight before their connections are cut. Default 10 s. */
  readonly shutdownTimeoutMs?: number;
  /** Call stop() on SIGTERM and SIGINT. Default true. */
  readonly handleSignals?: boolean;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  /** The base URL listened on, e.g. http://127.0.0.1:8080 (https:// with TLS). */
  readonly url: string;
  /** Drains and stops the service, then closes the log; safe to call more than once. */
  stop(): Promise<void>;
  /** Settles when the service has stopped (by stop() or a signal); rejects if closing the log failed. */
  readonly stopped: Promise<void>;
}

/**
 * Builds the service and listens. The server owns the log from here: stop() closes it, and so does a failure to
 * start. Once stop() begins, the signal handlers are removed, so a second SIGINT ends the process at once.
 * Errors: those of buildServer, IO_ERROR when the address cannot be bound.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const wanted = options.port ?? 8080;
  let app: FastifyInstance | undefined;
  try {
    app = await buildServer(options);
    await app.listen({ host, port: wanted });
  } catch (cause) {
    await app?.close();
    await options.log.close();
    if (cause instanceof ProvenantError) throw cause;
    throw new ProvenantError('IO_ERROR', `cannot listen on ${host}:${wanted}`, { cause, details: { host, port: wanted } });
  }
  return running(app, options, host);
}

function running(app: FastifyInstance, options: StartOptions, host: string): RunningServer {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 8080);
  const url = `${options.tls === undefined ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let resolveStopped!: () => void;
  let rejectStopped!: (e: unknown) => void;
  const stopped = new Promise<void>((resolve, reject) => {
    resolveStopped = resolve;
    rejectStopped = reject;
  });
  // Callers that only call stop() need not also handle `stopped`.
  stopped.catch(() => undefined);

  const onSignal = (signal: NodeJS.Signals): void => {
    app.log.info({ signal }, 'shutting down');
    void stop().catch(() => undefined);
  };
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      try {
        await drainAndClose(app, options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS);
        resolveStopped();
      } catch (e) {
        rejectStopped(e);
        throw e;
      }
    })();
    return stopping;
  };
  if (options.handleSignals ?? true) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return { app, url, stop, stopped };
}

/**
 * The shutdown sequence of a built server: drain, stop listening, answer what was already sent on open connections
 * (503 while draining), wait for requests in flight, cut idle keep-alive connections, then close the registry
 * ingest and the log. At the deadline the remaining connections are cut; appends they carried that were queued
 * still complete in log.close(), but were never acknowledged.
 */
export async function drainAndClose(app: FastifyInstance, timeoutMs: number): Promise<void> {
  app.drain.startDraining();
  const server = app.server;
  // net.Server's close stops accepting connections and leaves open ones be. http.Server's close would also cut
  // every connection with no request parsed yet, dropping requests already sent but not yet read.
  const connectionsEnded = new Promise<void>((resolve) => {
    if (!server.listening) resolve();
    else net.Server.prototype.close.call(server, () => resolve());
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const drained = (async () => {
    do {
      await app.drain.idle();
      // Requests already in socket buffers are read in the next poll phase; let them start before deciding.
      await new Promise((resolve) => setImmediate(resolve));
    } while (app.drain.pending > 0);
    server.closeIdleConnections();
    await connectionsEnded;
    return 'drained' as const;
  })();
  if ((await Promise.race([drained, deadline])) === 'timeout') {
    app.log.warn({ pending: app.drain.pending }, 'requests still running at the shutdown deadline; closing their connections');
    server.closeAllConnections();
  }
  clearTimeout(timer);
  await app.close();
  // Pushes the registry ingest still holds become log entries before the log closes.
  if (app.registryIngest !== null) await app.registryIngest.drain();
  await app.servedLog.close();
}
