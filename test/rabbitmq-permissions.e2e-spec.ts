import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { topologyQueues, userEventsTopology } from '@aware/events';
import { createOrderForKnownUser, createUser, getOrder, updateUser } from './support/aware-client';
import { uniqueEmail } from './support/fixtures';
import { eventually } from './support/http';
import { dropDatabases, requiredEnv, throwawayMongoUri } from './support/infra';
import { ServiceProcess, withOutputOf, type AppName } from '@aware/harness';
import { IsolatedDefinitions } from './support/rabbitmq-definitions';

/**
 * The least-privilege users of docker/rabbitmq/definitions.json, loaded for real into this
 * machine's RabbitMQ (in a vhost and user names of their own): each service can do what it does
 * at start and at work, and nothing that would let it forge or swallow another's events.
 */
describe('RabbitMQ permissions from the compose definitions', () => {
  const definitions = new IsolatedDefinitions();
  const topology = userEventsTopology();
  const connections: ChannelModel[] = [];
  let brokerUrl: string;

  beforeAll(async () => {
    brokerUrl = requiredEnv('AMQP_URL');
    await definitions.load(brokerUrl);
  });

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)));
    await definitions.remove();
  });

  /** Why the broker closed each channel: a refusal closes the channel with a 403 reason. */
  const closeReasons = new WeakMap<ConfirmChannel, Promise<string>>();

  async function channelAs(user: string): Promise<ConfirmChannel> {
    const connection = await connect(definitions.urlFor(user, brokerUrl));
    connections.push(connection);
    connection.on('error', () => undefined);
    const channel = await connection.createConfirmChannel();
    closeReasons.set(
      channel,
      new Promise((resolve) => channel.on('error', (error: Error) => resolve(error.message))),
    );
    return channel;
  }

  /**
   * Runs an operation the broker should refuse and answers the broker's reason. amqplib rejects
   * the pending call with a bare "channel closed" (or a non-Error); the reason is on the channel.
   */
  async function refusal(
    channel: ConfirmChannel,
    operation: () => Promise<unknown>,
  ): Promise<string> {
    const outcome = await operation().then(
      () => 'succeeded',
      () => 'failed',
    );
    if (outcome === 'succeeded') return 'the broker allowed it';
    return closeReasons.get(channel)!;
  }

  function publishConfirmed(channel: ConfirmChannel, exchange: string, key: string): Promise<void> {
    return new Promise((resolve, reject) => {
      channel.publish(exchange, key, Buffer.from('{"eventId":"permission-test"}'), {}, (error) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      );
    });
  }

  it.each(['user-v1', 'user-v2'])(
    '%s may check the users exchange it publishes to',
    async (service) => {
      const channel = await channelAs(service);
      await expect(channel.checkExchange(topology.exchange)).resolves.toBeDefined();
    },
  );

  it('order may check the queue it consumes', async () => {
    const channel = await channelAs('order');
    await expect(channel.checkQueue(topology.queue)).resolves.toMatchObject({
      queue: topology.queue,
    });
  });

  it.each(['user-v1', 'user-v2', 'order'])(
    'refuses %s declaring or binding anything',
    async (service) => {
      const declarer = await channelAs(service);
      await expect(
        refusal(declarer, () =>
          declarer.assertQueue(topology.queue, topologyQueues(topology, 10)[0].options),
        ),
      ).resolves.toMatch(`ACCESS_REFUSED - access to queue '${topology.queue}'`);
      const binder = await channelAs(service);
      await expect(
        refusal(binder, () => binder.bindQueue(topology.queue, topology.exchange, 'user.*')),
      ).resolves.toMatch('ACCESS_REFUSED');
      const exchanges = await channelAs(service);
      await expect(
        refusal(exchanges, () =>
          exchanges.assertExchange(topology.exchange, 'topic', { durable: true }),
        ),
      ).resolves.toMatch(`ACCESS_REFUSED - access to exchange '${topology.exchange}'`);
    },
  );

  it.each(['user-v1', 'user-v2'])(
    '%s publishes user events that reach the order queue',
    async (service) => {
      await publishConfirmed(await channelAs(service), topology.exchange, 'user.updated');
      const order = await channelAs('order');
      const message = await order.get(topology.queue, { noAck: false });
      expect(message && message.content.toString()).toBe('{"eventId":"permission-test"}');
      if (message) order.ack(message);
    },
  );

  it("refuses a user event published with the order service's credentials", async () => {
    const order = await channelAs('order');
    await expect(
      refusal(order, () => publishConfirmed(order, topology.exchange, 'user.updated')),
    ).resolves.toMatch(
      /ACCESS_REFUSED - access to exchange 'aware\.users' .* refused for user '.*-order'/,
    );
  });

  it('refuses the order service a publish straight into its own queue', async () => {
    const order = await channelAs('order');
    await expect(
      refusal(order, () => publishConfirmed(order, '', topology.queue)),
    ).resolves.toMatch(
      /ACCESS_REFUSED - access to exchange 'amq\.default' .* refused for user '.*-order'/,
    );
  });

  it.each(['user-v1', 'user-v2'])('refuses %s reading the order queues', async (service) => {
    for (const queue of [topology.queue, topology.deadLetterQueue]) {
      const channel = await channelAs(service);
      await expect(refusal(channel, () => channel.get(queue))).resolves.toMatch(
        `ACCESS_REFUSED - access to queue '${queue}'`,
      );
    }
  });

  it('lets ops replay the dead-letter queue to the users exchange, and nothing more', async () => {
    const ops = await channelAs('ops');
    await expect(ops.checkQueue(topology.deadLetterQueue)).resolves.toMatchObject({
      queue: topology.deadLetterQueue,
    });
    await expect(ops.get(topology.deadLetterQueue)).resolves.toBe(false);
    await publishConfirmed(ops, topology.exchange, 'user.updated');
    const reader = await channelAs('ops');
    await expect(refusal(reader, () => reader.get(topology.queue))).resolves.toMatch(
      `ACCESS_REFUSED - access to queue '${topology.queue}'`,
    );
    const declarer = await channelAs('ops');
    await expect(
      refusal(declarer, () =>
        declarer.assertExchange('ops-made-this', 'topic', { durable: false }),
      ),
    ).resolves.toMatch("ACCESS_REFUSED - access to exchange 'ops-made-this'");
  });

  describe('the services, each as its own user, with the topology left to the definitions', () => {
    const usersDb = throwawayMongoUri('permissions_users');
    const ordersDb = throwawayMongoUri('permissions_orders');
    const services: ServiceProcess[] = [];
    const service = (app: AppName): ServiceProcess => {
      const found = services.find((candidate) => candidate.name === app);
      if (!found) throw new Error(`${app} did not start`);
      return found;
    };

    beforeAll(async () => {
      for (const app of ['user-v1', 'user-v2', 'order'] as const) {
        services.push(
          new ServiceProcess({
            app,
            env: {
              MONGO_URI: app === 'order' ? ordersDb : usersDb,
              AMQP_URL: definitions.urlFor(app, brokerUrl),
              AMQP_DECLARE_TOPOLOGY: 'false',
              LOG_LEVEL: 'warn',
              OUTBOX_SWEEP_INTERVAL_MS: '200',
            },
          }),
        );
      }
      await Promise.all(services.map((started) => started.start(60_000)));
    }, 90_000);

    afterAll(async () => {
      await Promise.all(services.map((started) => started.kill()));
      await dropDatabases(usersDb, ordersDb);
    }, 60_000);

    it(
      'carry a change made on user-v1 and one made on user-v2 to the order',
      withOutputOf(services, async () => {
        const user = await createUser(service('user-v1').url, 'least-privilege');
        const order = await createOrderForKnownUser(service('order').url, user.userId, 20_000);
        const emails = [uniqueEmail('changed-on-v2')];
        await updateUser(service('user-v2').url, user.userId, { emails });
        await eventually(
          'the order carries the email set on user-v2',
          async () => {
            const current = await getOrder(service('order').url, order.orderId);
            return current.userEmails.join() === emails.join() ? true : undefined;
          },
          15_000,
        );
        for (const started of services) expect(started.unexpectedExits).toEqual([]);
      }),
      60_000,
    );
  });
});
