/**
 * How `npm test` and `npm run dev` find their infrastructure (docs/engines.md):
 * MongoDB — MONGO_URI if it answers, else a throwaway real mongod (mongodb-memory-server, where it
 * can download), else a throwaway FerretDB 2 + DocumentDB on PostgreSQL 15 (where PostgreSQL 15
 * tooling and the engine sources are), else a throwaway FerretDB 1.24 on SQLite; `--engine=`
 * picks one directly. RabbitMQ — AMQP_URL, or a clear message.
 */
import { documentDbAvailable, startDocumentDb } from './documentdb';
import { startFerretDb } from './ferretdb';
import { pingMongo, tryMemoryServer, type MongoHandle } from './mongo';
import { errorMessage, InfraError, log, maskCredentials, serverUri } from './util';

const DEFAULT_MONGO_URI = 'mongodb://127.0.0.1:27017';

/** Engines a run can ask for by name instead of the search below. */
export const ENGINES = ['documentdb', 'ferretdb-sqlite'] as const;
export type EngineName = (typeof ENGINES)[number];

/**
 * Removes `--engine=<name>` from `argv` (the rest goes on to Jest) and returns the name, or
 * AWARE_ENGINE's value, or undefined for "find one".
 */
export function takeEngineOption(argv: string[]): EngineName | undefined {
  let chosen = process.env.AWARE_ENGINE || undefined;
  for (let i = argv.length - 1; i >= 0; i--) {
    const match = /^--engine=(.*)$/.exec(argv[i]);
    if (!match) continue;
    chosen = match[1];
    argv.splice(i, 1);
  }
  if (chosen === undefined) return undefined;
  if (!(ENGINES as readonly string[]).includes(chosen)) {
    throw new InfraError(
      `--engine (or AWARE_ENGINE) must be one of ${ENGINES.join(', ')}, not "${chosen}".`,
    );
  }
  return chosen as EngineName;
}

function startNamed(engine: EngineName): Promise<MongoHandle> {
  return engine === 'documentdb'
    ? startDocumentDb()
    : startFerretDb('--engine=ferretdb-sqlite asks for it');
}

export async function ensureMongo(
  configured = process.env.MONGO_URI || DEFAULT_MONGO_URI,
  engine?: EngineName,
): Promise<MongoHandle> {
  if (engine) {
    log(`--engine=${engine}: starting a throwaway one (MONGO_URI is not used)`);
    return announce(await startNamed(engine));
  }
  const external = serverUri(configured);
  const unanswered = await pingMongo(external, 2_000);
  if (unanswered === undefined) {
    return announce({
      uri: external,
      kind: `the server at ${maskCredentials(external)} (MONGO_URI)`,
      stop: () => Promise.resolve(),
    });
  }
  const why = `no MongoDB answers at ${maskCredentials(external)}`;
  log(`${why} (${unanswered}); starting a throwaway one`);

  const memory = await tryMemoryServer();
  if ('handle' in memory) return announce(memory.handle);
  log(`mongodb-memory-server ${memory.failure}`);

  const documentDb = documentDbAvailable();
  if (documentDb.available) {
    try {
      return announce(await startDocumentDb());
    } catch (error) {
      log(`the DocumentDB engine did not start: ${errorMessage(error)}`);
    }
  } else {
    log(`no DocumentDB engine here (${documentDb.why})`);
  }
  log(
    'falling back to FerretDB 1.24 on SQLite (no sorts or ranges in the engine; see docs/engines.md)',
  );
  return announce(await startFerretDb(`${why} and mongodb-memory-server ${memory.failure}`));
}

function announce(handle: MongoHandle): MongoHandle {
  log(`MongoDB engine for this run: ${handle.kind} at ${maskCredentials(handle.uri)}`);
  return handle;
}
