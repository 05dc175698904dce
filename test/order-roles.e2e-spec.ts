/**
 * ORDER_ROLE splits the order service: an `api` process serves orders and consumes nothing; a
 * `consumer` process applies user events and serves only health and metrics. The processes run
 * one after the other, as on FerretDB a second order process waits for the writer lease.
 */
import { connect } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  topologyExchanges,
  topologyQueues,
  userEventsTopology,
  type UserEventsTopology,
} from '@aware/events';
import {
  deleteTopology,
  ServiceProcess,
  throwawayTopologyPrefix,
  withOutputOf,
} from '@aware/harness';
import { anAddress, uniqueEmail } from './support/fixtures';
import { eventually, expectStatus, http } from './support/http';
import { dropDatabases, requiredEnv, throwawayMongoUri } from './support/infra';
import { RawBroker, userEvent } from './support/raw-broker';

jest.setTimeout(180_000);

/** The api process has no broker connection, so the test declares what the consumer reads. */
async function declareTopology(amqpUrl: string, topology: UserEventsTopology): Promise<void> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const exchange of topologyExchanges(topology)) {
      await channel.assertExchange(exchange.name, exchange.type ?? 'topic', exchange.options);
    }
    for (const queue of topologyQueues(topology, 10)) {
      await channel.assertQueue(queue.name, queue.options);
      await channel.bindQueue(queue.name, queue.exchange!, String(queue.routingKey));
    }
    await channel.close();
  } finally {
    await connection.close();
  }
}

describe('ORDER_ROLE: the order API and the order consumer as separate processes', () => {
  const prefix = throwawayTopologyPrefix('orderroles');
  const ordersDb = throwawayMongoUri('orderroles');
  const amqpUrl = requiredEnv('AMQP_URL');
  const env = { AMQP_URL: amqpUrl, AMQP_TOPOLOGY_PREFIX: prefix, MONGO_URI: ordersDb };
  const api = new ServiceProcess({
    app: 'order',
    name: 'order-api',
    env: { ...env, ORDER_ROLE: 'api' },
  });
  const consumer = new ServiceProcess({
    app: 'order',
    name: 'order-consumer',
    env: { ...env, ORDER_ROLE: 'consumer' },
  });
  let broker: RawBroker;

  beforeAll(async () => {
    await declareTopology(amqpUrl, userEventsTopology(`${prefix}.`));
    broker = await RawBroker.connect(amqpUrl, prefix);
  });

  afterAll(async () => {
    await Promise.all([api.kill(), consumer.kill()]);
    await broker?.close();
    await deleteTopology(prefix);
    await dropDatabases(ordersDb);
  });

  it(
    'the api leaves events in the queue; the consumer applies them and serves no orders',
    withOutputOf([api, consumer], async () => {
      const queue = broker.topology.queue;
      const userId = randomUUID();
      await api.start(60_000);
      const created = expectStatus(
        await http<{ orderId: string }>(api.url, 'POST', '/orders', {
          body: {
            userId,
            items: [{ itemId: 'i1', quantity: 1, price: 3 }],
            userEmails: [uniqueEmail('role-old')],
            deliveryAddress: anAddress(),
          },
        }),
        201,
        'POST /orders on the api process',
      );
      expect((await http(api.url, 'GET', '/docs/json')).status).toBe(200);

      const newEmail = uniqueEmail('role-new');
      await broker.publishEvent(
        userEvent(userId, 2, [newEmail], anAddress({ street: '2 Role St' })),
      );
      // Time for a consumer, were there one, to take the message; then it is still there.
      await sleep(1_500);
      expect(await broker.queueState(queue)).toEqual({ messages: 1, consumers: 0 });
      // No broker connection at all: nothing about the broker is checked or reported.
      const apiReady = await http<{ details: Record<string, unknown>; reported: object }>(
        api.url,
        'GET',
        '/health/ready',
      );
      expect(apiReady.status).toBe(200);
      expect(Object.keys(apiReady.body.details).sort()).toEqual(['mongodb', 'writer-lease']);
      expect(apiReady.body.reported).toEqual({});
      await api.stop();
      expect(api.exitCode).toBe(0);

      await consumer.start(60_000);
      await eventually('the consumer drains the queue', async () => {
        const state = await broker.queueState(queue);
        return state.messages === 0 && state.consumers === 1 ? state : undefined;
      });
      for (const path of ['/orders', `/orders/${created.orderId}`, '/docs', '/docs/json']) {
        expect({ path, status: (await http(consumer.url, 'GET', path)).status }).toEqual({
          path,
          status: 404,
        });
      }
      expect((await http(consumer.url, 'GET', '/health')).status).toBe(200);
      const ready = await http<{ details: Record<string, unknown>; reported: object }>(
        consumer.url,
        'GET',
        '/health/ready',
      );
      expect(ready.status).toBe(200);
      // The broker is reported, never a readiness condition.
      expect(Object.keys(ready.body.details).sort()).toEqual(['mongodb', 'writer-lease']);
      expect(Object.keys(ready.body.reported)).toEqual(['rabbitmq']);
      const metrics = await http<string>(consumer.url, 'GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/events_consumed_total\{[^}]*\} 1/);
      await consumer.stop();
      expect(consumer.exitCode).toBe(0);

      await api.start(60_000);
      const order = expectStatus(
        await http<{ userEmails: string[] }>(api.url, 'GET', `/orders/${created.orderId}`),
        200,
        'GET /orders/{id} after the consumer ran',
      );
      expect(order.userEmails).toEqual([newEmail]);
    }),
  );
});
