/**
 * Orders stored before orders were keyed by their orderId (an ObjectId `_id`, a unique
 * `orderId_1`), once db:setup brought the database to the schema: the order service reads, lists,
 * changes and syncs them like the orders it stores now (docs/operations.md).
 */
import { randomUUID } from 'node:crypto';
import mongoose, { Types, type Connection } from 'mongoose';
import type { OrderDto } from '@aware/contracts';
import {
  ORDERS_COLLECTION,
  ORDERS_DATABASE_COLLECTIONS,
  setUpDatabase,
  type OrderRecord,
} from '@aware/database';
import { deleteTopology, throwawayTopologyPrefix } from '@aware/harness';
import { anAddress } from '../../../test/support/fixtures';
import { eventually } from '../../../test/support/http';
import { requiredEnv, throwawayMongoUri } from '../../../test/support/infra';
import { insertOlderOrder, setUpOrdersAsOlderRelease } from '../../../test/support/older-orders';
import { RawBroker, userEvent } from '../../../test/support/raw-broker';
import { startTestApp, type TestApp } from '../../../test/support/test-app';
import { ORDER, orderModule } from '../src/app.module';
import { expectPublicOrder, orderBody } from './orders-test-support';

describe('Order service: orders stored before orders were keyed by their orderId', () => {
  const userId = randomUUID();
  let prefix: string;
  let database: Connection;
  let service: TestApp | undefined;
  let broker: RawBroker | undefined;
  let older: OrderRecord & { _id: Types.ObjectId };

  beforeAll(async () => {
    const mongoUri = throwawayMongoUri('order-older');
    prefix = throwawayTopologyPrefix('order-older');
    // As db:setup opens it: collections and indexes are setup's to create.
    database = await mongoose
      .createConnection(mongoUri, { autoCreate: false, autoIndex: false })
      .asPromise();
    await setUpOrdersAsOlderRelease(database.db!);
    older = await insertOlderOrder(database.db!, { userId });

    const setup = await setUpDatabase(database, ORDERS_DATABASE_COLLECTIONS);

    expect(setup.find(({ collection }) => collection === ORDERS_COLLECTION)).toMatchObject({
      created: false,
      rebuiltIndexes: [
        { was: 'orderId_1 {"orderId":1} {"unique":true}', now: 'orderId_1 {"orderId":1}' },
      ],
    });
    service = await startTestApp(ORDER, orderModule, {
      MONGO_URI: mongoUri,
      AMQP_TOPOLOGY_PREFIX: prefix,
    });
    broker = await RawBroker.connect(requiredEnv('AMQP_URL'), prefix);
  });

  afterAll(async () => {
    await broker?.close();
    await service?.close();
    await database.dropDatabase();
    await database.close();
    await deleteTopology(prefix);
  });

  const request = async (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: object,
  ): Promise<{ status: number; body: unknown }> => {
    if (!service) throw new Error('the order service did not start');
    const response = await service.app.inject({ method, url, payload });
    return { status: response.statusCode, body: response.json() };
  };
  const getOrder = async (orderId: string): Promise<OrderDto> => {
    const { status, body } = await request('GET', `/orders/${orderId}`);
    expect(status).toBe(200);
    return body as OrderDto;
  };

  it('keeps its ObjectId `_id`, and GET /orders/{id} answers it in the public shape', async () => {
    const stored = await database.collection(ORDERS_COLLECTION).findOne({ orderId: older.orderId });
    expect(stored?._id).toBeInstanceOf(Types.ObjectId);

    const order = await getOrder(older.orderId);

    expectPublicOrder(order);
    expect(order).toEqual({
      orderId: older.orderId,
      userId,
      items: older.items,
      totalPrice: older.totalPrice,
      userEmails: older.userEmails,
      deliveryAddress: older.deliveryAddress,
      orderStatus: 'under process',
      createdAt: older.createdAt.toISOString(),
      updatedAt: older.updatedAt.toISOString(),
    });
  });

  it('lists it with a new order of its user (keyed by its orderId), in creation order', async () => {
    const created = await request('POST', '/orders', orderBody({ userId }));
    expect(created.status).toBe(201);
    const newer = created.body as OrderDto;
    const stored = await database.collection(ORDERS_COLLECTION).findOne({ orderId: newer.orderId });
    expect(stored?._id).toBe(newer.orderId);

    const { status, body } = await request('GET', `/orders?userId=${userId}`);

    expect(status).toBe(200);
    const orders = body as OrderDto[];
    expect(orders.map((order) => order.orderId)).toEqual([older.orderId, newer.orderId]);
  });

  it('takes a user event like every order of the user', async () => {
    const emails = [`older.${userId.slice(0, 8)}@example.com`];
    const deliveryAddress = anAddress({ street: '3 Synced St' });

    await broker!.publishEvent(userEvent(userId, 2, emails, deliveryAddress));

    const synced = await eventually('the older order takes the user event', async () => {
      const order = await getOrder(older.orderId);
      return order.userEmails[0] === emails[0] ? order : undefined;
    });
    expect(synced.deliveryAddress).toEqual(deliveryAddress);
    const { body } = await request('GET', `/orders?userId=${userId}`);
    for (const order of body as OrderDto[]) {
      expect(order).toMatchObject({ userEmails: emails, deliveryAddress });
    }
    const stored = await database.collection(ORDERS_COLLECTION).findOne({ orderId: older.orderId });
    expect(stored).toMatchObject({ userVersion: 2 });
  });

  it('moves its status and changes its details by orderId', async () => {
    const moved = await request('PUT', `/orders/${older.orderId}/status`, {
      orderStatus: 'shipping',
    });
    expect(moved).toMatchObject({ status: 200, body: { orderStatus: 'shipping' } });

    const changed = await request('PUT', `/orders/${older.orderId}/details`, {
      userEmails: ['changed.older@example.com'],
    });
    expect(changed).toMatchObject({
      status: 200,
      body: { orderId: older.orderId, userEmails: ['changed.older@example.com'] },
    });
    expect(await database.collection(ORDERS_COLLECTION).countDocuments({ userId })).toBe(2);
  });
});
