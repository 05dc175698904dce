import { Injectable } from '@nestjs/common';
import { toAddress, USER_EVENTS, type UserEvent, type UserSnapshot } from '@aware/contracts';
import { UsersRepository, type OutboxBacklog, type UserRecord } from '@aware/database';
import type { EntryVersion, OutboxEntry, OutboxStore } from '@aware/events';

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

/** A stored user version as the relay publishes it. */
export function outboxEntryOf(stored: UserRecord): OutboxEntry {
  return {
    version: stored.version,
    published: stored.published,
    event: userEventOf(stored),
    correlationId: stored.event.correlationId,
    traceparent: stored.event.traceparent,
  };
}

/**
 * The user versions as the relay's outbox: a user is a key, and each version's entry is its
 * snapshot event, so the newest pending version supersedes the older ones.
 */
@Injectable()
export class UsersOutbox implements OutboxStore {
  constructor(private readonly users: UsersRepository) {}

  async find(userId: string, version: number): Promise<OutboxEntry | null> {
    const stored = await this.users.findVersion(userId, version);
    return stored && outboxEntryOf(stored);
  }

  markPublished(entries: readonly EntryVersion[]): Promise<void> {
    return this.users.markPublished(entries.map(({ key, version }) => ({ userId: key, version })));
  }

  async pendingBefore(cutoff: Date, limit: number): Promise<EntryVersion[]> {
    const pending = await this.users.unpublishedBefore(cutoff, limit);
    return pending.map(({ userId, version }) => ({ key: userId, version }));
  }

  backlog(): Promise<OutboxBacklog> {
    return this.users.outboxBacklog();
  }
}
