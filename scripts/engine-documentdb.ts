/**
 * `npm run engine:documentdb [-- --keep]`: builds the DocumentDB engine once (cached outside the
 * repository), starts a throwaway PostgreSQL 15 cluster and FerretDB 2 on free ports, checks that
 * a write and a sorted read work and that the hot queries use their indexes, and stops both. With --keep it prints the URI and runs until
 * Ctrl-C.
 */
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import {
  describeFailure,
  engineCacheDir,
  ensureDocumentDbEngine,
  InfraError,
  log,
  startDocumentDb,
  withDatabase,
  type MongoHandle,
} from '@aware/harness';
import { checkQueryPlans } from './query-plans';

let engine: MongoHandle | undefined;

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** One insert, one indexed sorted read and one conditional update: the engine really works. */
async function smokeTest(uri: string): Promise<void> {
  const client = new mongoose.mongo.MongoClient(withDatabase(uri, 'engine_check'));
  try {
    const db = client.db();
    const build = await db.admin().command({ buildInfo: 1 });
    log(`buildInfo: version ${String(build.version)}, ${JSON.stringify(build.ferretdb ?? {})}`);
    const orders = db.collection('orders');
    await orders.createIndex({ status: 1, createdAt: 1 });
    await orders.insertMany(
      Array.from({ length: 100 }, (_, i) => ({ status: i % 2 ? 'open' : 'done', createdAt: i })),
    );
    const page = await orders.find({ status: 'open' }).sort({ createdAt: 1 }).limit(10).toArray();
    const claimed = await orders.findOneAndUpdate(
      { status: 'open', createdAt: 1 },
      { $set: { status: 'claimed' } },
    );
    if (page.length !== 10 || page[0].createdAt !== 1 || !claimed) {
      throw new InfraError('the engine answered, but a sorted read or an update came back wrong');
    }
    await db.dropDatabase();
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { keep: { type: 'boolean', default: false } } });
  const started = Date.now();
  await ensureDocumentDbEngine();
  log(`engine build ready in ${seconds(started)} (${engineCacheDir()})`);
  const starting = Date.now();
  engine = await startDocumentDb();
  log(`started ${engine.kind} at ${engine.uri} in ${seconds(starting)}`);
  await smokeTest(engine.uri);
  log('insert, sorted read and conditional update: ok');
  for (const plan of await checkQueryPlans(engine.uri)) log(`plan of ${plan.query}: ${plan.steps}`);
  if (values.keep) {
    log(`MONGO_URI=${engine.uri} — Ctrl-C stops the engine.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  await engine.stop();
  engine = undefined;
  log(`done in ${seconds(started)}`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`\n${describeFailure(error)}\n`);
  await engine?.stop().catch(() => undefined);
  process.exit(1);
});
