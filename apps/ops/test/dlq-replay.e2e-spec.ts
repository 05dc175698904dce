import type { Channel, ConfirmChannel, Options } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { opsTestEnv, takeMessages, type OpsTestEnv } from './ops-test-support';

interface DeadLetter {
  messageId: string;
  type?: string;
  headers?: Record<string, unknown>;
}

describe('ops dlq:replay (docs/events.md)', () => {
  let ops: OpsTestEnv;
  let channel: Channel;
  let publisher: ConfirmChannel;

  beforeAll(async () => {
    ops = opsTestEnv('ops-dlq');
    await ops.declareTopology();
    channel = await ops.channel();
  });

  beforeEach(async () => {
    await channel.purgeQueue(ops.topology.queue);
    await channel.purgeQueue(ops.topology.deadLetterQueue);
  });

  afterAll(async () => {
    await ops.cleanup();
  });

  /** Puts messages in the dead-letter queue the way the broker does: through the DLX. */
  async function deadLetter(messages: DeadLetter[]): Promise<void> {
    publisher ??= await ops.confirmChannel();
    for (const { messageId, type, headers } of messages) {
      const options: Options.Publish = {
        persistent: true,
        contentType: 'application/json',
        messageId,
        type,
        correlationId: `req-${messageId}`,
        headers,
      };
      const body = Buffer.from(JSON.stringify({ eventId: messageId }));
      publisher.publish(ops.topology.deadLetterExchange, ops.topology.queue, body, options);
    }
    await publisher.waitForConfirms();
  }

  async function readyIn(queue: string): Promise<number> {
    return (await channel.checkQueue(queue)).messageCount;
  }

  it('moves every dead letter back to the order queue with its original properties', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await deadLetter([
      { messageId: ids[0], type: 'user.created', headers: { 'x-trace': 'kept' } },
      { messageId: ids[1], type: 'user.updated' },
      {
        // No type: the routing key comes from the broker's x-death record.
        messageId: ids[2],
        headers: {
          'x-death': [{ count: 1, reason: 'rejected', 'routing-keys': ['user.updated'] }],
          'x-first-death-reason': 'rejected',
        },
      },
    ]);

    const result = await ops.run(['dlq:replay']);

    expect(result.code).toBe(0);
    expect(result.stdout).toEqual([
      `dlq:replay: replayed 3 of 3 dead-lettered messages; 0 remaining in ${ops.topology.deadLetterQueue}`,
    ]);
    expect(await readyIn(ops.topology.deadLetterQueue)).toBe(0);
    const replayed = await takeMessages(channel, ops.topology.queue, 3);
    expect(replayed.map((message): unknown => message.properties.messageId)).toEqual(ids);
    expect(replayed.map((message): unknown => message.properties.type)).toEqual([
      'user.created',
      'user.updated',
      undefined,
    ]);
    expect(replayed.map((message) => message.fields.routingKey)).toEqual([
      'user.created',
      'user.updated',
      'user.updated',
    ]);
    for (const [index, message] of replayed.entries()) {
      expect(message.properties).toMatchObject({
        deliveryMode: 2,
        contentType: 'application/json',
        correlationId: `req-${ids[index]}`,
      });
      expect(JSON.parse(message.content.toString())).toEqual({ eventId: ids[index] });
      expect(Object.keys(message.properties.headers ?? {})).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^x-(death|first-death)/)]),
      );
    }
    expect(replayed[0].properties.headers).toMatchObject({ 'x-trace': 'kept' });
  });

  it('replays at most --limit messages', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await deadLetter(ids.map((messageId) => ({ messageId, type: 'user.updated' })));

    const result = await ops.run(['dlq:replay', '--limit', '1']);

    expect(result.code).toBe(0);
    expect(result.stdout).toEqual([
      `dlq:replay: replayed 1 of 3 dead-lettered messages; 2 remaining in ${ops.topology.deadLetterQueue}`,
    ]);
    const replayed = await takeMessages(channel, ops.topology.queue, 1);
    expect(replayed.map((message): unknown => message.properties.messageId)).toEqual([ids[0]]);
    expect(await readyIn(ops.topology.deadLetterQueue)).toBe(2);
  });

  it('leaves a message no queue would take in the dead-letter queue, and says so', async () => {
    const routable = randomUUID();
    const unroutable = randomUUID();
    await deadLetter([
      { messageId: unroutable, type: 'not.a.user.event' },
      { messageId: routable, type: 'user.updated' },
    ]);

    const result = await ops.run(['dlq:replay']);

    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([expect.stringContaining(`message ${unroutable}`)]);
    expect(result.stdout).toEqual([
      `dlq:replay: replayed 1 of 2 dead-lettered messages (1 unroutable); 1 remaining in ${ops.topology.deadLetterQueue}`,
    ]);
    const [left] = await takeMessages(channel, ops.topology.deadLetterQueue, 1);
    expect(left.properties.messageId).toBe(unroutable);
    const [moved] = await takeMessages(channel, ops.topology.queue, 1);
    expect(moved.properties.messageId).toBe(routable);
  });

  it('fails with a clear message when the topology is not there', async () => {
    const result = await ops.run(['dlq:replay'], { AMQP_TOPOLOGY_PREFIX: 'no-such-prefix' });

    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      "ops: dlq:replay failed: exchange 'no-such-prefix.aware.users' does not exist (is AMQP_TOPOLOGY_PREFIX right?)",
    ]);
  });
});
