import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, loadAppConfig } from '../config/app-config';
import { loadEnvFile } from '../config/env-file';
import { ConfigError } from '../config/env-rules';
import type { ServiceIdentity } from '../config/service-identity';
import { configureApp } from './configure-app';
import type { InFlightRequests } from './in-flight-requests';
import { createHttpAdapter } from './http-adapter';
import { createLogger } from './logger';
import { startTracing } from '../tracing/tracing';

export type RootModuleFactory = (config: AppConfig) => DynamicModule;

/** The environment over the `.env` file, validated; a bad value ends the process naming it. */
async function loadConfigOrExit(identity: ServiceIdentity): Promise<AppConfig> {
  await loadEnvFile();
  try {
    return loadAppConfig(process.env, identity);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${identity.name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Graceful shutdown: stop accepting, drop connections that are idle or still sending a body,
 * let fully received requests finish, run module destroy hooks (consumers stop, relays finish),
 * then exit 0; past SHUTDOWN_TIMEOUT_MS every connection is cut and the exit code is 1.
 */
function closeOnSignals(
  app: NestFastifyApplication,
  config: AppConfig,
  inFlight: InFlightRequests,
  flush: () => Promise<void>,
): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    const logger = createLogger(config);
    const fastify = app.getHttpAdapter().getInstance();
    logger.log(`${signal} received; draining`);
    setTimeout(() => {
      logger.error(`shutdown took over ${config.shutdownTimeoutMs} ms; exiting`);
      fastify.server.closeAllConnections();
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    const aborted = inFlight.abortIncomplete();
    if (aborted > 0) logger.log(`closed ${aborted} connections still sending their request`);
    // HTTP first (stop accepting, close idle sockets, drain), then module hooks.
    fastify
      .close()
      .then(() => app.close())
      // Spans still buffered are exported before the process ends.
      .then(flush)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** main.ts of every service: validated config, the shared HTTP setup, listen, graceful stop. */
export async function bootstrapService(
  identity: ServiceIdentity,
  rootModule: RootModuleFactory,
): Promise<NestFastifyApplication> {
  const config = await loadConfigOrExit(identity);
  const logger = createLogger(config);
  const tracing = startTracing(identity.name);
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule(config),
    createHttpAdapter(),
    { logger },
  );
  const inFlight = configureApp(app, config);
  closeOnSignals(app, config, inFlight, async () => {
    await tracing?.shutdown();
  });
  await app.listen(config.port, '0.0.0.0');
  logger.log(`listening on :${config.port}; Swagger UI at /docs`);
  return app;
}
