import { randomUUID } from 'node:crypto';
import type { Document } from 'mongodb';
import { Types, type Connection } from 'mongoose';
import {
  EMAIL_CLAIMS_COLLECTION,
  IDEMPOTENCY_KEYS_COLLECTION,
  Order,
  ORDERS_COLLECTION,
  ORDERS_DATABASE_COLLECTIONS,
  OrderSchema,
  OrdersRepository,
  SEED_ORDERS,
  SEED_USERS,
  USER_PROJECTIONS_COLLECTION,
  USERS_COLLECTION,
  USERS_DATABASE_COLLECTIONS,
  validatorsEnforced,
  WRITER_LEASES_COLLECTION,
  type CollectionDefinition,
  type OrderRecord,
} from '@aware/database';
import { ORDER_STATUSES, totalPriceOf } from '@aware/contracts';
import { insertOlderOrder, setUpOrdersAsOlderRelease } from '../../../test/support/older-orders';
import { VALIDATORS_UNSUPPORTED_WARNING } from '../src/commands/db-setup.command';
import { opsTestEnv, type OpsTestEnv } from './ops-test-support';

/** MongoDB's code for a write its collection's validator rejected. */
const DOCUMENT_VALIDATION_FAILURE = 121;

/** Every index the schemas declare exists, by its key pattern. */
async function expectSchemaIndexes(
  connection: Connection,
  definitions: readonly CollectionDefinition[],
): Promise<void> {
  for (const { modelName, schema } of definitions) {
    const collection = connection.collection(schema.get('collection') ?? modelName);
    const existing = (await collection.listIndexes().toArray()).map((index) =>
      JSON.stringify(index.key),
    );
    for (const [fields] of schema.indexes()) {
      expect(existing).toContain(JSON.stringify(fields));
    }
  }
}

describe('ops db:setup and db:seed (docs/operations.md)', () => {
  let ops: OpsTestEnv;
  let users: Connection;
  let orders: Connection;
  let withoutValidators: boolean;

  beforeAll(async () => {
    ops = opsTestEnv('ops-setup');
    ({ users, orders } = await ops.databases());
    withoutValidators = !(await validatorsEnforced(
      users,
      [...USERS_DATABASE_COLLECTIONS, ...ORDERS_DATABASE_COLLECTIONS].map(
        ({ validator }) => validator,
      ),
    ));
  });

  afterAll(async () => {
    await ops.cleanup();
  });

  it('creates every collection with its indexes, and running it again changes nothing', async () => {
    const first = await ops.run(['db:setup']);
    expect(first.code).toBe(0);
    expect(first.stdout).toHaveLength(7);
    for (const line of first.stdout) expect(line).toMatch(/: created .*; indexes ensured$/);

    const second = await ops.run(['db:setup']);
    expect(second.code).toBe(0);
    for (const line of second.stdout) expect(line).toMatch(/: already present.*; indexes ensured$/);

    const names = async (connection: Connection): Promise<string[]> =>
      (await connection.listCollections()).map(({ name }) => name).sort();
    expect(await names(users)).toEqual(
      [USERS_COLLECTION, EMAIL_CLAIMS_COLLECTION, IDEMPOTENCY_KEYS_COLLECTION].sort(),
    );
    expect(await names(orders)).toEqual(
      [
        ORDERS_COLLECTION,
        USER_PROJECTIONS_COLLECTION,
        WRITER_LEASES_COLLECTION,
        IDEMPOTENCY_KEYS_COLLECTION,
      ].sort(),
    );
    await expectSchemaIndexes(users, USERS_DATABASE_COLLECTIONS);
    await expectSchemaIndexes(orders, ORDERS_DATABASE_COLLECTIONS);

    if (withoutValidators) {
      // One warning line per run, not one per collection.
      expect(first.stderr).toEqual([VALIDATORS_UNSUPPORTED_WARNING]);
      expect(second.stderr).toEqual([VALIDATORS_UNSUPPORTED_WARNING]);
    } else {
      expect(first.stderr).toEqual([]);
      expect(second.stdout.every((line) => line.includes('validator updated'))).toBe(true);
      const [info] = await orders.db!.listCollections({ name: ORDERS_COLLECTION }).toArray();
      expect(info).toMatchObject({
        options: { validationLevel: 'strict', validationAction: 'error' },
      });
      await expect(
        orders.collection(ORDERS_COLLECTION).insertOne({ orderId: 'no-items' }),
      ).rejects.toMatchObject({ code: DOCUMENT_VALIDATION_FAILURE });
    }
  });

  it('seeds 5 users and 15 orders once; running it again inserts nothing', async () => {
    const first = await ops.run(['db:seed']);
    expect(first).toMatchObject({ code: 0, stderr: [] });
    expect(first.stdout).toEqual([
      'db:seed: users: 5 inserted, 0 already present',
      'db:seed: email claims: 7 inserted, 0 already present',
      'db:seed: user projections: 5 inserted, 0 already present',
      'db:seed: orders: 15 inserted, 0 already present',
    ]);

    const again = await ops.run(['db:setup', '--seed']);
    expect(again.code).toBe(0);
    expect(again.stdout.slice(-4)).toEqual([
      'db:seed: users: 0 inserted, 5 already present',
      'db:seed: email claims: 0 inserted, 0 already present',
      'db:seed: user projections: 0 inserted, 5 already present',
      'db:seed: orders: 0 inserted, 15 already present',
    ]);

    const userDocs = await users.collection(USERS_COLLECTION).find().toArray();
    expect(userDocs).toHaveLength(5);
    for (const user of userDocs) {
      expect(user).toMatchObject({
        version: 1,
        published: true,
        event: { type: 'user.created', producer: 'user-v1' },
      });
      expect(user.userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-/);
    }

    const claims = await users.collection(EMAIL_CLAIMS_COLLECTION).find().toArray();
    const emailOwners = SEED_USERS.flatMap((user) =>
      user.emails.map((email) => ({ _id: email, userId: user.userId })),
    );
    expect(claims).toHaveLength(emailOwners.length);
    expect(claims).toEqual(
      expect.arrayContaining(emailOwners.map((owner): unknown => expect.objectContaining(owner))),
    );

    const projections = await orders.collection(USER_PROJECTIONS_COLLECTION).find().toArray();
    expect(projections).toHaveLength(5);
    for (const user of SEED_USERS) {
      expect(projections).toContainEqual(
        expect.objectContaining({
          _id: user.userId,
          version: 1,
          emails: user.emails,
          deliveryAddress: user.deliveryAddress,
        }),
      );
    }

    const orderDocs = await orders
      .collection<OrderRecord>(ORDERS_COLLECTION)
      .find({}, { projection: { _id: 0 } })
      .toArray();
    expect(orderDocs).toHaveLength(15);
    for (const order of orderDocs) {
      expect(order.items.length).toBeGreaterThanOrEqual(1);
      expect(order.items.length).toBeLessThanOrEqual(3);
      expect(order.totalPrice).toBe(totalPriceOf(order.items));
      const user = SEED_USERS.find((candidate) => candidate.userId === order.userId);
      expect(order).toMatchObject({
        userEmails: user?.emails,
        deliveryAddress: user?.deliveryAddress,
        userVersion: 1,
      });
    }
    for (const status of ORDER_STATUSES) {
      expect(orderDocs.filter((order) => order.orderStatus === status)).toHaveLength(5);
    }
  });
});

