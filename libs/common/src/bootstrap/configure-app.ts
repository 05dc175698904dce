import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Span } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';
import { endSpan, SpanKind, startSpan, traceparentOf } from '../tracing/tracing';
import { AppConfig } from '../config/app-config';
import { OperationContextInterceptor } from '../db-stats/operation-context.interceptor';
import { setupOpenApi } from '../docs/openapi';
import { Metrics } from '../metrics/metrics';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { RequestValidationPipe } from '../http/validation.pipe';
import { assertJsonBody } from '../http/json-only';
import { IDEMPOTENT_REPLAYED_HEADER } from '../idempotency/idempotent-request';
import { assertWellFormedUnicode } from '../http/well-formed-unicode';
import { InFlightRequests } from './in-flight-requests';
import { lingerOnEarlyAnswers } from './lingering-close';
import { logFields } from './logger';

/**
 * Everything an app needs beyond its module graph. Shared by main.ts and the e2e tests so the
 * tests exercise exactly what production runs.
 */
export function configureApp(app: NestFastifyApplication, config: AppConfig): InFlightRequests {
  const fastify = app.getHttpAdapter().getInstance();
  const inFlight = new InFlightRequests(fastify);
  // JSON only: without this Fastify would also accept text/plain bodies.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    try {
      assertJsonBody(request);
      done(null, payload);
    } catch (error) {
      done(error as Error);
    }
  });
  // Parsed, before any pipe or validator: a lone surrogate makes some validators throw, and the
  // database would store it as U+FFFD, not as confirmed.
  fastify.addHook('preValidation', (request, _reply, done) => {
    try {
      assertWellFormedUnicode(request.body);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  lingerOnEarlyAnswers(fastify);
  const spans = new WeakMap<FastifyRequest, Span>();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply
      .header('X-Service-Version', config.serviceVersion)
      .header('X-Request-ID', request.id);
    const incoming = request.headers.traceparent;
    const span = startSpan(
      `${request.method} ${request.routeOptions.url ?? 'unmatched'}`,
      SpanKind.SERVER,
      typeof incoming === 'string' ? incoming : undefined,
      { 'http.request.method': request.method, 'aware.request_id': request.id },
    );
    spans.set(request, span);
    request.traceparent = traceparentOf(span);
    done();
  });
  fastify.addHook('onSend', (_request, reply, _payload, done) => {
    // Once closing, answer and hang up, so kept-alive sockets do not hold the drain open.
    if (!fastify.server.listening) void reply.header('connection', 'close');
    done();
  });
  const metrics = app.get(Metrics);
  const requestLog = new Logger('HTTP');
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, so ids do not explode the label space.
    const route = request.routeOptions.url ?? 'unmatched';
    const replayed = reply.getHeader(IDEMPOTENT_REPLAYED_HEADER) === 'true';
    metrics.observeHttp(
      request.method,
      route,
      reply.statusCode,
      reply.elapsedTime / 1000,
      replayed,
    );
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      endSpan(span, reply.statusCode >= 500 ? `status ${reply.statusCode}` : undefined);
    }
    const line = {
      msg: 'request',
      method: request.method,
      route,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
      requestId: request.id,
    };
    // Probes and scrapes come every few seconds: kept out of the default level.
    if (route.startsWith('/health') || route === '/metrics') {
      requestLog.verbose(logFields(config, line));
    } else {
      requestLog.log(logFields(config, line));
    }
    done();
  });

  // Bench mode: database commands are counted per route and per consumed event.
  if (config.dbCommandStats) app.useGlobalInterceptors(new OperationContextInterceptor());
  app.useGlobalPipes(new RequestValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  if (config.servesHttpApi) setupOpenApi(app, config.service);
  return inFlight;
}
