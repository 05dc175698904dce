import {
  RabbitMQModule,
  type MessageErrorHandler,
  type RabbitMQConfig,
} from '@golevelup/nestjs-rabbitmq';
import { DynamicModule, Logger, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { AppConfig } from '@aware/common';
import { UsersDatabaseModule } from '@aware/database';
import { EventMetrics, OutboxMetrics } from './event-metrics';
import { OutboxRelay } from './outbox-relay';
import {
  orderQueueArguments,
  topologyExchanges,
  topologyQueues,
  userEventsTopology,
  USER_EVENTS_BINDING,
} from './topology';
import { UserEventsPublisher } from './user-events.publisher';
import { USER_EVENTS_HANDLER, UserEventsSubscriber } from './user-events.subscriber';
import { UserSnapshotHandler } from './user-snapshot.handler';

/**
 * When the broker connection drops while a message is being handled, the library's ack/nack on
 * the closed channel throws, and its default error handler nacks on that same channel and
 * throws again: an unhandled rejection that kills the process. The broker redelivers every
 * unacked message of a closed channel anyway, so a failed nack is dropped here.
 */
const requeueUnlessChannelClosed: MessageErrorHandler = (channel, message) => {
  try {
    channel.nack(message, false, true);
  } catch {
    // The channel is gone; the broker requeues the message itself.
  }
};

/**
 * golevelup narrates every connection and handler step at `log` level, including notices that
 * read like trouble on a healthy start and are this module's own choices: health checks skipped
 * because `wait` is off, and, on the user services, which consume nothing, handlers skipped. The
 * narration is kept for `debug`; the library's warnings and errors (connection lost, reconnect
 * failed) stay as they are.
 */
class RabbitMQLibraryLogger extends Logger {
  constructor() {
    super('RabbitMQ');
  }

  override log(message: unknown): void {
    this.debug(message);
  }
}

function rabbitConfig(config: AppConfig, consume: boolean): RabbitMQConfig {
  const topology = userEventsTopology(config.events.topologyPrefix);
  return {
    uri: config.amqpUrl,
    exchanges: topologyExchanges(topology),
    queues: topologyQueues(topology, config.events.deliveryLimit),
    prefetchCount: config.events.prefetch,
    // Start without the broker: a broker outage must never fail a user write.
    connectionInitOptions: { wait: false },
    connectionManagerOptions: { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 1 },
    registerHandlers: consume,
    logger: new RabbitMQLibraryLogger(),
    handlers: {
      [USER_EVENTS_HANDLER]: {
        exchange: topology.exchange,
        routingKey: USER_EVENTS_BINDING,
        queue: topology.queue,
        queueOptions: {
          durable: true,
          arguments: orderQueueArguments(topology, config.events.deliveryLimit),
        },
        // Non-JSON bodies reach the subscriber, which dead-letters them as invalid.
        allowNonJsonMessages: true,
        errorHandler: requeueUnlessChannelClosed,
      },
    },
  };
}

function rabbitModule(consume: boolean): DynamicModule {
  return RabbitMQModule.forRootAsync({
    inject: [AppConfig],
    useFactory: (config: AppConfig) => rabbitConfig(config, consume),
  });
}

export interface ConsumerOptions {
  imports?: ModuleMetadata['imports'];
  /** The consumer's handling of each user event. */
  handler: Type<UserSnapshotHandler>;
}

/**
 * User events over RabbitMQ (docs/events.md): the producer side and the consumer side. Global, so the
 * users feature and the readiness check share the one broker connection.
 */
@Module({})
export class EventsModule {
  /** user-v1 / user-v2: the publisher and the outbox relay. */
  static forProducer(): DynamicModule {
    return {
      module: EventsModule,
      global: true,
      imports: [rabbitModule(false), UsersDatabaseModule],
      providers: [UserEventsPublisher, OutboxRelay, EventMetrics, OutboxMetrics],
      exports: [OutboxRelay, RabbitMQModule],
    };
  }

  /** order: the subscriber, calling the app's handler. */
  static forConsumer(options: ConsumerOptions): DynamicModule {
    return {
      module: EventsModule,
      global: true,
      imports: [rabbitModule(true), ...(options.imports ?? [])],
      providers: [
        UserEventsSubscriber,
        EventMetrics,
        { provide: UserSnapshotHandler, useClass: options.handler },
      ],
      exports: [RabbitMQModule],
    };
  }
}
