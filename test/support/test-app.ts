import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import {
  configureApp,
  createHttpAdapter,
  loadAppConfig,
  type RootModuleFactory,
  type ServiceIdentity,
} from '@aware/common';
import { deleteTopology, throwawayTopologyPrefix } from '@aware/harness';
import { requiredEnv, throwawayMongoUri } from './infra';

export interface TestApp {
  app: NestFastifyApplication;
  mongoUri: string;
  topologyPrefix: string;
  /** Stops the app and drops its throwaway database and broker topology. */
  close(): Promise<void>;
}

/**
 * Starts a service in-process exactly as main.ts does (same module, same HTTP setup), against its
 * own throwaway database on the real test server.
 */
export async function startTestApp(
  identity: ServiceIdentity,
  rootModule: RootModuleFactory,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const mongoUri = env.MONGO_URI ?? throwawayMongoUri(identity.name);
  const topologyPrefix = env.AMQP_TOPOLOGY_PREFIX ?? throwawayTopologyPrefix(identity.name);
  const config = loadAppConfig(
    {
      AMQP_URL: requiredEnv('AMQP_URL'),
      LOG_LEVEL: 'error',
      ...env,
      MONGO_URI: mongoUri,
      AMQP_TOPOLOGY_PREFIX: topologyPrefix,
    },
    identity,
  );
  const moduleRef = await Test.createTestingModule({ imports: [rootModule(config)] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), {
    logger: ['error'],
  });
  configureApp(app, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    mongoUri,
    topologyPrefix,
    async close() {
      const connection = app.get<Connection>(getConnectionToken());
      if (!env.MONGO_URI) await connection.dropDatabase();
      await app.close();
      if (!env.AMQP_TOPOLOGY_PREFIX) await deleteTopology(topologyPrefix);
    },
  };
}
