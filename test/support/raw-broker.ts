import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import type { Address } from '@aware/contracts';
import { userEventsTopology, type UserEventsTopology } from '@aware/events';

interface HandMadeEvent {
  eventId: string;
  type: 'user.created' | 'user.updated';
  schemaVersion: 1;
  occurredAt: string;
  producer: 'user-v1' | 'user-v2';
  data: { userId: string; version: number; emails: string[]; deliveryAddress: Address };
}

/** A valid user event as a user service would publish it. */
export function userEvent(
  userId: string,
  version: number,
  emails: string[],
  deliveryAddress: Address,
): HandMadeEvent {
  return {
    eventId: randomUUID(),
    type: version === 1 ? 'user.created' : 'user.updated',
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    producer: version % 2 === 0 ? 'user-v2' : 'user-v1',
    data: { userId, version, emails, deliveryAddress },
  };
}

/**
 * The test's own connection to the real broker (not through any proxy), to publish hand-made
 * messages on a suite's exchange and inspect its queues.
 */
export class RawBroker {
  readonly topology: UserEventsTopology;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
    prefix: string,
  ) {
    this.topology = userEventsTopology(`${prefix}.`);
  }

  static async connect(amqpUrl: string, prefix: string): Promise<RawBroker> {
    const connection = await connect(amqpUrl);
    const channel = await connection.createConfirmChannel();
    return new RawBroker(connection, channel, prefix);
  }

  /** Publishes a body (an object is JSON-encoded; a string or Buffer goes as is) and awaits the confirm. */
  async publish(
    routingKey: string,
    body: unknown,
    options: { contentType?: string; messageId?: string } = {},
  ): Promise<void> {
    const content = Buffer.isBuffer(body)
      ? body
      : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    await new Promise<void>((resolve, reject) => {
      this.channel.publish(
        this.topology.exchange,
        routingKey,
        content,
        {
          persistent: true,
          contentType: options.contentType ?? 'application/json',
          messageId: options.messageId ?? randomUUID(),
          type: routingKey,
        },
        (error) =>
          error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
      );
    });
  }

  publishEvent(event: HandMadeEvent): Promise<void> {
    return this.publish(event.type, event, { messageId: event.eventId });
  }

  /** Ready messages (not counting unacked) and consumers of a queue. */
  async queueState(queue: string): Promise<{ messages: number; consumers: number }> {
    const state = await this.channel.checkQueue(queue);
    return { messages: state.messageCount, consumers: state.consumerCount };
  }

  async deadLettered(): Promise<number> {
    return (await this.queueState(this.topology.deadLetterQueue)).messages;
  }

  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined);
    await this.connection.close().catch(() => undefined);
  }
}
