import { loadAppConfig } from '@aware/common';
import type { UserEvent } from '@aware/contracts';
import type { OutboxLeasesRepository, UserRecord, UsersRepository } from '@aware/database';
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

/** In-memory stand-ins: the relay's logic (order, confirm-then-mark, leases) in isolation. */
class FakeStore {
  versions = [versionDoc(1), versionDoc(2), versionDoc(3)];
  leaseHolder: string | null = null;
  log: string[] = [];

  users = {
    findUnpublished: (userId: string) =>
      Promise.resolve(this.versions.filter((v) => v.userId === userId && !v.published)),
    markPublished: (_userId: string, version: number) => {
      this.log.push(`mark v${version}`);
      this.versions.find((v) => v.version === version)!.published = true;
      return Promise.resolve();
    },
  } as unknown as UsersRepository;

  leases = {
    acquire: (_userId: string, owner: string) => {
      if (this.leaseHolder && this.leaseHolder !== owner) return Promise.resolve(false);
      this.leaseHolder = owner;
      return Promise.resolve(true);
    },
    release: () => {
      this.leaseHolder = null;
      return Promise.resolve();
    },
  } as unknown as OutboxLeasesRepository;
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
    store.leases,
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
  it('publishes pending versions in order and marks each only after its confirm', async () => {
    const store = new FakeStore();
    const outcome = await relayWith(store, () => Promise.resolve()).relay(USER);
    expect(outcome).toBe('published');
    expect(store.log).toEqual([
      'publish v1',
      'mark v1',
      'publish v2',
      'mark v2',
      'publish v3',
      'mark v3',
    ]);
    expect(store.leaseHolder).toBeNull();
  });

  it('keeps everything from an unconfirmed event on for a later run', async () => {
    const store = new FakeStore();
    const outcome = await relayWith(store, (event) =>
      event.data.version === 2 ? Promise.reject(new Error('broker gone')) : Promise.resolve(),
    ).relay(USER);
    expect(outcome).toBe('failed');
    expect(store.versions.map((v) => v.published)).toEqual([true, false, false]);
    expect(store.leaseHolder).toBeNull();
  });

  it('leaves a user alone while another relay holds the lease', async () => {
    const store = new FakeStore();
    store.leaseHolder = 'user-v2-process';
    const publish = jest.fn(() => Promise.resolve());
    expect(await relayWith(store, publish).relay(USER)).toBe('elsewhere');
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
    const first = relay.relay(USER);
    store.versions.push(versionDoc(2));
    const second = relay.relay(USER);
    release();
    expect(await first).toBe('published');
    expect(await second).toBe('published');
    expect(store.versions.every((v) => v.published)).toBe(true);
  });
});
