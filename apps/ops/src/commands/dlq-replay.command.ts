import type { GetMessage, Options } from 'amqplib';
import { userEventsTopology } from '@aware/events';
import { ConfirmedChannel } from '../confirmed-channel';
import {
  OpsExit,
  parseFlags,
  positiveIntegerFlag,
  type OpsCommand,
  type OpsContext,
} from '../ops-command';

/** Headers the broker added when dead-lettering; it adds them afresh if the message dies again. */
const DEAD_LETTER_HEADERS = /^x-(death|first-death-|last-death-|delivery-count)/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** The routing key the broker recorded when it first dead-lettered the message. */
function firstDeathRoutingKey(message: GetMessage): string | undefined {
  const deaths: unknown = message.properties.headers?.['x-death'];
  const first: unknown = Array.isArray(deaths) ? deaths[0] : undefined;
  if (typeof first !== 'object' || first === null || !('routing-keys' in first)) return undefined;
  const keys: unknown = first['routing-keys'];
  return Array.isArray(keys) ? text(keys[0]) : undefined;
}

/**
 * The key the message was first published with: events carry their type as both `type` and
 * routing key; otherwise the broker's x-death record keeps it. The dead-letter queue's own key
 * (the order queue's name) is the last resort, and routes nowhere on its own.
 */
function originalRoutingKey(message: GetMessage): string {
  return (
    text(message.properties.type) ?? firstDeathRoutingKey(message) ?? message.fields.routingKey
  );
}

/** The message's own properties, persistent, without the broker's dead-letter bookkeeping. */
function replayOptions(message: GetMessage): Options.Publish {
  const properties = message.properties;
  const headers = Object.fromEntries(
    Object.entries(properties.headers ?? {}).filter(([name]) => !DEAD_LETTER_HEADERS.test(name)),
  );
  return {
    persistent: true,
    contentType: text(properties.contentType),
    contentEncoding: text(properties.contentEncoding),
    messageId: text(properties.messageId),
    correlationId: text(properties.correlationId),
    type: text(properties.type),
    appId: text(properties.appId),
    timestamp: integer(properties.timestamp),
    priority: integer(properties.priority),
    headers,
  };
}

/**
 * Moves dead-lettered user events back to the exchange, each acknowledged in the dead-letter
 * queue only after the broker confirmed its republish. Takes at most the messages present at
 * the start (or --limit), so a poison message that dead-letters again is not replayed in a loop.
 */
async function replayDeadLetters(
  { config, output }: OpsContext,
  limit: number | undefined,
): Promise<OpsExit> {
  const topology = userEventsTopology(config.topologyPrefix);
  const broker = await ConfirmedChannel.open(config.amqpUrl);
  try {
    await broker.requireExchange(topology.exchange);
    const present = await broker.readyCount(topology.deadLetterQueue);
    const budget = Math.min(present, limit ?? present);
    // Held unacknowledged until the end, so `get` does not hand them out again in this run.
    const unroutable: GetMessage[] = [];
    let replayed = 0;
    while (replayed + unroutable.length < budget) {
      const message = await broker.take(topology.deadLetterQueue);
      if (message === false) break;
      const routingKey = originalRoutingKey(message);
      const outcome = await broker.publish(
        topology.exchange,
        routingKey,
        message.content,
        replayOptions(message),
      );
      if (outcome === 'routed') {
        broker.ack(message);
        replayed += 1;
      } else {
        unroutable.push(message);
        output.warn(
          `dlq:replay: message ${text(message.properties.messageId) ?? '(no message id)'} with ` +
            `routing key '${routingKey}' reaches no queue; left in the dead-letter queue`,
        );
      }
    }
    // Counted while the unroutable ones are still held: the broker would not yet count them as
    // ready after the nack that returns them.
    const remaining = (await broker.readyCount(topology.deadLetterQueue)) + unroutable.length;
    for (const message of unroutable) broker.putBack(message);
    output.log(
      `dlq:replay: replayed ${replayed} of ${present} dead-lettered messages` +
        `${unroutable.length > 0 ? ` (${unroutable.length} unroutable)` : ''}; ` +
        `${remaining} remaining in ${topology.deadLetterQueue}`,
    );
    return unroutable.length > 0 ? OpsExit.Failed : OpsExit.Done;
  } finally {
    // Anything taken but not acknowledged (a failed republish) goes back to the queue.
    await broker.close();
  }
}

export const dlqReplayCommand: OpsCommand = {
  name: 'dlq:replay',
  synopsis: '[--limit N]',
  description: 'move dead-lettered user events back to the exchange',
  parse(args) {
    const flags = parseFlags(args, { limit: { type: 'string' } });
    const limit = positiveIntegerFlag('limit', flags.limit);
    return (context) => replayDeadLetters(context, limit);
  },
};
