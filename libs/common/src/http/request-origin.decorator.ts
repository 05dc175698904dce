import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Where a change comes from, carried with the event it causes. */
export interface RequestOrigin {
  /** X-Request-ID: the event's correlationId. */
  requestId: string;
  /** The request's trace (W3C traceparent), when tracing is on. */
  traceparent?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the tracing hook when tracing is on. */
    traceparent?: string;
  }
}

export const RequestOrigin = createParamDecorator(
  (_data: unknown, context: ExecutionContext): RequestOrigin => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return {
      requestId: request.id,
      ...(request.traceparent && { traceparent: request.traceparent }),
    };
  },
);
