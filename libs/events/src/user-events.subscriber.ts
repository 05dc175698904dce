import { Nack, RabbitSubscribe } from '@golevelup/nestjs-rabbitmq';
import { Injectable, Logger } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig, endSpan, logFields, SpanKind, startSpan } from '@aware/common';
import type { EventSubject } from '@aware/contracts';
import { EventMetrics } from './event-metrics';
import { EventHandlerRegistry, type ReceivedEvent } from './event-handler.registry';

/** Name of the handler configuration (queue, bindings) given to RabbitMQModule. */
export const USER_EVENTS_HANDLER = 'order-user-events';

const MAX_RETRY_DELAY_MS = 2_000;

/**
 * Thrown by a handler that must not apply events right now (e.g. the order service lost its
 * writer lease): the message goes back to the queue at once, unapplied, for the instance that
 * may apply it. Not a failure, so no backoff.
 */
export class EventDeclined extends Error {}

function deliveryCount(message: ConsumeMessage): number {
  const count: unknown = message.properties.headers?.['x-delivery-count'];
  return typeof count === 'number' ? count : 0;
}

/** A `user` subject as span attributes: `aware.user_id`, `aware.user_version`. */
function subjectAttributes({ kind, id, version }: EventSubject): Record<string, string | number> {
  return {
    [`aware.${kind}_id`]: id,
    ...(version !== undefined && { [`aware.${kind}_version`]: version }),
  };
}

/** A `user` subject as log fields: `userId`, `version`. */
function subjectFields({ kind, id, version }: EventSubject): Record<string, string | number> {
  return { [`${kind}Id`]: id, ...(version !== undefined && { version }) };
}

/**
 * Consumes the events of the order service's queue and hands each to its type's handler
 * (EventHandlerRegistry). Acks only after the handler's database work is done; an invalid
 * message, or one of a type nothing here handles, is dead-lettered at once; a transient failure
 * is requeued after a short backoff, and the queue's delivery limit dead-letters a message that
 * keeps failing.
 */
@Injectable()
export class UserEventsSubscriber {
  private readonly logger = new Logger(UserEventsSubscriber.name);

  constructor(
    private readonly handlers: EventHandlerRegistry,
    private readonly metrics: EventMetrics,
    private readonly config: AppConfig,
  ) {}

  @RabbitSubscribe({ name: USER_EVENTS_HANDLER })
  async handle(body: unknown, message: ConsumeMessage): Promise<Nack | undefined> {
    const messageId = String(message.properties.messageId ?? '(no message id)');
    let received: ReceivedEvent;
    try {
      received = this.handlers.receive(body);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(`dead-lettering message ${messageId}: ${reason}`);
      this.metrics.consumed.inc({ outcome: 'dead_lettered' });
      return new Nack(false);
    }
    const { event, subject } = received;
    const header: unknown = message.properties.headers?.traceparent;
    const span = startSpan(
      `process ${event.type}`,
      SpanKind.CONSUMER,
      typeof header === 'string' ? header : undefined,
      {
        'messaging.system': 'rabbitmq',
        'messaging.message.id': event.eventId,
        ...subjectAttributes(subject),
      },
    );
    try {
      const changed = Object.entries(await received.handle());
      for (const [what, count] of changed) span.setAttribute(`aware.${what}_changed`, count);
      endSpan(span);
      this.metrics.consumed.inc({ outcome: 'applied' });
      this.logger.log(
        logFields(this.config, {
          msg: 'event applied',
          type: event.type,
          ...subjectFields(subject),
          outcome: changed.some(([, count]) => count > 0) ? 'applied' : 'no-op',
          ...Object.fromEntries(changed.map(([what, count]) => [`${what}Changed`, count])),
          lagMs: Date.now() - Date.parse(event.occurredAt),
          correlationId: message.properties.correlationId as string | undefined,
          eventId: event.eventId,
        }),
      );
      return undefined;
    } catch (error) {
      endSpan(span, error);
      if (error instanceof EventDeclined) {
        this.logger.warn(`returning event ${event.eventId} unapplied: ${error.message}`);
        this.metrics.consumed.inc({ outcome: 'returned' });
        return new Nack(true);
      }
      const deliveries = deliveryCount(message);
      this.logger.warn(
        `requeueing event ${event.eventId} (delivery ${deliveries + 1}): ${String(error)}`,
      );
      this.metrics.consumed.inc({ outcome: 'requeued' });
      await sleep(Math.min(100 * 2 ** deliveries, MAX_RETRY_DELAY_MS));
      return new Nack(true);
    }
  }
}
