/** Creating an order: what a valid body stores and answers, and how the service normalises it. */
import { randomUUID } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { OrderDto } from '@aware/contracts';
import {
  DUPLICATE_KEY,
  ORDERS_COLLECTION,
  OrdersRepository,
  type OrderRecord,
} from '@aware/database';
import {
  ADDRESS,
  errorFields,
  expectProblem,
  expectPublicOrder,
  orderBody,
  startOrdersApi,
} from './orders-test-support';

describe('Order service: /orders (docs/api.md)', () => {
  const { app, post, createOrder } = startOrdersApi();

  describe('POST /orders', () => {
    it('creates an order: 201, server-set id and timestamps, Location, public shape', async () => {
      const before = Date.now();
      const response = await post(orderBody());
      expect(response.statusCode).toBe(201);
      expect(response.headers['content-type']).toContain('application/json');
      const order = response.json<OrderDto>();
      expectPublicOrder(order);
      expect(order).toEqual({
        orderId: expect.any(String),
        items: [{ itemId: 'sku-1', quantity: 2, price: 9.99 }],
        totalPrice: 19.98,
        userEmails: ['ada@example.com'],
        deliveryAddress: ADDRESS,
        orderStatus: 'under process',
        createdAt: order.createdAt,
        updatedAt: order.createdAt,
      });
      expect(Date.parse(order.createdAt)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(order.createdAt)).toBeLessThanOrEqual(Date.now());
      expect(response.headers.location).toBe(`/orders/${order.orderId}`);
    });

    it('computes totalPrice to the cent (3 × 0.10 + 1 × 19.99 = 20.29)', async () => {
      const order = await createOrder({
        items: [
          { itemId: 'a', quantity: 3, price: 0.1 },
          { itemId: 'b', quantity: 1, price: 19.99 },
        ],
      });
      expect(order.totalPrice).toBe(20.29);
      const large = await createOrder({
        items: Array.from({ length: 100 }, (_, index) => ({
          itemId: `c${index}`,
          quantity: 10_000,
          price: 999_999.99,
        })),
      });
      expect(large.totalPrice).toBe(999_999_990_000);
      const free = await createOrder({ items: [{ itemId: 'd', quantity: 5, price: 0 }] });
      expect(free.totalPrice).toBe(0);
    });

    it('keeps userId and a sent orderStatus; rejects an unknown status', async () => {
      const userId = randomUUID();
      const order = await createOrder({ userId, orderStatus: 'shipping' });
      expect(order.userId).toBe(userId);
      expect(order.orderStatus).toBe('shipping');

      const invalid = await post(orderBody({ orderStatus: 'lost' }));
      expect(errorFields(expectProblem(invalid, 400))).toEqual(['orderStatus']);
      const badUser = await post(orderBody({ userId: 'not an id' }));
      expect(errorFields(expectProblem(badUser, 400))).toEqual(['userId']);
      const longUser = await post(orderBody({ userId: 'u'.repeat(65) }));
      expect(errorFields(expectProblem(longUser, 400))).toEqual(['userId']);
      const legacyUser = await createOrder({ userId: 'u1' });
      expect(legacyUser.userId).toBe('u1');
    });

    it('stores userVersion 0 and Date timestamps internally, and never returns them raw', async () => {
      const order = await createOrder();
      const stored = await app()
        .get<Connection>(getConnectionToken())
        .collection(ORDERS_COLLECTION)
        .findOne({ orderId: order.orderId });
      expect(stored).toMatchObject({ userVersion: 0, totalPrice: 19.98 });
      expect(stored?.createdAt).toBeInstanceOf(Date);
      expect(stored?.updatedAt).toBeInstanceOf(Date);
      expect(order).not.toHaveProperty('userVersion');
      expect(order).not.toHaveProperty('_id');
    });

    it('creates the indexes listing and user sync rely on', async () => {
      const collection = app().get<Connection>(getConnectionToken()).collection(ORDERS_COLLECTION);
      const indexes = await collection.indexes();
      const keys = indexes.map((index) => JSON.stringify(index.key));
      expect(keys).toEqual(
        expect.arrayContaining([
          JSON.stringify({ orderId: 1 }),
          JSON.stringify({ createdAt: 1, orderId: 1 }),
          JSON.stringify({ orderStatus: 1, createdAt: 1, orderId: 1 }),
          JSON.stringify({ userId: 1, createdAt: 1, orderId: 1 }),
          JSON.stringify({ userId: 1, userVersion: 1 }),
        ]),
      );
      // Uniqueness is the `_id`'s (the orderId): no secondary index is unique.
      expect(indexes.filter((index) => index.unique)).toEqual([]);
    });

    it('stores the order under its orderId, so a second insert of it is refused', async () => {
      const order = await createOrder();
      const connection = app().get<Connection>(getConnectionToken());
      const orders = connection.collection(ORDERS_COLLECTION);
      const stored = await orders.findOne({ orderId: order.orderId });
      expect(stored?._id).toBe(order.orderId);

      // The engine refuses the duplicate key; the repository's idempotent insert says "present".
      const { _id, ...record } = stored!;
      await expect(orders.insertOne({ _id, ...record })).rejects.toMatchObject({
        code: DUPLICATE_KEY,
      });
      const repository = app().get(OrdersRepository);
      const again = record as unknown as OrderRecord;
      expect(await repository.insertIfAbsent(again)).toBe(false);
      expect(await orders.countDocuments({ orderId: order.orderId })).toBe(1);
    });

    it('takes two racing inserts of one orderId as one order', async () => {
      const repository = app().get(OrdersRepository);
      const order = await createOrder();
      const record: OrderRecord = {
        ...(await repository.findByOrderId(order.orderId))!,
        orderId: randomUUID(),
      };
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, () => repository.insertIfAbsent({ ...record })),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const orders = app().get<Connection>(getConnectionToken()).collection(ORDERS_COLLECTION);
      expect(await orders.find({ orderId: record.orderId }).toArray()).toEqual([
        expect.objectContaining({ _id: record.orderId, orderId: record.orderId }),
      ]);
    });

    it('normalises emails (trim, lower case) and rejects repeats, case-insensitively', async () => {
      const order = await createOrder({ userEmails: ['  Ada@Example.COM ', 'bob@example.com'] });
      expect(order.userEmails).toEqual(['ada@example.com', 'bob@example.com']);

      const repeated = await post(
        orderBody({ userEmails: ['ada@example.com', 'ADA@example.com'] }),
      );
      expect(errorFields(expectProblem(repeated, 400))).toEqual(['userEmails']);
      const invalid = await post(orderBody({ userEmails: ['not-an-email'] }));
      expect(errorFields(expectProblem(invalid, 400))).toEqual(['userEmails']);
      const empty = await post(orderBody({ userEmails: [] }));
      expect(errorFields(expectProblem(empty, 400))).toEqual(['userEmails']);
      const tooMany = await post(
        orderBody({ userEmails: Array.from({ length: 11 }, (_, i) => `u${i}@example.com`) }),
      );
      expect(errorFields(expectProblem(tooMany, 400))).toEqual(['userEmails']);
    });

    it('trims the address and rejects an incomplete or oversized one, naming the field', async () => {
      const order = await createOrder({ deliveryAddress: { ...ADDRESS, city: '  Springfield  ' } });
      expect(order.deliveryAddress.city).toBe('Springfield');

      const missingCity = await post(
        orderBody({ deliveryAddress: { ...ADDRESS, city: undefined } }),
      );
      expect(errorFields(expectProblem(missingCity, 400))).toEqual(['deliveryAddress.city']);
      const blank = await post(orderBody({ deliveryAddress: { ...ADDRESS, street: '   ' } }));
      expect(errorFields(expectProblem(blank, 400))).toEqual(['deliveryAddress.street']);
      const long = await post(
        orderBody({ deliveryAddress: { ...ADDRESS, state: 'x'.repeat(201) } }),
      );
      expect(errorFields(expectProblem(long, 400))).toEqual(['deliveryAddress.state']);
      const notObject = await post(orderBody({ deliveryAddress: 'Springfield' }));
      expect(errorFields(expectProblem(notObject, 400))).toEqual(['deliveryAddress']);
      const extra = await post(orderBody({ deliveryAddress: { ...ADDRESS, floor: '2' } }));
      expect(errorFields(expectProblem(extra, 400))).toEqual(['deliveryAddress.floor']);
    });

    it('accepts exactly 100 items', async () => {
      const items = Array.from({ length: 100 }, (_, i) => ({
        itemId: `i${i}`,
        quantity: 1,
        price: 0.01,
      }));
      const order = await createOrder({ items });
      expect(order.items).toHaveLength(100);
      expect(order.totalPrice).toBe(1);
    });

    it('answers with and without a trailing slash', async () => {
      const response = await post(orderBody(), '/orders/');
      expect(response.statusCode).toBe(201);
      expectPublicOrder(response.json<OrderDto>());
    });
  });
});
