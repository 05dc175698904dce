import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig } from '../config/app-config';
import { OperationContextInterceptor } from '../db-stats/operation-context.interceptor';
import { setupOpenApi } from '../docs/openapi';
import { Metrics } from '../metrics/metrics';
import { ProblemDetailsFilter } from '../http/problem-details.filter';
import { RequestValidationPipe } from '../http/validation.pipe';

/**
 * Everything an app needs beyond its module graph. Shared by main.ts and the e2e tests so the
 * tests exercise exactly what production runs.
 */
export function configureApp(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  // JSON only (SPEC §4): without this Fastify would also accept text/plain bodies.
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply
      .header('X-Service-Version', config.serviceVersion)
      .header('X-Request-ID', request.id);
    done();
  });
  fastify.addHook('onSend', (_request, reply, _payload, done) => {
    // Once closing, answer and hang up, so kept-alive sockets do not hold the drain open.
    if (!fastify.server.listening) void reply.header('connection', 'close');
    done();
  });
  const metrics = app.get(Metrics);
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, so ids do not explode the label space.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  // Bench mode: database commands are counted per route and per consumed event.
  if (config.dbCommandStats) app.useGlobalInterceptors(new OperationContextInterceptor());
  app.useGlobalPipes(new RequestValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  setupOpenApi(app, config.service);
}
