import { plainToInstance, Type } from 'class-transformer';
import {
  Matches,
  Equals,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsUUID,
  Min,
  ValidateNested,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { FIRST_USER_VERSION } from '../limits';
import { RESOURCE_ID_PATTERN, RESOURCE_ID_RULE } from '../values/resource-id';
import { AddressDto } from '../values/address.dto';
import type { Address } from '../values/address';
import { EmailList } from '../values/email';

export const USER_EVENT_TYPES = ['user.created', 'user.updated'] as const;
export type UserEventType = (typeof USER_EVENT_TYPES)[number];
export const USER_EVENT_PRODUCERS = ['user-v1', 'user-v2'] as const;
export type UserEventProducer = (typeof USER_EVENT_PRODUCERS)[number];
export const USER_EVENT_SCHEMA_VERSION = 1;

/** The full current state of the synced fields: the newest event alone is enough. */
export class UserSnapshot {
  @Matches(RESOURCE_ID_PATTERN, { message: `userId must be ${RESOURCE_ID_RULE}` })
  userId!: string;

  @IsInt()
  @Min(FIRST_USER_VERSION)
  version!: number;

  @EmailList()
  emails!: string[];

  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  deliveryAddress!: Address;
}

/** `user.created` / `user.updated` on exchange aware.users (docs/events.md). */
export class UserEvent {
  @IsUUID()
  eventId!: string;

  @IsIn(USER_EVENT_TYPES)
  type!: UserEventType;

  @Equals(USER_EVENT_SCHEMA_VERSION)
  schemaVersion!: typeof USER_EVENT_SCHEMA_VERSION;

  @IsISO8601({ strict: true })
  occurredAt!: string;

  @IsIn(USER_EVENT_PRODUCERS)
  producer!: UserEventProducer;

  @IsObject()
  @ValidateNested()
  @Type(() => UserSnapshot)
  data!: UserSnapshot;
}

export class InvalidUserEventError extends Error {
  constructor(readonly reasons: string[]) {
    super(`invalid user event: ${reasons.join('; ')}`);
    this.name = 'InvalidUserEventError';
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

/** Runtime validation of a received message body; throws InvalidUserEventError. */
export function parseUserEvent(body: unknown): UserEvent {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidUserEventError(['the body is not a JSON object']);
  }
  const event = plainToInstance(UserEvent, body);
  const errors = validateSync(event, { forbidUnknownValues: true });
  if (errors.length > 0) throw new InvalidUserEventError(reasonsOf(errors));
  return event;
}
