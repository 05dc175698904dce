import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  parseEnvelope,
  type AnyEventContract,
  type EventEnvelope,
  type EventOf,
  type EventSubject,
} from '@aware/contracts';

/**
 * What handling an event changed, counted by what (a lowercase word): `{ orders: 2 }` logs as
 * `ordersChanged: 2` and traces as `aware.orders_changed`. All zero: a no-op (a duplicate or a
 * late event).
 */
export type EventChanges = Readonly<Record<string, number>>;

type EventHandlerMethod<C extends AnyEventContract> = (event: EventOf<C>) => Promise<EventChanges>;

const EventHandlerMetadata = DiscoveryService.createDecorator<readonly AnyEventContract[]>();

/**
 * Makes a provider method the consumer's handler of these event types: it takes exactly their
 * events (checked at compile time), each parsed against its contract, and resolves once its
 * database work is done. It must be idempotent and order-insensitive: delivery is at-least-once.
 */
export function HandlesEvent<Contracts extends [AnyEventContract, ...AnyEventContract[]]>(
  ...contracts: Contracts
) {
  return (
    target: object,
    method: string | symbol,
    descriptor: TypedPropertyDescriptor<EventHandlerMethod<Contracts[number]>>,
  ): void => {
    EventHandlerMetadata(contracts)(target, method, descriptor);
  };
}

/** A received message whose type has a handler here, parsed against that type's contract. */
export interface ReceivedEvent {
  event: EventEnvelope<string, object>;
  subject: EventSubject;
  handle(): Promise<EventChanges>;
}

export class UnhandledEventError extends Error {
  constructor(readonly type: string) {
    super(`no handler for event type ${type}`);
    this.name = 'UnhandledEventError';
  }
}

interface RegisteredHandler {
  contract: AnyEventContract;
  /** Class and method, to name it when another one claims the same type. */
  name: string;
  handle(event: EventEnvelope<string, object>): Promise<EventChanges>;
}

/**
 * The consumer's handlers by event type: the @HandlesEvent methods of every provider in the app,
 * found at start. A type may have one handler, so that one outcome decides the ack.
 */
@Injectable()
export class EventHandlerRegistry implements OnModuleInit {
  private readonly byType = new Map<string, RegisteredHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      // A handler must be a singleton: a request-scoped provider has no instance to call.
      if (!wrapper.isDependencyTreeStatic() || typeof instance !== 'object' || instance === null) {
        continue;
      }
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const contracts = this.discovery.getMetadataByDecorator(
          EventHandlerMetadata,
          wrapper,
          method,
        );
        if (!contracts) continue;
        // @HandlesEvent checked at compile time that the method takes these contracts' events.
        const handle = (instance as Record<string, RegisteredHandler['handle']>)[method].bind(
          instance,
        );
        for (const contract of contracts) {
          this.register({ contract, name: `${wrapper.name}.${method}`, handle });
        }
      }
    }
  }

  /**
   * Validates the envelope, finds the type's handler and validates the data against its
   * contract; throws InvalidEventError or UnhandledEventError, both dead-lettered.
   */
  receive(body: unknown): ReceivedEvent {
    const envelope = parseEnvelope(body);
    const handler = this.byType.get(envelope.type);
    if (!handler) throw new UnhandledEventError(envelope.type);
    const event = handler.contract.parse(envelope);
    return {
      event,
      subject: handler.contract.subject(event.data),
      handle: () => handler.handle(event),
    };
  }

  private register(handler: RegisteredHandler): void {
    const type = handler.contract.type;
    const taken = this.byType.get(type);
    if (taken) {
      throw new Error(`${type} has two handlers: ${taken.name} and ${handler.name}`);
    }
    this.byType.set(type, handler);
  }
}
