import type { RabbitMQExchangeConfig, RabbitMQQueueConfig } from '@golevelup/nestjs-rabbitmq';

/** Names of the user-events topology (docs/events.md), optionally prefixed to isolate copies. */
export interface UserEventsTopology {
  exchange: string;
  deadLetterExchange: string;
  queue: string;
  deadLetterQueue: string;
}

export const USER_EVENTS_BINDING = 'user.*';

export function userEventsTopology(prefix = ''): UserEventsTopology {
  return {
    exchange: `${prefix}aware.users`,
    deadLetterExchange: `${prefix}aware.dlx`,
    queue: `${prefix}order.user-events`,
    deadLetterQueue: `${prefix}order.user-events.dlq`,
  };
}

/** Quorum queue that dead-letters past the delivery limit or on reject. */
export function orderQueueArguments(
  topology: UserEventsTopology,
  deliveryLimit: number,
): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': topology.deadLetterExchange,
    'x-dead-letter-routing-key': topology.queue,
  };
}

export function topologyExchanges(topology: UserEventsTopology): RabbitMQExchangeConfig[] {
  return [
    { name: topology.exchange, type: 'topic', options: { durable: true } },
    { name: topology.deadLetterExchange, type: 'direct', options: { durable: true } },
  ];
}

/**
 * Every service declares the whole topology at start (idempotent), so events published before
 * the order service first starts already have their queue and are kept.
 */
export function topologyQueues(
  topology: UserEventsTopology,
  deliveryLimit: number,
): RabbitMQQueueConfig[] {
  return [
    {
      name: topology.queue,
      options: { durable: true, arguments: orderQueueArguments(topology, deliveryLimit) },
      exchange: topology.exchange,
      routingKey: USER_EVENTS_BINDING,
    },
    {
      name: topology.deadLetterQueue,
      options: { durable: true, arguments: { 'x-queue-type': 'quorum' } },
      exchange: topology.deadLetterExchange,
      routingKey: topology.queue,
    },
  ];
}
