/**
 * Two order-service processes on one database. On an engine whose conditional updates are atomic
 * (MongoDB, FerretDB 2 + DocumentDB) both serve, and concurrent changes to one order from the two
 * are both kept. On one whose are not (FerretDB 1.x), the second instance waits for the writer
 * lease: it never becomes ready while the first runs, says why in its log, and takes over when
 * the first stops. ORDER_WRITER_LEASE=always makes every engine take the second path.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import {
  deleteTopology,
  ServiceProcess,
  throwawayTopologyPrefix,
  withOutputOf,
} from '@aware/harness';
import { anAddress, uniqueEmail } from './support/fixtures';
import { http, type Json } from './support/http';
import { engineHasAtomicConditionalUpdates, requiredEnv, throwawayMongoUri } from './support/infra';
import { RawBroker, userEvent } from './support/raw-broker';

jest.setTimeout(180_000);

describe('two order-service instances on one database', () => {
  const prefix = throwawayTopologyPrefix('twoorders');
  const ordersDb = throwawayMongoUri('twoorders');
  const env = {
    AMQP_URL: requiredEnv('AMQP_URL'),
    AMQP_TOPOLOGY_PREFIX: prefix,
    MONGO_URI: ordersDb,
  };
  const first = new ServiceProcess({ app: 'order', name: 'order-1', env });
  const second = new ServiceProcess({ app: 'order', name: 'order-2', env });
  const leasedDb = throwawayMongoUri('twoleased');
  const leasedEnv = { ...env, MONGO_URI: leasedDb, ORDER_WRITER_LEASE: 'always' };
  const leasedFirst = new ServiceProcess({ app: 'order', name: 'order-3', env: leasedEnv });
  const leasedSecond = new ServiceProcess({ app: 'order', name: 'order-4', env: leasedEnv });

  afterAll(async () => {
    await Promise.all([first, second, leasedFirst, leasedSecond].map((each) => each.kill()));
    for (const uri of [ordersDb, leasedDb]) {
      const connection = await mongoose.createConnection(uri).asPromise();
      await connection.dropDatabase();
      await connection.close();
    }
    await deleteTopology(prefix);
  });

  /** The second instance stays unready while the first holds the lease, then takes over. */
  const expectLeaseHandOver = async (
    holder: ServiceProcess,
    waiter: ServiceProcess,
    why: RegExp,
  ): Promise<void> => {
    await expect(waiter.start(15_000)).rejects.toThrow(/not ready/);
    expect(waiter.running).toBe(true);
    // On a busy machine the waiting instance may still be starting after those 15 s.
    const deadline = Date.now() + 30_000;
    while (!why.test(waiter.output()) && Date.now() < deadline) await sleep(250);
    expect(waiter.output()).toMatch(why);
    expect(waiter.running).toBe(true);
    const orderId = await createOrder(holder.url);
    await holder.stop();
    expect(holder.exitCode).toBe(0);
    await waiter.waitReady(30_000);
    const moved = await http<Json>(waiter.url, 'PUT', `/orders/${orderId}/status`, {
      body: { orderStatus: 'shipping' },
    });
    expect(moved.status).toBe(200);
  };

  const createOrder = async (url: string): Promise<string> => {
    const created = await http<Json>(url, 'POST', '/orders', {
      body: {
        items: [{ itemId: 'i1', quantity: 1, price: 2 }],
        userEmails: [uniqueEmail('two')],
        deliveryAddress: anAddress(),
      },
    });
    expect(created.status).toBe(201);
    return String(created.body.orderId);
  };

  it('never loses an update to one order made through two instances', async () => {
    const atomic = await engineHasAtomicConditionalUpdates();
    await first.start(60_000);

    if (!atomic) {
      await expectLeaseHandOver(first, second, /non-atomically/);
      return;
    }

    await second.start(60_000);
    for (let round = 0; round < 20; round += 1) {
      const orderId = await createOrder(first.url);
      const email = uniqueEmail(`round${round}`);
      const [status, details] = await Promise.all([
        http(first.url, 'PUT', `/orders/${orderId}/status`, { body: { orderStatus: 'shipping' } }),
        http(second.url, 'PUT', `/orders/${orderId}/details`, { body: { userEmails: [email] } }),
      ]);
      expect([status.status, details.status]).toEqual([200, 200]);
      const stored = await http<Json>(first.url, 'GET', `/orders/${orderId}`);
      expect(stored.body).toMatchObject({ orderStatus: 'shipping', userEmails: [email] });
    }
  });

  it('takes the writer lease on any engine when ORDER_WRITER_LEASE=always', async () => {
    await leasedFirst.start(60_000);
    await expectLeaseHandOver(leasedFirst, leasedSecond, /is the writer of this database/);
  });
});