describe('ops db:setup on orders set up before orders were keyed by their orderId', () => {
  let ops: OpsTestEnv;
  let orders: Connection;

  beforeAll(async () => {
    ops = opsTestEnv('ops-setup-older');
    orders = (await ops.databases()).orders;
    await setUpOrdersAsOlderRelease(orders.db!);
  });

  afterAll(async () => {
    await ops.cleanup();
  });

  const orderIdIndex = async (): Promise<Document | undefined> => {
    const indexes: Document[] = await orders.collection(ORDERS_COLLECTION).listIndexes().toArray();
    return indexes.find((index) => index.name === 'orderId_1');
  };

  it('rebuilds the unique orderId_1 as the plain index the schema declares, once, and says so', async () => {
    expect(await orderIdIndex()).toMatchObject({ key: { orderId: 1 }, unique: true });
    // The older release's seed: db:seed finds it by orderId, whatever its `_id`.
    const [seeded] = SEED_ORDERS;
    const { _id: olderSeedId } = await insertOlderOrder(orders.db!, seeded);

    const first = await ops.run(['db:setup', '--seed']);

    expect(first.code).toBe(0);
    const ordersLine = first.stdout.find((line) => line.includes(`.${ORDERS_COLLECTION}:`));
    expect(ordersLine).toMatch(
      /: already present[^;]*; index orderId_1 \{"orderId":1\} \{"unique":true\} rebuilt as orderId_1 \{"orderId":1\}; indexes ensured$/,
    );
    expect(first.stdout.filter((line) => line.includes('rebuilt'))).toEqual([ordersLine]);
    expect(first.stdout).toContain('db:seed: orders: 14 inserted, 1 already present');
    const index = await orderIdIndex();
    expect(index).toMatchObject({ key: { orderId: 1 } });
    expect(index?.unique).toBeUndefined();
    await expectSchemaIndexes(orders, ORDERS_DATABASE_COLLECTIONS);
    const stored = orders.collection(ORDERS_COLLECTION);
    expect(await stored.countDocuments({ orderId: seeded.orderId })).toBe(1);
    expect((await stored.findOne({ orderId: seeded.orderId }))?._id).toEqual(olderSeedId);
    // The orders the seed inserted now are keyed by their orderId.
    const [, newer] = SEED_ORDERS;
    expect((await stored.findOne({ orderId: newer.orderId }))?._id).toBe(newer.orderId);

    const second = await ops.run(['db:setup']);
    expect(second.code).toBe(0);
    for (const line of second.stdout)
      expect(line).toMatch(/: already present[^;]*; indexes ensured$/);
  });

  it('leaves an older order (ObjectId `_id`) readable, listed and updated by the repository', async () => {
    const repository = new OrdersRepository(orders.model(Order.name, OrderSchema));
    const userId = randomUUID();
    const older = await insertOlderOrder(orders.db!, { userId });
    expect(older._id).toBeInstanceOf(Types.ObjectId);

    expect(await repository.exists(older.orderId)).toBe(true);
    const { _id, ...record } = older;
    expect(await repository.findByOrderId(older.orderId)).toEqual(record);
    expect(await repository.insertIfAbsent(record)).toBe(false);
    expect(await repository.list({ userId }, undefined, 10)).toEqual([record]);

    const address = { ...record.deliveryAddress, street: '2 Newer St' };
    const changed = await repository.applyUserState(
      { userId, version: 2, emails: ['newer@example.com'], deliveryAddress: address },
      ['under process', 'shipping'],
      new Date(),
    );
    expect(changed).toBe(1);
    const moved = await repository.updateStatusIfCurrent(
      older.orderId,
      'under process',
      'shipping',
      new Date(),
    );
    expect(moved).toMatchObject({
      orderId: older.orderId,
      orderStatus: 'shipping',
      userVersion: 2,
      userEmails: ['newer@example.com'],
      deliveryAddress: address,
    });
    const stored = await orders.collection(ORDERS_COLLECTION).find({ userId }).toArray();
    expect(stored.map((order) => String(order._id))).toEqual([String(_id)]);
  });
});
