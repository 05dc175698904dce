import { loadAppConfig } from '@aware/common';
import type { EventEnvelope } from '@aware/contracts';
import { OutboxRelay } from './outbox-relay';
import type { EntryVersion, OutboxEntry, OutboxStore } from './outbox-store';
import type { UserEventsPublisher } from './user-events.publisher';

const USER = '3b241101-e2bb-4255-8caf-4136c566a962';

type VersionEvent = EventEnvelope<string, { version: number }>;

function entry(version: number): OutboxEntry {
  const event: VersionEvent = {
    eventId: `00000000-0000-4000-8000-00000000000${version}`,
    type: version === 1 ? 'user.created' : 'user.updated',
    schemaVersion: 1,
    occurredAt: new Date().toISOString(),
    producer: 'user-v1',
    data: { version },
  };
  return { version, published: false, event };
}

/** In-memory stand-ins: the relay's logic (newest only, confirm-then-mark) in isolation. */
class FakeStore {
  versions = [entry(1), entry(2), entry(3)];
  log: string[] = [];

  outbox = {
    find: (_key: string, version: number) =>
      Promise.resolve(this.versions.find((v) => v.version === version) ?? null),
    markPublished: ([{ version }]: EntryVersion[]) => {
      this.log.push(`mark v${version}`);
      this.versions = this.versions.filter((v) => v.version >= version);
      this.versions.find((v) => v.version === version)!.published = true;
      return Promise.resolve();
    },
  } as unknown as OutboxStore;
}

function relayWith(store: FakeStore, publish: (event: VersionEvent) => Promise<void>): OutboxRelay {
  const publisher = {
    connected: true,
    publish: async (event: VersionEvent) => {
      await publish(event);
      store.log.push(`publish v${event.data.version}`);
    },
  } as unknown as UserEventsPublisher;
  return new OutboxRelay(
    store.outbox,
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
    store.versions = [{ ...entry(1), published: true }];
    const publish = jest.fn(() => Promise.resolve());
    expect(await relayWith(store, publish).publishNow(USER, 1)).toBe('published');
    expect(publish).not.toHaveBeenCalled();
  });

  it('publishes nothing when a newer version superseded and pruned the one it is given', async () => {
    const store = new FakeStore();
    store.versions = [{ ...entry(3), published: true }];
    const publish = jest.fn(() => Promise.resolve());
    expect(await relayWith(store, publish).publishNow(USER, 2)).toBe('published');
    expect(publish).not.toHaveBeenCalled();
  });

  it('publishes the entry its writer passes without reading it back', async () => {
    const store = new FakeStore();
    const find = jest.spyOn(store.outbox, 'find');
    const outcome = await relayWith(store, () => Promise.resolve()).publishNow(USER, 3, entry(3));
    expect(outcome).toBe('published');
    expect(find).not.toHaveBeenCalled();
    expect(store.log).toEqual(['publish v3', 'mark v3']);
  });

  it('runs once more when a write lands during a run, so its event is not left behind', async () => {
    const store = new FakeStore();
    store.versions = [entry(1)];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const relay = relayWith(store, async (event) => {
      if (event.data.version === 1) await gate;
    });
    const first = relay.publishNow(USER, 1);
    store.versions.push(entry(2));
    const second = relay.publishNow(USER, 2);
    release();
    expect(await first).toBe('published');
    expect(await second).toBe('published');
    expect(store.log).toEqual(['publish v1', 'mark v1', 'publish v2', 'mark v2']);
    expect(store.versions.every((v) => v.published)).toBe(true);
  });
});
