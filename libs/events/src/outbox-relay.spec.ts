import { loadAppConfig } from '@aware/common';
import type { UserEvent } from '@aware/contracts';
import type { UserRecord, UsersRepository } from '@aware/database';
import { OutboxRelay } from './outbox-relay';
import type { UserEventsPublisher } from './user-events.publisher';

const USER = '3b241101-e2bb-4255-8caf-4136c566a962';

function versionDoc(version: number): UserRecord {
  return {
    userId: USER,
    version,
    emails: [`v${version}@example.com`],
    deliveryAddress: { street: 's', city: 'c', state: 'st', postalCode: 'p', country: 'US' },
    event: {
      eventId: `00000000-0000-4000-8000-00000000000${version}`,
      type: version === 1 ? 'user.created' : 'user.updated',
      occurredAt: new Date(),
      producer: 'user-v1',
    },
    published: false,
  };
}

/** In-memory stand-ins: the relay's logic (newest only, confirm-then-mark) in isolation. */
class FakeStore {
  versions = [versionDoc(1), versionDoc(2), versionDoc(3)];
  log: string[] = [];

  users = {
    findVersion: (userId: string, version: number) =>
      Promise.resolve(
        this.versions.find((v) => v.userId === userId && v.version === version) ?? null,
      ),
    markPublished: (_userId: string, version: number) => {
      this.log.push(`mark v${version}`);
      this.versions = this.versions.filter((v) => v.version >= version);
      this.versions.find((v) => v.version === version)!.published = true;
      return Promise.resolve();
    },
  } as unknown as UsersRepository;
}

function relayWith(store: FakeStore, publish: (event: UserEvent) => Promise<void>): OutboxRelay {
  const publisher = {
    connected: true,
    publish: async (event: UserEvent) => {
      await publish(event);
      store.log.push(`publish v${event.data.version}`);
    },
  } as unknown as UserEventsPublisher;
  return new OutboxRelay(
    store.users,
    publisher,
    loadAppConfig(
      {},
      {
        name: 'user-v1',
        defaultDatabase: 'users',
        title: 'v1',
        description: 'v1',
      },
    ),
  );
}

describe('OutboxRelay', () => {
  it('publishes the version it is given, and marks it only after its confirm', async () => {
    const store = new FakeStore();
    const outcome = await relayWith(store, () => Promise.resolve()).publishNow(USER, 3);
    expect(outcome).toBe('published');
    expect(store.log).toEqual(['publish v3', 'mark v3']);
    expect(store.versions.map((v) => [v.version, v.published])).toEqual([[3, true]]);
  });

  it('keeps the outbox as it was when the broker does not confirm', async () => {
    const store = new FakeStore();
    const outcome = await relayWith(store, () =>
      Promise.reject(new Error('broker gone')),
    ).publishNow(USER, 3);
    expect(outcome).toBe('failed');
    expect(store.log).toEqual([]);
    expect(store.versions.map((v) => v.published)).toEqual([false, false, false]);
  });

  it('publishes nothing when the version is already published', async () => {
    const store = new FakeStore();
    store.versions = [{ ...versionDoc(1), published: true }];
    const publish = jest.fn(() => Promise.resolve());
    expect(await relayWith(store, publish).publishNow(USER, 1)).toBe('published');
    expect(publish).not.toHaveBeenCalled();
  });

  it('publishes nothing when a newer version superseded and pruned the one it is given', async () => {
    const store = new FakeStore();
    store.versions = [{ ...versionDoc(3), published: true }];
    const publish = jest.fn(() => Promise.resolve());
    expect(await relayWith(store, publish).publishNow(USER, 2)).toBe('published');
    expect(publish).not.toHaveBeenCalled();
  });

  it('runs once more when a write lands during a run, so its event is not left behind', async () => {
    const store = new FakeStore();
    store.versions = [versionDoc(1)];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const relay = relayWith(store, async (event) => {
      if (event.data.version === 1) await gate;
    });
    const first = relay.publishNow(USER, 1);
    store.versions.push(versionDoc(2));
    const second = relay.publishNow(USER, 2);
    release();
    expect(await first).toBe('published');
    expect(await second).toBe('published');
    expect(store.log).toEqual(['publish v1', 'mark v1', 'publish v2', 'mark v2']);
    expect(store.versions.every((v) => v.published)).toBe(true);
  });
});
