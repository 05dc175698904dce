import { Inject, Injectable, type OnModuleInit, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
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

/** Metadata key under which @HandlesEvent records a method's contracts. */
const HANDLED_EVENTS = Symbol('aware:handled-events');

/** The provider classes whose @HandlesEvent methods the consumer calls (EventsModule.forConsumer). */
export const EVENT_HANDLER_CLASSES = Symbol('aware:event-handler-classes');

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
    // Unused at run time: its type makes the compiler check the method takes these events.
    _descriptor: TypedPropertyDescriptor<EventHandlerMethod<Contracts[number]>>,
  ): void => {
    Reflect.defineMetadata(HANDLED_EVENTS, contracts, target, method);
  };
}

/** A received message whose type has a handler here, parsed against that type's contract. */
export interface ReceivedEvent {
  event: EventEnvelope<string, object>;
  subject: EventSubject;
  handle(): Promise<EventChanges>;
}

class UnhandledEventError extends Error {
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

/** The methods of a class (and its ancestors) that @HandlesEvent marked, with their contracts. */
function handledEventsOf(prototype: object): [method: string, readonly AnyEventContract[]][] {
  const found: [string, readonly AnyEventContract[]][] = [];
  for (
    let level = prototype;
    level !== Object.prototype;
    level = Object.getPrototypeOf(level) as object
  ) {
    for (const method of Object.getOwnPropertyNames(level)) {
      const contracts: unknown = Reflect.getMetadata(HANDLED_EVENTS, level, method);
      if (Array.isArray(contracts)) found.push([method, contracts as AnyEventContract[]]);
    }
  }
  return found;
}

/**
 * The consumer's handlers by event type: the @HandlesEvent methods of the provider classes the app
 * lists in EventsModule.forConsumer. A type may have one handler, so that one outcome decides the
 * ack; a listed class without a handler is a mistake, refused at start as well.
 */
@Injectable()
export class EventHandlerRegistry implements OnModuleInit {
  private readonly byType = new Map<string, RegisteredHandler>();

  constructor(
    @Inject(EVENT_HANDLER_CLASSES) private readonly classes: readonly Type<object>[],
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    for (const handlerClass of this.classes) {
      const instance = this.moduleRef.get(handlerClass, { strict: false });
      const methods = handledEventsOf(handlerClass.prototype as object);
      if (methods.length === 0) {
        throw new Error(
          `${handlerClass.name} is listed as an event handler but has no @HandlesEvent method`,
        );
      }
      for (const [method, contracts] of methods) {
        // @HandlesEvent checked at compile time that the method takes these contracts' events.
        const handle = (instance as Record<string, RegisteredHandler['handle']>)[method].bind(
          instance,
        );
        for (const contract of contracts) {
          this.register({ contract, name: `${handlerClass.name}.${method}`, handle });
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