describe('a writer paused past its lease (fencing)', () => {
  const prefix = throwawayTopologyPrefix('fence');
  const ordersDb = throwawayMongoUri('fence');
  const env = {
    AMQP_URL: requiredEnv('AMQP_URL'),
    AMQP_TOPOLOGY_PREFIX: prefix,
    MONGO_URI: ordersDb,
    // Every applied event is a log line: what the old writer applied is read from its log.
    LOG_LEVEL: 'log',
    // Fencing is tested on every engine, also where the probe would run instances side by side.
    ORDER_WRITER_LEASE: 'always',
  };
  const writer = new ServiceProcess({ app: 'order', name: 'order-a', env, keepLines: 200_000 });
  const standby = new ServiceProcess({ app: 'order', name: 'order-b', env, keepLines: 200_000 });
  let broker: RawBroker | undefined;

  afterAll(async () => {
    await Promise.all([writer.kill(), standby.kill()]);
    await broker?.close();
    const connection = await mongoose.createConnection(ordersDb).asPromise();
    await connection.dropDatabase();
    await connection.close();
    await deleteTopology(prefix);
  });

  /** /health and /health/ready of an instance, as an orchestrator sees them. */
  const probe = async (url: string): Promise<{ live: number; ready: number; text: string }> => {
    const live = await http(url, 'GET', '/health', { timeoutMs: 2_000 }).catch(() => undefined);
    const ready = await http(url, 'GET', '/health/ready', { timeoutMs: 2_000 }).catch(
      () => undefined,
    );
    return { live: live?.status ?? 0, ready: ready?.status ?? 0, text: ready?.text ?? '' };
  };

  it(
    'the paused writer applies nothing after it lost the lease, exits cleanly, and no order is lost; the standby is alive and not ready while it waits',
    withOutputOf(
      () => [writer, standby],
      async () => {
        await writer.start(60_000);
        // The standby listens while it waits: alive, and not ready because of the lease.
        await standby.launch();
        let waiting = await probe(standby.url);
        for (let i = 0; i < 300 && waiting.live !== 200; i += 1) {
          await sleep(100);
          waiting = await probe(standby.url);
        }
        expect(waiting).toMatchObject({ live: 200, ready: 503 });
        expect(waiting.text).toMatch(/writer-lease/);
        expect(waiting.text).toMatch(/waiting for the writer lease/);

        // ... and consumes nothing: the order queue has the writer's consumer only.
        broker = await RawBroker.connect(requiredEnv('AMQP_URL'), prefix);
        const queue = broker.topology.queue;
        let consumers = (await broker.queueState(queue)).consumers;
        for (let i = 0; i < 50 && consumers !== 1; i += 1) {
          await sleep(100);
          consumers = (await broker.queueState(queue)).consumers;
        }
        expect(consumers).toBe(1);

        // Orders of 5 users, then a stream of user events (10/s) while the writer is paused.
        const users = [0, 1, 2, 3, 4].map(() => randomUUID());
        const orders: { orderId: string; userId: string }[] = [];
        for (const userId of users) {
          for (let i = 0; i < 3; i += 1) {
            const created = await http<Json>(writer.url, 'POST', '/orders', {
              body: {
                userId,
                items: [{ itemId: 'i1', quantity: 1, price: 2 }],
                userEmails: [uniqueEmail('fence')],
                deliveryAddress: anAddress(),
              },
            });
            expect(created.status).toBe(201);
            orders.push({ orderId: String(created.body.orderId), userId });
          }
        }
        const newest = new Map<string, { version: number; emails: string[] }>();
        let publishing = true;
        const publisher = (async () => {
          for (let n = 0; publishing; n += 1) {
            const userId = users[n % users.length];
            const version = (newest.get(userId)?.version ?? 0) + 1;
            const emails = [uniqueEmail(`fence-v${version}`)];
            await broker?.publishEvent(userEvent(userId, version, emails, anAddress()));
            newest.set(userId, { version, emails });
            await sleep(100);
          }
        })();

        await sleep(2_000);
        writer.signal('SIGSTOP');
        // Past the lease's TTL: the standby takes over while the writer is frozen.
        await sleep(13_000);
        const duringPause = await probe(standby.url);
        writer.signal('SIGCONT');
        // The old writer notices, stops applying and exits within its shutdown budget (10 s).
        const exited = await writer.exitsWithin(20_000);
        await sleep(3_000);
        publishing = false;
        await publisher;

        expect(duringPause).toMatchObject({ live: 200, ready: 200 });
        expect(exited).toBe(true);
        expect(writer.exitCode).toBe(0);
        const lines = writer.output().split('\n');
        const lostAt = lines.findIndex((line) => line.includes('writer lease lost'));
        expect(lostAt).toBeGreaterThan(-1);
        const appliedBefore = lines
          .slice(0, lostAt)
          .filter((line) => line.includes('msg=event applied'));
        const appliedAfter = lines
          .slice(lostAt)
          .filter((line) => line.includes('msg=event applied'));
        expect(appliedBefore.length).toBeGreaterThan(0);
        expect(appliedAfter).toEqual([]);

        // Nothing lost: every order reaches its user's newest version through the new writer.
        const deadline = Date.now() + 45_000;
        let stale: string[] = [];
        do {
          stale = [];
          for (const { orderId, userId } of orders) {
            const order = await http<Json>(standby.url, 'GET', `/orders/${orderId}`);
            const expected = newest.get(userId);
            // Each version carries an email of its own, so the email says which version it holds.
            if (JSON.stringify(order.body.userEmails) !== JSON.stringify(expected?.emails)) {
              stale.push(
                `${orderId}: ${JSON.stringify(order.body.userEmails)}, newest v${expected?.version}`,
              );
            }
          }
          if (stale.length > 0) await sleep(500);
        } while (stale.length > 0 && Date.now() < deadline);
        expect(stale).toEqual([]);
        process.stdout.write(
          `[fence] old writer applied ${appliedBefore.length} events before the loss, ` +
            `${appliedAfter.length} after; ${orders.length} orders converged\n`,
        );
      },
    ),
  );
});
