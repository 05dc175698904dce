import {
  connect,
  type ChannelModel,
  type ConfirmChannel,
  type GetMessage,
  type Options,
} from 'amqplib';

/** routed: the broker confirmed it into at least one queue; unroutable: no queue took it. */
type PublishOutcome = 'routed' | 'unroutable';

/**
 * One broker connection with one confirm channel, for commands that move or publish messages
 * and must know each landed before they go on. Publishes are mandatory, so a message no queue
 * takes is returned and reported instead of silently dropped. One publish at a time: the
 * broker returns an unroutable message before confirming it, which is how the two are matched.
 */
export class ConfirmedChannel {
  private returned = false;
  private closedBy?: Error;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {
    channel.on('return', () => {
      this.returned = true;
    });
    // A channel the server closes (e.g. a missing queue) emits 'error'; unheard, it would crash
    // the process. The failed operation rejects on its own; later ones see `closedBy`.
    channel.on('error', (error: Error) => {
      this.closedBy = error;
    });
    connection.on('error', (error: Error) => {
      this.closedBy = error;
    });
  }

  static async open(url: string): Promise<ConfirmedChannel> {
    const connection = await connect(url);
    try {
      return new ConfirmedChannel(connection, await connection.createConfirmChannel());
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  /** Fails with a message naming what is missing, e.g. under a wrong AMQP_TOPOLOGY_PREFIX. */
  async requireExchange(exchange: string): Promise<void> {
    await this.require(() => this.channel.checkExchange(exchange), `exchange '${exchange}'`);
  }

  /** The number of messages ready in `queue`. */
  async readyCount(queue: string): Promise<number> {
    const found = await this.require(() => this.channel.checkQueue(queue), `queue '${queue}'`);
    return found.messageCount;
  }

  /** Takes the next message of `queue`, unacknowledged; false when the queue is empty. */
  take(queue: string): Promise<GetMessage | false> {
    return this.channel.get(queue, { noAck: false });
  }

  /** Removes a taken message from its queue. */
  ack(message: GetMessage): void {
    this.channel.ack(message);
  }

  /** Puts a taken message back in its queue. */
  putBack(message: GetMessage): void {
    this.channel.nack(message, false, true);
  }

  /** Resolves once the broker confirmed the message, or rejects when it refused it. */
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
  ): Promise<PublishOutcome> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    this.returned = false;
    return new Promise((resolve, reject) => {
      const onClose = (): void => reject(this.closedBy ?? new Error('the channel closed'));
      this.channel.once('close', onClose);
      this.channel.publish(
        exchange,
        routingKey,
        content,
        { ...options, mandatory: true },
        (error) => {
          this.channel.off('close', onClose);
          if (error) reject(error instanceof Error ? error : new Error(String(error)));
          else resolve(this.returned ? 'unroutable' : 'routed');
        },
      );
    });
  }

  async close(): Promise<void> {
    // Closing the connection closes the channel; unacknowledged messages go back to their queue.
    await this.connection.close().catch(() => undefined);
  }

  private async require<T>(check: () => Promise<T>, what: string): Promise<T> {
    try {
      return await check();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        /NOT.FOUND/.test(message)
          ? `${what} does not exist (is AMQP_TOPOLOGY_PREFIX right?)`
          : message,
      );
    }
  }
}
