import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { Injectable } from '@nestjs/common';
import type { Options } from 'amqplib';
import { AppConfig, endSpan, SpanKind, startSpan, traceparentOf } from '@aware/common';
import type { EventEnvelope } from '@aware/contracts';
import { EventMetrics } from './event-metrics';
import { eventMessageOptions } from './event-message';
import { userEventsTopology } from './topology';

/** amqp-connection-manager rejects a publish that is not confirmed within `timeout` ms. */
type ConfirmedPublishOptions = Options.Publish & { timeout: number };

/**
 * Publishes events on the user-events exchange as persistent messages, routed by type, and
 * resolves only on the broker's confirm.
 */
@Injectable()
export class UserEventsPublisher {
  private readonly exchange: string;

  constructor(
    private readonly amqp: AmqpConnection,
    private readonly config: AppConfig,
    private readonly metrics: EventMetrics,
  ) {
    this.exchange = userEventsTopology(config.events.topologyPrefix).exchange;
  }

  get connected(): boolean {
    return this.amqp.managedConnection.isConnected();
  }

  onConnect(listener: () => void): void {
    this.amqp.managedConnection.on('connect', listener);
  }

  /**
   * `traceparent` is the trace of the request that caused the event (stored with it in the
   * outbox): the publish is a span of that trace, and the message carries it on to the consumer.
   */
  async publish(event: EventEnvelope, correlationId?: string, traceparent?: string): Promise<void> {
    const span = startSpan(`publish ${event.type}`, SpanKind.PRODUCER, traceparent, {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': this.exchange,
      'messaging.message.id': event.eventId,
    });
    const carried = traceparentOf(span);
    const options: ConfirmedPublishOptions = {
      ...eventMessageOptions(event),
      ...(correlationId && { correlationId }),
      ...(carried && { headers: { traceparent: carried } }),
      timeout: this.config.events.publishTimeoutMs,
    };
    try {
      await this.amqp.publish(this.exchange, event.type, event, options);
    } catch (error) {
      this.metrics.publishFailures.inc();
      endSpan(span, error);
      throw error;
    }
    endSpan(span);
    this.metrics.published.inc({ type: event.type });
  }
}
