import { spawn, spawnSync } from 'node:child_process';
import mongoose from 'mongoose';
import { assertBundle, deleteTopology, freePort, throwawayTopologyPrefix } from '@aware/harness';
import { anAddress, uniqueEmail } from './support/fixtures';
import { requiredEnv, throwawayMongoUri } from './support/infra';

/** The built service as an operator runs it (docs/operations.md). */
describe('service process lifecycle (docs/operations.md)', () => {
  it.each([
    ['PORT', 'abc'],
    ['MONGO_URI', 'mongodb://127.0.0.1:27017'],
    ['ORDER_SYNC_STATUSES', 'lost'],
  ])('stops at start with a message naming %s when it is %p', (name, value) => {
    const run = spawnSync(process.execPath, [assertBundle('order')], {
      env: { ...process.env, [name]: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(name);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('drains on SIGTERM: accepted writes complete and persist, late ones get 503, exit code 0', async () => {
    const mongoUri = throwawayMongoUri('lifecycle');
    const prefix = throwawayTopologyPrefix('lifecycle');
    const port = await freePort();
    const child = spawn(process.execPath, [assertBundle('user-v2')], {
      env: {
        ...process.env,
        PORT: String(port),
        MONGO_URI: mongoUri,
        AMQP_URL: requiredEnv('AMQP_URL'),
        AMQP_TOPOLOGY_PREFIX: prefix,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    try {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ready = await fetch(`${url}/health/ready`).catch(() => undefined);
        if (ready?.status === 200) break;
        if (Date.now() > deadline) throw new Error(`user-v2 not ready:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }

      const writes = Array.from({ length: 40 }, () =>
        fetch(`${url}/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ emails: [uniqueEmail()], deliveryAddress: anAddress() }),
        }).then(
          async (response) => ({
            status: response.status,
            userId: ((await response.json()) as { userId?: string }).userId,
          }),
          // Refused after the listener closed: never reached the service, nothing to check.
          () => ({ status: 0, userId: undefined }),
        ),
      );
      // Stop while most writes are still in flight.
      await Promise.race(writes);
      child.kill('SIGTERM');
      const results = await Promise.all(writes);
      const code = await exited;
      if (code !== 0) process.stdout.write(`user-v2 output:\n${output}\n`);
      expect(code).toBe(0);

      // 503 is the closing server telling a caller to retry elsewhere (Fastify's
      // return503OnClosing); 0 is a connection refused after the listener closed.
      expect(results.filter((result) => ![201, 503, 0].includes(result.status))).toEqual([]);
      const created = results.filter((result) => result.status === 201);
      expect(created.length).toBeGreaterThan(0);
      const connection = await mongoose.createConnection(mongoUri).asPromise();
      try {
        for (const { userId } of created) {
          expect(await connection.collection('users').countDocuments({ userId })).toBe(1);
        }
      } finally {
        await connection.dropDatabase();
        await connection.close();
      }
    } finally {
      child.kill('SIGKILL');
      await deleteTopology(prefix);
    }
  });
});
