import { plainToInstance } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsString,
  IsUUID,
  Min,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { randomUUID } from 'node:crypto';

/** What every event message carries around its type's data (docs/events.md). */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  eventId: string;
  type: TType;
  schemaVersion: number;
  occurredAt: string;
  producer: string;
  data: TData;
}

/**
 * What an event is about, for log lines and trace spans: a `user` subject logs as `userId` and
 * `version` and traces as `aware.user_id` and `aware.user_version`.
 */
export interface EventSubject {
  kind: Lowercase<string>;
  id: string;
  version?: number;
}

/** How one event type is declared: its name, its data's class (class-validator rules) and more. */
interface EventDeclaration<TType extends string, TData extends object> {
  type: TType;
  /** The only version consumers accept; a change to the data that breaks them is a new one. */
  schemaVersion: number;
  /** The services that may publish it. */
  producers: readonly string[];
  data: new () => TData;
  subject(data: TData): EventSubject;
}

export class InvalidEventError extends Error {
  constructor(readonly reasons: string[]) {
    super(`invalid event: ${reasons.join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

function reasonsOf(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    return [
      ...Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`),
      ...reasonsOf(error.children ?? [], path),
    ];
  });
}

/** The plain object as an instance of `type`, and what its class-validator rules refuse. */
function validated<T extends object>(
  type: new () => T,
  plain: object,
  path = '',
): { value: T; reasons: string[] } {
  const value = plainToInstance(type, plain);
  return { value, reasons: reasonsOf(validateSync(value, { forbidUnknownValues: true }), path) };
}

/** The envelope's own rules; the data is checked by its type's contract. */
class EnvelopeFields implements EventEnvelope<string, object> {
  @IsUUID()
  eventId!: string;

  @IsString()
  @IsNotEmpty()
  type!: string;

  @IsInt()
  @Min(1)
  schemaVersion!: number;

  @IsISO8601({ strict: true })
  occurredAt!: string;

  @IsString()
  @IsNotEmpty()
  producer!: string;

  @IsObject()
  data!: object;
}

/**
 * Runtime validation of a received message body's envelope, whatever its type; throws
 * InvalidEventError. Its data is still unchecked: its type's contract parses it.
 */
export function parseEnvelope(body: unknown): EventEnvelope<string, object> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidEventError(['the body is not a JSON object']);
  }
  const envelope = validated(EnvelopeFields, body);
  if (envelope.reasons.length > 0) throw new InvalidEventError(envelope.reasons);
  return envelope.value;
}

/** One event type: builds its messages and validates received ones. Declared with defineEvent. */
class EventContract<TType extends string, TData extends object> {
  constructor(private readonly declaration: EventDeclaration<TType, TData>) {}

  get type(): TType {
    return this.declaration.type;
  }

  /** A message of this type; a fresh eventId and the current time unless the outbox kept them. */
  envelope(
    data: TData,
    producer: string,
    stored: { eventId?: string; occurredAt?: Date } = {},
  ): EventEnvelope<TType, TData> {
    return {
      eventId: stored.eventId ?? randomUUID(),
      type: this.declaration.type,
      schemaVersion: this.declaration.schemaVersion,
      occurredAt: (stored.occurredAt ?? new Date()).toISOString(),
      producer,
      data,
    };
  }

  /** Checks a parsed envelope against this type; throws InvalidEventError. */
  parse(envelope: EventEnvelope<string, object>): EventEnvelope<TType, TData> {
    const { type, schemaVersion, producers } = this.declaration;
    const reasons: string[] = [];
    if (envelope.type !== type) reasons.push(`type: must be ${type}`);
    if (envelope.schemaVersion !== schemaVersion) {
      reasons.push(`schemaVersion: must be ${schemaVersion}`);
    }
    if (!producers.includes(envelope.producer)) {
      reasons.push(`producer: must be one of ${producers.join(', ')}`);
    }
    const data = validated(this.declaration.data, envelope.data, 'data');
    reasons.push(...data.reasons);
    if (reasons.length > 0) throw new InvalidEventError(reasons);
    return { ...envelope, type, data: data.value };
  }

  subject(data: TData): EventSubject {
    return this.declaration.subject(data);
  }
}

/** Any event type's contract, as the registry of handlers holds them. */
export type AnyEventContract = EventContract<string, object>;

/** The message type of a contract: `EventOf<typeof UserUpdated>`. */
export type EventOf<C> =
  C extends EventContract<infer TType, infer TData> ? EventEnvelope<TType, TData> : never;

export function defineEvent<TType extends string, TData extends object>(
  declaration: EventDeclaration<TType, TData>,
): EventContract<TType, TData> {
  return new EventContract(declaration);
}
