import { randomBytes } from 'node:crypto';
import { createConnection } from 'mongoose';
import { probeAtomicConditionalUpdates } from '@aware/database';

/**
 * The test command (`npm test`) finds or starts MongoDB and RabbitMQ and passes them here; run
 * through it. Missing infrastructure fails loudly instead of letting tests pass vacuously.
 */
export function requiredEnv(name: 'MONGO_URI' | 'AMQP_URL'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Run the tests with \`npm test\`, which starts or finds MongoDB and RabbitMQ.`,
    );
  }
  return value;
}

/** A fresh database on the test server for one suite; dropped by the suite when it ends. */
export function throwawayMongoUri(suite: string): string {
  const server = new URL(requiredEnv('MONGO_URI'));
  const name = `t_${suite.replace(/[^A-Za-z0-9]/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  server.pathname = `/${name}`;
  return server.toString();
}

/** Drops the throwaway databases a suite made. */
export async function dropDatabases(...uris: string[]): Promise<void> {
  for (const uri of uris) {
    const connection = await createConnection(uri).asPromise();
    try {
      await connection.dropDatabase();
    } finally {
      await connection.close();
    }
  }
}

/**
 * The probe the order service runs at start, on a database of its own: false on FerretDB 1.x,
 * whose conditional updates are not atomic across connections, where a second order instance
 * waits for the writer lease instead of serving.
 */
export async function engineHasAtomicConditionalUpdates(): Promise<boolean> {
  const connection = await createConnection(throwawayMongoUri('probe')).asPromise();
  try {
    return await probeAtomicConditionalUpdates(connection.db!);
  } finally {
    await connection.dropDatabase();
    await connection.close();
  }
}
