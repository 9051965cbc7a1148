// Load shedding during shutdown. Once draining starts, a request that arrives on a connection still open is
// answered 503 SERVICE_UNAVAILABLE (so a load balancer retries it elsewhere) and every answer, including those of
// requests already running, closes its connection, so the server drains instead of waiting out keep-alives.
import type { FastifyInstance } from 'fastify';
import { ProvenantError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answer this route normally while draining (health checks). */
    whileDraining?: boolean;
  }
}

export class DrainState {
  private draining = false;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  get accepting(): boolean {
    return !this.draining;
  }

  /** Requests received and not yet answered (or aborted). */
  get pending(): number {
    return this.inFlight;
  }

  startDraining(): void {
    this.draining = true;
  }

  /** Resolves once no request is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      this.inFlight++;
      // Both end hooks may fire for one request (an abort after the answer started); count it down once.
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        this.finished();
      };
      reply.raw.once('close', finish);
      if (this.draining && request.routeOptions.config.whileDraining !== true) {
        throw new ProvenantError('SERVICE_UNAVAILABLE', 'the service is shutting down; retry elsewhere or later');
      }
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      if (this.draining) void reply.header('connection', 'close');
      return payload;
    });
  }

  private finished(): void {
    this.inFlight--;
    if (this.inFlight === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
