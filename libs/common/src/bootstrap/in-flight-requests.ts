import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';

/**
 * The requests a service is working on, so that shutdown can tell the ones it should finish
 * (fully received, being handled) from the ones it should drop at once (a client still sending
 * its body, which could otherwise hold the drain open until the request timeout).
 */
export class InFlightRequests {
  private readonly requests = new Set<IncomingMessage>();

  constructor(fastify: FastifyInstance) {
    fastify.addHook('onRequest', (request, _reply, done) => {
      this.requests.add(request.raw);
      done();
    });
    fastify.addHook('onResponse', (request, _reply, done) => {
      // Answered early while its body still arrives (see lingering-close.ts): still incomplete
      // until its connection closes, so shutdown cuts it rather than waiting for the body.
      if (request.raw.complete || request.raw.socket.destroyed) this.requests.delete(request.raw);
      else request.raw.socket.once('close', () => this.requests.delete(request.raw));
      done();
    });
    fastify.addHook('onRequestAbort', (request, done) => {
      this.requests.delete(request.raw);
      done();
    });
  }

  /** Closes the connections of requests whose body has not fully arrived; returns how many. */
  abortIncomplete(): number {
    let aborted = 0;
    for (const request of this.requests) {
      if (request.complete) continue;
      request.socket.destroy();
      this.requests.delete(request);
      aborted += 1;
    }
    return aborted;
  }
}
