import { MongoClient } from 'mongodb';
import { startFerretDb } from './scripts/infra/ferretdb';
import { runCommand } from './scripts/infra/util';

async function insertRate(uri: string, indexes: number): Promise<number> {
  const client = await new MongoClient(uri).connect();
  const col = client.db(`idx${indexes}_${Date.now()}`).collection('users');
  await col.insertOne({ _id: 'warm' } as never);
  const specs = [{ userId: 1, version: -1 }, { emails: 1 }, { published: 1, 'event.occurredAt': 1 }, { a: 1 }];
  for (let i = 0; i < indexes; i += 1) await col.createIndex(specs[i]);
  let n = 0;
  const started = Date.now();
  const worker = async () => {
    while (Date.now() - started < 8000) {
      const id = `${n++}-${Math.random()}`;
      await col.insertOne({ _id: id, userId: id, version: 1, emails: [`${id}@x.com`], published: false, event: { occurredAt: new Date(), eventId: id }, deliveryAddress: { street: 's', city: 'c' } } as never);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const rate = n / ((Date.now() - started) / 1000);
  await client.close();
  return rate;
}

(async () => {
  const db = `aware_idx_${Date.now()}`;
  await runCommand('psql', ['postgres://127.0.0.1:5432/postgres', '-qc', `CREATE DATABASE ${db}`]);
  const ferret = await startFerretDb('index cost', { backend: { kind: 'postgresql', url: `postgres://127.0.0.1:5432/${db}` } });
  try {
    for (const k of [0, 3, 0, 3]) console.log(`indexes=${k}: ${(await insertRate(ferret.uri, k)).toFixed(0)} inserts/s`);
  } finally {
    await ferret.stop();
    await runCommand('psql', ['postgres://127.0.0.1:5432/postgres', '-qc', `DROP DATABASE ${db}`]);
  }
})();
