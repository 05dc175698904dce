/**
 * Two order-service processes on one database. On an engine whose conditional updates are atomic
 * (MongoDB, FerretDB 2 + DocumentDB) both serve, and concurrent changes to one order from the two
 * are both kept. On one whose are not (FerretDB 1.x), the second instance waits for the writer
 * lease: it never becomes ready while the first runs, says why in its log, and takes over when
 * the first stops. ORDER_WRITER_LEASE=always makes every engine take the second path.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { deleteTopology, throwawayTopologyPrefix } from './support/broker';
import { anAddress, uniqueEmail } from './support/fixtures';
import { http, type Json } from './support/http';
import { engineHasAtomicConditionalUpdates, requiredEnv, throwawayMongoUri } from './support/infra';
import { ServiceProcess } from './support/service-process';

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
