import { Injectable } from '@nestjs/common';
import { toAddress, USER_EVENTS, type UserEvent, type UserSnapshot } from '@aware/contracts';
import { UsersRepository, type OutboxBacklog, type UserRecord } from '@aware/database';
import type { OutboxEntry, OutboxStore } from '@aware/events';

/** A stored version's synced fields: what every user event carries. */
export function userSnapshotOf(version: UserRecord): UserSnapshot {
  return {
    userId: version.userId,
    version: version.version,
    emails: [...version.emails],
    deliveryAddress: toAddress(version.deliveryAddress),
  };
}

/** The message body of the event stored with a user version (its outbox entry). */
export function userEventOf(version: UserRecord): UserEvent {
  const { type, producer, eventId, occurredAt } = version.event;
  const contract = USER_EVENTS.find((candidate) => candidate.type === type);
  // The collection's validator admits only these types; a stored one without a contract is a bug.
  if (!contract) throw new Error(`user version event of unknown type ${type}`);
  return contract.envelope(userSnapshotOf(version), producer, { eventId, occurredAt });
}

/**
 * The user versions as the relay's outbox: a user is a key, and each version's entry is its
 * snapshot event, so the newest pending version supersedes the older ones.
 */
@Injectable()
export class UsersOutbox implements OutboxStore {
  constructor(private readonly users: UsersRepository) {}

  async newest(userId: string): Promise<OutboxEntry | null> {
    const version = await this.users.findByUserId(userId);
    if (!version) return null;
    return {
      version: version.version,
      published: version.published,
      event: userEventOf(version),
      correlationId: version.event.correlationId,
      traceparent: version.event.traceparent,
    };
  }

  markPublished(userId: string, version: number): Promise<void> {
    return this.users.markPublished(userId, version);
  }

  keysPendingBefore(cutoff: Date, limit: number): Promise<string[]> {
    return this.users.usersWithUnpublishedBefore(cutoff, limit);
  }

  backlog(): Promise<OutboxBacklog> {
    return this.users.outboxBacklog();
  }
}
