import { Nack, RabbitSubscribe } from '@golevelup/nestjs-rabbitmq';
import { Injectable, Logger } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig, endSpan, logFields, SpanKind, startSpan } from '@aware/common';
import {
  InvalidEventError,
  parseEnvelope,
  USER_EVENT_TYPES,
  USER_EVENTS,
  type UserEvent,
} from '@aware/contracts';
import { EventMetrics } from './event-metrics';
import { UserSnapshotHandler } from './user-snapshot.handler';

/** Name of the handler configuration (queue, bindings) given to RabbitMQModule. */
export const USER_EVENTS_HANDLER = 'order-user-events';

const MAX_RETRY_DELAY_MS = 2_000;

function deliveryCount(message: ConsumeMessage): number {
  const count: unknown = message.properties.headers?.['x-delivery-count'];
  return typeof count === 'number' ? count : 0;
}

/** The envelope, then the data by its type's contract; throws InvalidEventError. */
function parseUserEvent(body: unknown): UserEvent {
  const envelope = parseEnvelope(body);
  const contract = USER_EVENTS.find((candidate) => candidate.type === envelope.type);
  if (!contract) {
    throw new InvalidEventError([`type: must be one of ${USER_EVENT_TYPES.join(', ')}`]);
  }
  return contract.parse(envelope);
}

/**
 * Consumes user events. Acks only after the handler's database work is done; an invalid message
 * is dead-lettered at once; a transient failure is requeued after a short backoff, and the
 * queue's delivery limit dead-letters a message that keeps failing.
 */
@Injectable()
export class UserEventsSubscriber {
  private readonly logger = new Logger(UserEventsSubscriber.name);

  constructor(
    private readonly handler: UserSnapshotHandler,
    private readonly metrics: EventMetrics,
    private readonly config: AppConfig,
  ) {}

  @RabbitSubscribe({ name: USER_EVENTS_HANDLER })
  async handle(body: unknown, message: ConsumeMessage): Promise<Nack | undefined> {
    const messageId = String(message.properties.messageId ?? '(no message id)');
    let event;
    try {
      event = parseUserEvent(body);
    } catch (error) {
      const reason = error instanceof InvalidEventError ? error.message : String(error);
      this.logger.warn(`dead-lettering message ${messageId}: ${reason}`);
      this.metrics.consumed.inc({ outcome: 'dead_lettered' });
      return new Nack(false);
    }
    const header: unknown = message.properties.headers?.traceparent;
    const span = startSpan(
      `process ${event.type}`,
      SpanKind.CONSUMER,
      typeof header === 'string' ? header : undefined,
      {
        'messaging.system': 'rabbitmq',
        'messaging.message.id': event.eventId,
        'aware.user_id': event.data.userId,
        'aware.user_version': event.data.version,
      },
    );
    try {
      const changed = await this.handler.applyUserSnapshot(event.data, event);
      span.setAttribute('aware.orders_changed', changed);
      endSpan(span);
      this.metrics.consumed.inc({ outcome: 'applied' });
      this.logger.log(
        logFields(this.config, {
          msg: 'event applied',
          type: event.type,
          userId: event.data.userId,
          version: event.data.version,
          outcome: changed > 0 ? 'applied' : 'no-op',
          ordersChanged: changed,
          lagMs: Date.now() - Date.parse(event.occurredAt),
          correlationId: message.properties.correlationId as string | undefined,
          eventId: event.eventId,
        }),
      );
      return undefined;
    } catch (error) {
      endSpan(span, error);
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
