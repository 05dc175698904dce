import { parseEnvelope, UserUpdated } from '@aware/contracts';
import type { UserRecord, UsersRepository } from '@aware/database';
import { userEventOf, UsersOutbox } from './users-outbox';

const version: UserRecord = {
  userId: '3b241101-e2bb-4255-8caf-4136c566a962',
  version: 3,
  firstName: 'Ada',
  emails: ['ada@example.com'],
  deliveryAddress: {
    street: '1 Main St',
    city: 'Springfield',
    state: 'IL',
    postalCode: '62701',
    country: 'US',
  },
  event: {
    eventId: '0b7d6b1e-8f5c-4d2a-9c1b-3e4f5a6b7c8d',
    type: 'user.updated',
    occurredAt: new Date('2026-11-25T10:00:00.000Z'),
    producer: 'user-v1',
    correlationId: 'req-1',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  },
  published: false,
};

describe('userEventOf', () => {
  it('carries the version’s full synced state in a message consumers accept', () => {
    const event = userEventOf(version);
    expect(UserUpdated.parse(parseEnvelope(JSON.parse(JSON.stringify(event))))).toBeTruthy();
    expect(event).toEqual({
      eventId: version.event.eventId,
      type: 'user.updated',
      schemaVersion: 1,
      occurredAt: '2026-11-25T10:00:00.000Z',
      producer: 'user-v1',
      data: {
        userId: version.userId,
        version: 3,
        emails: ['ada@example.com'],
        deliveryAddress: version.deliveryAddress,
      },
    });
  });
});

describe('UsersOutbox', () => {
  it('gives the relay a user version as its event with the request’s ids', async () => {
    const findVersion = jest.fn(() => Promise.resolve(version));
    const users = { findVersion } as unknown as UsersRepository;
    expect(await new UsersOutbox(users).find(version.userId, 3)).toEqual({
      version: 3,
      published: false,
      event: userEventOf(version),
      correlationId: 'req-1',
      traceparent: version.event.traceparent,
    });
    expect(findVersion).toHaveBeenCalledWith(version.userId, 3);
  });

  it('lists pending users as keys with their newest pending version', async () => {
    const unpublishedBefore = jest.fn(() => Promise.resolve([{ userId: 'u1', version: 4 }]));
    const users = { unpublishedBefore } as unknown as UsersRepository;
    expect(await new UsersOutbox(users).pendingBefore(new Date(0), 10)).toEqual([
      { key: 'u1', version: 4 },
    ]);
  });
});
