import type { Options } from 'amqplib';
import type { EventEnvelope } from '@aware/contracts';

/**
 * The AMQP properties every event message carries (docs/events.md, "Message"), whoever publishes
 * it: the outbox relay or the drift repair. The routing key is the event's type.
 */
export function eventMessageOptions(event: EventEnvelope): Options.Publish {
  return {
    persistent: true,
    contentType: 'application/json',
    messageId: event.eventId,
    type: event.type,
    appId: event.producer,
    timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
  };
}
