/**
 * A quorum queue with `overflow: reject-publish` nacks publishes while it is full (the Kubernetes
 * chart's broker policy sets it, as at-least-once dead-lettering requires). A nack is not a
 * confirm: the relay keeps the event in the outbox and publishes it once the queue has room.
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { createConnection, type Connection, type Model } from 'mongoose';
import { userEventsTopology } from '@aware/events';
import { User, UserSchema, type UserRecord } from '@aware/database';
import { createUser } from './support/aware-client';
import { ServiceProcess, throwawayTopologyPrefix, withOutputOf } from '@aware/harness';
import { eventually } from './support/http';
import { dropDatabases, requiredEnv, throwawayMongoUri } from './support/infra';

jest.setTimeout(120_000);

describe('outbox relay: a broker nack keeps the event in the outbox', () => {
  const prefix = throwawayTopologyPrefix('outboxnack');
  const topology = userEventsTopology(`${prefix}.`);
  const usersDb = throwawayMongoUri('outboxnack');
  const amqpUrl = requiredEnv('AMQP_URL');
  // The broker's definitions own the topology here, as in compose and on Kubernetes.
  const userV1 = new ServiceProcess({
    app: 'user-v1',
    env: {
      AMQP_URL: amqpUrl,
      AMQP_TOPOLOGY_PREFIX: prefix,
      AMQP_DECLARE_TOPOLOGY: 'false',
      MONGO_URI: usersDb,
      OUTBOX_SWEEP_INTERVAL_MS: '200',
      PUBLISH_TIMEOUT_MS: '2000',
    },
  });
  let broker: ChannelModel;
  let channel: ConfirmChannel;
  let database: Connection;
  let users: Model<User>;

  beforeAll(async () => {
    broker = await connect(amqpUrl);
    channel = await broker.createConfirmChannel();
    await channel.assertExchange(topology.exchange, 'topic', { durable: true });
    await channel.assertQueue(topology.queue, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-max-length': 1, 'x-overflow': 'reject-publish' },
    });
    await channel.bindQueue(topology.queue, topology.exchange, 'user.*');
    database = await createConnection(usersDb).asPromise();
    users = database.model(User.name, UserSchema);
  });

  afterAll(async () => {
    await userV1.kill();
    await channel.deleteQueue(topology.queue).catch(() => undefined);
    await channel.deleteExchange(topology.exchange).catch(() => undefined);
    await broker.close();
    await database.close();
    await dropDatabases(usersDb);
  });

  const published = async (userId: string): Promise<boolean | undefined> =>
    (await users.findOne({ userId, version: 1 }).lean<UserRecord>())?.published;

  /** The userId of the event at the head of the queue, taken off it (acked). */
  const takeOne = async (): Promise<string> => {
    const message = await eventually('a message in the queue', async () => {
      const got = await channel.get(topology.queue);
      return got === false ? undefined : got;
    });
    channel.ack(message);
    return (JSON.parse(message.content.toString()) as { data: { userId: string } }).data.userId;
  };

  /**
   * Publishes filler messages until the broker nacks one: the queue is then full (a quorum queue
   * checks its length before each enqueue, so it may hold one over its limit).
   */
  const fillQueue = async (): Promise<void> => {
    for (let filler = 0; filler < 10; filler += 1) {
      const nacked = await new Promise<boolean>((resolve) =>
        channel.publish(topology.exchange, 'user.filler', Buffer.from('{}'), {}, (error) =>
          resolve(Boolean(error)),
        ),
      );
      if (nacked) return;
    }
    throw new Error(`${topology.queue} never refused a publish: is overflow reject-publish set?`);
  };

  it(
    'stays pending while the queue refuses it and goes out when room frees',
    withOutputOf([userV1], async () => {
      await userV1.start(60_000);
      await fillQueue();
      const queued = (await channel.checkQueue(topology.queue)).messageCount;

      // The broker nacks this event's publish; the write itself succeeds.
      const user = await createUser(userV1.url, 'nacked');
      // Long enough for the relay's run and several sweeps (every 200 ms) to be refused.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await published(user.userId)).toBe(false);
      expect((await channel.checkQueue(topology.queue)).messageCount).toBe(queued);

      await channel.purgeQueue(topology.queue);
      await eventually('the kept event published once the queue has room', async () =>
        (await published(user.userId)) ? true : undefined,
      );
      expect(await takeOne()).toBe(user.userId);
    }),
  );
});
