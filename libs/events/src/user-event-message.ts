import { toAddress, USER_EVENT_SCHEMA_VERSION, type UserEvent } from '@aware/contracts';
import type { UserRecord } from '@aware/database';

/** The message body of the event stored with a user version (its outbox entry). */
export function toUserEvent(version: UserRecord): UserEvent {
  return {
    eventId: version.event.eventId,
    type: version.event.type,
    schemaVersion: USER_EVENT_SCHEMA_VERSION,
    occurredAt: version.event.occurredAt.toISOString(),
    producer: version.event.producer,
    data: {
      userId: version.userId,
      version: version.version,
      emails: [...version.emails],
      deliveryAddress: toAddress(version.deliveryAddress),
    },
  };
}
