import { toAddress, USER_EVENTS, type UserEvent } from '@aware/contracts';
import type { UserRecord } from '@aware/database';

/** The message body of the event stored with a user version (its outbox entry). */
export function toUserEvent(version: UserRecord): UserEvent {
  const { type, producer, eventId, occurredAt } = version.event;
  const contract = USER_EVENTS.find((candidate) => candidate.type === type);
  // The collection's validator admits only these types; a stored one without a contract is a bug.
  if (!contract) throw new Error(`user version event of unknown type ${type}`);
  const snapshot = {
    userId: version.userId,
    version: version.version,
    emails: [...version.emails],
    deliveryAddress: toAddress(version.deliveryAddress),
  };
  return contract.envelope(snapshot, producer, { eventId, occurredAt });
}
