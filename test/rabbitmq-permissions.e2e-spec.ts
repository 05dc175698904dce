import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { topologyExchanges, topologyQueues, userEventsTopology } from '@aware/events';
import { requiredEnv } from './support/infra';
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

  /** The topology a service declares at start, as the events module declares it. */
  async function declareStartupTopology(channel: ConfirmChannel): Promise<void> {
    for (const exchange of topologyExchanges(topology)) {
      await channel.assertExchange(exchange.name, exchange.type ?? 'topic', exchange.options);
    }
    for (const queue of topologyQueues(topology, 10)) {
      await channel.assertQueue(queue.name, queue.options);
      await channel.bindQueue(queue.name, queue.exchange as string, queue.routingKey as string);
    }
  }

  it.each(['user-v1', 'user-v2', 'order'])(
    '%s may declare the topology it declares at start',
    async (service) => {
      await expect(declareStartupTopology(await channelAs(service))).resolves.toBeUndefined();
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
});
