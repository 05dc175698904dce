/**
 * Two order-service processes on one database. On an engine whose conditional updates are atomic
 * (MongoDB) both serve, and concurrent changes to one order from the two are both kept. On one
 * whose are not (FerretDB), the second instance waits for the writer lease: it never becomes
 * ready while the first runs, says why in its log, and takes over when the first stops.
 */
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

  afterAll(async () => {
    await Promise.all([first.kill(), second.kill()]);
    const connection = await mongoose.createConnection(ordersDb).asPromise();
    await connection.dropDatabase();
    await connection.close();
    await deleteTopology(prefix);
  });

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
    const atomic = await engineHasAtomicConditionalUpdates(requiredEnv('MONGO_URI'));
    await first.start(60_000);

    if (!atomic) {
      // The second process starts but must not become ready while the first holds the lease.
      await expect(second.start(15_000)).rejects.toThrow(/not ready/);
      expect(second.running).toBe(true);
      expect(second.output()).toMatch(/non-atomically/);
      const orderId = await createOrder(first.url);
      await first.stop();
      expect(first.exitCode).toBe(0);
      await second.waitReady(30_000);
      const moved = await http<Json>(second.url, 'PUT', `/orders/${orderId}/status`, {
        body: { orderStatus: 'shipping' },
      });
      expect(moved.status).toBe(200);
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
});
