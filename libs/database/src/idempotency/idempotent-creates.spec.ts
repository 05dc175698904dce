import { HttpStatus } from '@nestjs/common';
import {
  ANONYMOUS_SCOPE,
  AppConfig,
  IdempotencyKeyInFlightProblem,
  IdempotencyKeyReusedProblem,
  ProblemException,
  ProblemType,
  requestFingerprint,
  type IdempotentRequest,
} from '@aware/common';
import { idempotencyKeyId } from './idempotency-key.schema';
import type {
  IdempotencyKeyRecord,
  IdempotencyKeysRepository,
} from './idempotency-keys.repository';
import { IdempotentCreates, IN_FLIGHT_GRACE_MS, type KeyedCreate } from './idempotent-creates';

/**
 * The decisions of IdempotentCreates over a stand-in of the keys collection: a Map whose inserts
 * refuse a present `_id`, as the unique index does. The races themselves run against the real
 * engine in test/idempotent-creates.e2e-spec.ts.
 */
class KeysStandIn {
  readonly records = new Map<string, IdempotencyKeyRecord>();

  insert(record: IdempotencyKeyRecord): Promise<boolean> {
    if (this.records.has(record._id)) return Promise.resolve(false);
    this.records.set(record._id, structuredClone(record));
    return Promise.resolve(true);
  }

  find(id: string): Promise<IdempotencyKeyRecord | null> {
    return Promise.resolve(this.records.get(id) ?? null);
  }

  remove(id: string, resourceId: string): Promise<void> {
    if (this.records.get(id)?.resourceId === resourceId) this.records.delete(id);
    return Promise.resolve();
  }
}

interface Thing {
  thingId: string;
  label: string;
}

function setUp() {
  const keys = new KeysStandIn();
  const config = { idempotencyKeyTtlMs: 60_000 } as AppConfig;
  const creates = new IdempotentCreates(keys as unknown as IdempotencyKeysRepository, config);
  const stored = new Set<string>();
  const writes: Thing[] = [];
  const abandoned: Thing[] = [];
  const create = (thingId: string, label = 'a'): KeyedCreate<Thing> => ({
    resourceId: thingId,
    resource: { thingId, label },
    write: (thing) => {
      writes.push(thing);
      if (stored.has(thing.thingId)) return Promise.resolve(false);
      stored.add(thing.thingId);
      return Promise.resolve(true);
    },
    exists: (id) => Promise.resolve(stored.has(id)),
    abandon: (thing) => {
      abandoned.push(thing);
      return Promise.resolve();
    },
  });
  const request = (body: unknown = { label: 'a' }): IdempotentRequest => ({
    key: 'key-1',
    scope: ANONYMOUS_SCOPE,
    method: 'POST',
    path: '/things',
    body,
  });
  const onlyKey = (): IdempotencyKeyRecord => [...keys.records.values()][0];
  return { keys, creates, stored, writes, abandoned, create, request, onlyKey };
}

describe('IdempotentCreates', () => {
  it('writes the first request and replays it for a retry, writing nothing', async () => {
    const { creates, create, request, writes } = setUp();
    const first = await creates.create(request(), create('t1'));
    expect(first).toEqual({
      resource: { thingId: 't1', label: 'a' },
      replayed: false,
      written: true,
    });
    const retry = await creates.create(request(), create('t2', 'b'));
    expect(retry).toEqual({
      resource: { thingId: 't1', label: 'a' },
      replayed: true,
      written: false,
    });
    expect(writes.map((thing) => thing.thingId)).toEqual(['t1']);
  });

  it('refuses the key for another body with 422 naming it', async () => {
    const { creates, create, request } = setUp();
    await creates.create(request(), create('t1'));
    const other = creates.create(request({ label: 'b' }), create('t2'));
    await expect(other).rejects.toBeInstanceOf(IdempotencyKeyReusedProblem);
    await expect(other).rejects.toThrow(/key-1/);
  });

  it('answers 409 with Retry-After while the first request may still be writing', async () => {
    const { creates, create, request, keys, stored } = setUp();
    // A key stored a moment ago whose resource is not there yet.
    await keys.insert({ ...baseKey(), createdAt: new Date(Date.now() - 2_000) });
    const retry = creates.create(request(), create('t2'));
    await expect(retry).rejects.toBeInstanceOf(IdempotencyKeyInFlightProblem);
    await expect(retry).rejects.toMatchObject({ retryAfterSeconds: 8 });
    expect(stored.size).toBe(0);
  });

  it('finishes the write of a first request that stopped between the key and the resource', async () => {
    const { creates, create, request, keys, stored } = setUp();
    await keys.insert({ ...baseKey(), createdAt: new Date(Date.now() - IN_FLIGHT_GRACE_MS - 1) });
    const retry = await creates.create(request(), create('t2', 'b'));
    expect(retry).toEqual({
      resource: { thingId: 't0', label: 'a' },
      replayed: false,
      written: true,
    });
    expect([...stored]).toEqual(['t0']);
  });

  it('takes its own key, inserted by a driver retry after a lost answer, as its own', async () => {
    const { creates, create, request, keys } = setUp();
    await keys.insert({ ...baseKey(), resourceId: 't0', createdAt: new Date() });
    const outcome = await creates.create(request(), create('t0'));
    expect(outcome).toMatchObject({ replayed: false, written: true });
  });

  it('removes the key and gives back what a refused (4xx) first write took', async () => {
    const { creates, create, request, keys, abandoned } = setUp();
    const refused: KeyedCreate<Thing> = {
      ...create('t1'),
      write: () =>
        Promise.reject(new ProblemException(HttpStatus.CONFLICT, ProblemType.conflict, 'taken')),
    };
    await expect(creates.create(request(), refused)).rejects.toThrow('taken');
    expect(keys.records.size).toBe(0);
    expect(abandoned).toEqual([{ thingId: 't1', label: 'a' }]);
  });

  it('keeps the key when the database failed: the write may have landed', async () => {
    const { creates, create, request, keys, onlyKey } = setUp();
    const failing: KeyedCreate<Thing> = {
      ...create('t1'),
      write: () => Promise.reject(new Error('connection reset')),
    };
    await expect(creates.create(request(), failing)).rejects.toThrow('connection reset');
    expect(keys.records.size).toBe(1);
    expect(onlyKey()).toMatchObject({ resourceId: 't1', resource: { thingId: 't1' } });
    expect(onlyKey().expiresAt.getTime() - onlyKey().createdAt.getTime()).toBe(60_000);
  });
});

/** The key a first request with body { label: 'a' } stored for resource t0. */
function baseKey(): IdempotencyKeyRecord {
  const request = setUp().request();
  return {
    _id: idempotencyKeyId(request.scope, request.key),
    scope: request.scope,
    key: request.key,
    fingerprint: requestFingerprint(request),
    resourceId: 't0',
    resource: { thingId: 't0', label: 'a' },
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + 60_000),
  };
}
