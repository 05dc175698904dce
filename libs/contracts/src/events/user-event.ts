import { Type } from 'class-transformer';
import { IsObject, Matches, ValidateNested } from 'class-validator';
import { USER_RULES } from '../fields/field-rules';
import { Validated } from '../fields/rule-decorators';
import { RESOURCE_ID_PATTERN, RESOURCE_ID_RULE } from '../values/resource-id';
import { AddressDto } from '../values/address.dto';
import type { Address } from '../values/address';
import { EmailList } from '../values/email';
import { defineEvent, type EventOf, type EventSubject } from './event-contract';

export const USER_EVENT_PRODUCERS = ['user-v1', 'user-v2'] as const;
export type UserEventProducer = (typeof USER_EVENT_PRODUCERS)[number];

/** The full current state of the synced fields: the newest event alone is enough. */
export class UserSnapshot {
  @Matches(RESOURCE_ID_PATTERN, { message: `userId must be ${RESOURCE_ID_RULE}` })
  userId!: string;

  @Validated(USER_RULES.version)
  version!: number;

  @EmailList()
  emails!: string[];

  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  deliveryAddress!: Address;
}

function userSubject(snapshot: UserSnapshot): EventSubject {
  return { kind: 'user', id: snapshot.userId, version: snapshot.version };
}

/** On exchange aware.users (docs/events.md): a user was created; its first snapshot. */
export const UserCreated = defineEvent({
  type: 'user.created',
  schemaVersion: 1,
  producers: USER_EVENT_PRODUCERS,
  data: UserSnapshot,
  subject: userSubject,
});
export type UserCreated = EventOf<typeof UserCreated>;

/** On exchange aware.users (docs/events.md): a user's synced fields changed; its new snapshot. */
export const UserUpdated = defineEvent({
  type: 'user.updated',
  schemaVersion: 1,
  producers: USER_EVENT_PRODUCERS,
  data: UserSnapshot,
  subject: userSubject,
});
export type UserUpdated = EventOf<typeof UserUpdated>;

/**
 * The events a user version's outbox entry may carry: each is the version's snapshot, so the
 * newest pending one supersedes older ones.
 */
export const USER_EVENTS = [UserCreated, UserUpdated] as const;
export type UserEventContract = (typeof USER_EVENTS)[number];
export type UserEvent = EventOf<UserEventContract>;
export type UserEventType = UserEvent['type'];
export const USER_EVENT_TYPES: readonly UserEventType[] = USER_EVENTS.map(({ type }) => type);
