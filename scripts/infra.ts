/**
 * How `npm test` and `npm run dev` find their infrastructure (docs/operations.md):
 * MongoDB — MONGO_URI if it answers, else a throwaway real mongod (mongodb-memory-server, where it
 * can download), else a throwaway FerretDB built with Go; RabbitMQ — AMQP_URL, or a clear message.
 */
import { startFerretDb } from './infra/ferretdb';
import { pingMongo, tryMemoryServer, type MongoHandle } from './infra/mongo';
import { log, maskCredentials, serverUri } from './infra/util';

export { ensureRabbit, probeRabbit, rabbitHelp, DEFAULT_AMQP_URL } from './infra/rabbit';
export { InfraError, log, maskCredentials, withDatabase } from './infra/util';
export type { MongoHandle } from './infra/mongo';

export const DEFAULT_MONGO_URI = 'mongodb://127.0.0.1:27017';

export async function ensureMongo(
  configured = process.env.MONGO_URI || DEFAULT_MONGO_URI,
): Promise<MongoHandle> {
  const external = serverUri(configured);
  const unanswered = await pingMongo(external, 2_000);
  if (unanswered === undefined) {
    log(`MongoDB: using ${maskCredentials(external)} (MONGO_URI)`);
    return { uri: external, kind: 'MONGO_URI', stop: () => Promise.resolve() };
  }
  const why = `no MongoDB answers at ${maskCredentials(external)}`;
  log(`${why} (${unanswered}); starting a throwaway one`);

  const memory = await tryMemoryServer();
  if ('handle' in memory) return announce(memory.handle);

  log(`mongodb-memory-server ${memory.failure}; falling back to FerretDB`);
  return announce(await startFerretDb(`${why} and mongodb-memory-server ${memory.failure}`));
}

function announce(handle: MongoHandle): MongoHandle {
  log(`MongoDB: using ${handle.kind} at ${handle.uri}`);
  return handle;
}
