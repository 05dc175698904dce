import {
  RabbitMQModule,
  type MessageErrorHandler,
  type MessageHandlerOptions,
  type RabbitMQConfig,
} from '@golevelup/nestjs-rabbitmq';
import { DynamicModule, Logger, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { AppConfig } from '@aware/common';
import { BrokerConnectionStatus } from './broker-connection-status';
import { EVENT_HANDLER_CLASSES, EventHandlerRegistry } from './event-handler.registry';
import { EventMetrics, OutboxMetrics } from './event-metrics';
import { OutboxRelay } from './outbox-relay';
import { OutboxStore } from './outbox-store';
import {
  orderQueueArguments,
  topologyExchanges,
  topologyQueues,
  userEventsTopology,
  USER_EVENTS_BINDING,
} from './topology';
import { UserEventsPublisher } from './user-events.publisher';
import { USER_EVENTS_HANDLER, UserEventsSubscriber } from './user-events.subscriber';

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

type EventsRole = 'producer' | 'consumer';

/**
 * What the service asks of the broker at start. Declaring, it declares the whole topology
 * (idempotent), so events published before the order service first starts already have their
 * queue. Otherwise the broker's definitions own the topology and the service only checks what it
 * uses: its exchange (producer) or its queue (consumer), which needs no permission beyond
 * publishing or consuming.
 */
function topologyAtStart(
  config: AppConfig,
  role: EventsRole,
): Pick<RabbitMQConfig, 'exchanges' | 'queues'> {
  const topology = userEventsTopology(config.events.topologyPrefix);
  if (config.events.declareTopology) {
    return {
      exchanges: topologyExchanges(topology),
      queues: topologyQueues(topology, config.events.deliveryLimit),
    };
  }
  return {
    exchanges:
      role === 'producer' ? [{ name: topology.exchange, createExchangeIfNotExists: false }] : [],
    queues: [],
  };
}

function userEventsHandler(config: AppConfig): MessageHandlerOptions {
  const topology = userEventsTopology(config.events.topologyPrefix);
  const common: MessageHandlerOptions = {
    queue: topology.queue,
    // Non-JSON bodies reach the subscriber, which dead-letters them as invalid.
    allowNonJsonMessages: true,
    errorHandler: requeueUnlessChannelClosed,
  };
  if (!config.events.declareTopology) return { ...common, createQueueIfNotExists: false };
  return {
    ...common,
    exchange: topology.exchange,
    routingKey: USER_EVENTS_BINDING,
    queueOptions: {
      durable: true,
      arguments: orderQueueArguments(topology, config.events.deliveryLimit),
    },
  };
}

function rabbitConfig(config: AppConfig, role: EventsRole): RabbitMQConfig {
  return {
    uri: config.amqpUrl,
    ...topologyAtStart(config, role),
    prefetchCount: config.events.prefetch,
    // Start without the broker: a broker outage must never fail a user write.
    connectionInitOptions: { wait: false },
    connectionManagerOptions: { heartbeatIntervalInSeconds: 5, reconnectTimeInSeconds: 1 },
    registerHandlers: role === 'consumer',
    logger: new RabbitMQLibraryLogger(),
    handlers: { [USER_EVENTS_HANDLER]: userEventsHandler(config) },
  };
}

function rabbitModule(role: EventsRole): DynamicModule {
  return RabbitMQModule.forRootAsync({
    inject: [AppConfig],
    useFactory: (config: AppConfig) => rabbitConfig(config, role),
  });
}

interface ProducerOptions {
  /** What the outbox store needs injected (the producer's database module). */
  imports?: ModuleMetadata['imports'];
  /** The producer's outbox, which the relay publishes from. */
  outbox: Type<OutboxStore>;
}

interface ConsumerOptions {
  /** The classes whose @HandlesEvent methods take the events; each is a provider of the app. */
  handlers: readonly Type<object>[];
}

/**
 * User events over RabbitMQ (docs/events.md): the producer side and the consumer side. Global, so the
 * users feature and the broker's health report share the one broker connection.
 */
@Module({})
export class EventsModule {
  /** user-v1 / user-v2: the publisher and the outbox relay, reading the given outbox. */
  static forProducer(options: ProducerOptions): DynamicModule {
    return {
      module: EventsModule,
      global: true,
      imports: [rabbitModule('producer'), ...(options.imports ?? [])],
      providers: [
        UserEventsPublisher,
        OutboxRelay,
        EventMetrics,
        OutboxMetrics,
        BrokerConnectionStatus,
        { provide: OutboxStore, useClass: options.outbox },
      ],
      exports: [OutboxRelay, RabbitMQModule, BrokerConnectionStatus],
    };
  }

  /**
   * order: the subscriber, handing each event to the @HandlesEvent method for its type among the
   * listed handler classes (providers of the app's own modules).
   */
  static forConsumer(options: ConsumerOptions): DynamicModule {
    return {
      module: EventsModule,
      global: true,
      imports: [rabbitModule('consumer')],
      providers: [
        UserEventsSubscriber,
        EventHandlerRegistry,
        EventMetrics,
        BrokerConnectionStatus,
        { provide: EVENT_HANDLER_CLASSES, useValue: options.handlers },
      ],
      exports: [RabbitMQModule, BrokerConnectionStatus],
    };
  }
}
