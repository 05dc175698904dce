import { randomUUID } from 'node:crypto';
import { getConnectionToken } from '@nestjs/mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Connection } from 'mongoose';
import {
  PACKAGE_VERSION,
  PROBLEM_CONTENT_TYPE,
  ProblemType,
  type ProblemDetails,
} from '@aware/common';
import type { OrderDto } from '@aware/contracts';
import { ORDERS_COLLECTION } from '@aware/database';
import { anAddress } from '../../../test/support/fixtures';
import { startTestApp, type TestApp } from '../../../test/support/test-app';
import { ORDER, orderModule } from '../src/app.module';
import { OrderProblemType } from '../src/orders/order-problems';

const ADDRESS = anAddress();
const OTHER_ADDRESS = anAddress({ street: '2 Elm St', city: 'Shelbyville', postalCode: '62565' });

const ORDER_KEYS = [
  'orderId',
  'userId',
  'items',
  'totalPrice',
  'userEmails',
  'deliveryAddress',
  'orderStatus',
  'createdAt',
  'updatedAt',
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface OrderBody {
  items?: unknown;
  userId?: unknown;
  userEmails?: unknown;
  deliveryAddress?: unknown;
  orderStatus?: unknown;
  [field: string]: unknown;
}

function orderBody(overrides: OrderBody = {}): OrderBody {
  return {
    items: [{ itemId: 'sku-1', quantity: 2, price: 9.99 }],
    userEmails: ['ada@example.com'],
    deliveryAddress: ADDRESS,
    ...overrides,
  };
}

/** The public shape only: no `_id`, `__v`, `userVersion` or other storage fields, anywhere. */
function expectPublicOrder(order: OrderDto): void {
  for (const key of Object.keys(order)) expect(ORDER_KEYS).toContain(key);
  expect(order.orderId).toMatch(UUID_V4);
  for (const item of order.items)
    expect(Object.keys(item).sort()).toEqual(['itemId', 'price', 'quantity']);
  expect(Object.keys(order.deliveryAddress).sort()).toEqual(Object.keys(ADDRESS).sort());
  expect(order.createdAt).toMatch(ISO_UTC);
  expect(order.updatedAt).toMatch(ISO_UTC);
}

function expectProblem(
  response: LightMyRequestResponse,
  status: number,
  type: string = ProblemType.validation,
): ProblemDetails {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
  const problem = response.json<ProblemDetails>();
  expect(problem).toMatchObject({ type, status, title: expect.any(String) });
  expect(typeof problem.detail).toBe('string');
  expect(response.body).not.toMatch(/\bat .+\.(ts|js):\d+/); // never a stack trace
  return problem;
}

function errorFields(problem: ProblemDetails): string[] {
  return (problem.errors ?? []).map((error) => error.field);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('Order service: /orders (docs/api.md)', () => {
  let testApp: TestApp;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    testApp = await startTestApp(ORDER, orderModule);
    app = testApp.app;
  });

  afterAll(async () => {
    await testApp.close();
  });

  const request = (options: InjectOptions): Promise<LightMyRequestResponse> => app.inject(options);
  const post = (payload: unknown, url = '/orders'): Promise<LightMyRequestResponse> =>
    request({ method: 'POST', url, payload: payload as InjectOptions['payload'] });
  const get = (url: string): Promise<LightMyRequestResponse> => request({ method: 'GET', url });
  const putStatus = (orderId: string, payload: unknown): Promise<LightMyRequestResponse> =>
    request({
      method: 'PUT',
      url: `/orders/${orderId}/status`,
      payload: payload as InjectOptions['payload'],
    });
  const putDetails = (orderId: string, payload: unknown): Promise<LightMyRequestResponse> =>
    request({
      method: 'PUT',
      url: `/orders/${orderId}/details`,
      payload: payload as InjectOptions['payload'],
    });

  async function createOrder(overrides: OrderBody = {}): Promise<OrderDto> {
    const response = await post(orderBody(overrides));
    expect(response.statusCode).toBe(201);
    return response.json<OrderDto>();
  }

  /** Follows `Link: <…>; rel="next"` from `url` to the end; every page's orders in order. */
  async function walkPages(url: string): Promise<{ orders: OrderDto[]; pages: number }> {
    const orders: OrderDto[] = [];
    let next: string | undefined = url;
    let pages = 0;
    while (next !== undefined) {
      const response = await get(next);
      expect(response.statusCode).toBe(200);
      orders.push(...response.json<OrderDto[]>());
      pages += 1;
      const link = response.headers.link;
      next = typeof link === 'string' ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
      if (typeof link === 'string') expect(next).toBeDefined();
    }
    return { orders, pages };
  }

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

    it('refuses quantities and prices past the limits that keep totals exact', async () => {
      const quantity = await post(
        orderBody({ items: [{ itemId: 'a', quantity: 10_001, price: 1 }] }),
      );
      expect(errorFields(expectProblem(quantity, 400))).toEqual(['items[0].quantity']);
      const price = await post(
        orderBody({ items: [{ itemId: 'a', quantity: 1, price: 1_000_000.01 }] }),
      );
      expect(errorFields(expectProblem(price, 400))).toEqual(['items[0].price']);
    });

    it('names the type when a value has the wrong type', async () => {
      const response = await post(orderBody({ items: [{ itemId: 5, quantity: '2', price: 1 }] }));
      const problem = expectProblem(response, 400);
      expect(problem.errors).toEqual(
        expect.arrayContaining([
          { field: 'items[0].itemId', message: 'itemId must be a string' },
          { field: 'items[0].quantity', message: 'quantity must be an integer number' },
        ]),
      );
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
      const stored = await app
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
      const collection = app.get<Connection>(getConnectionToken()).collection(ORDERS_COLLECTION);
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
      expect(indexes.find((index) => index.key.orderId === 1 && !index.key.createdAt)?.unique).toBe(
        true,
      );
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

    it('requires userEmails and deliveryAddress when userId names no known user', async () => {
      const noEmails = await post(orderBody({ userEmails: undefined }));
      const problem = expectProblem(noEmails, 400);
      expect(problem.errors).toEqual([
        {
          field: 'userEmails',
          message: 'userEmails is required unless userId names a user known to the order service',
        },
      ]);

      const noAddress = await post(orderBody({ userId: randomUUID(), deliveryAddress: undefined }));
      expect(errorFields(expectProblem(noAddress, 400))).toEqual(['deliveryAddress']);

      const neither = await post({ items: [{ itemId: 'a', quantity: 1, price: 1 }] });
      expect(errorFields(expectProblem(neither, 400))).toEqual(['userEmails', 'deliveryAddress']);
    });

    it.each([
      { rule: 'missing', field: 'items', items: undefined },
      { rule: 'empty', field: 'items', items: [] },
      {
        rule: 'over 100',
        field: 'items',
        items: Array.from({ length: 101 }, (_, i) => ({ itemId: `i${i}`, quantity: 1, price: 1 })),
      },
      { rule: 'not an array', field: 'items', items: { itemId: 'a', quantity: 1, price: 1 } },
      { rule: 'an item that is not an object', field: 'items', items: ['sku-1'] },
      { rule: 'an item that is null', field: 'items', items: [null] },
      {
        rule: 'quantity 0',
        field: 'items[0].quantity',
        items: [{ itemId: 'a', quantity: 0, price: 1 }],
      },
      {
        rule: 'quantity 1.5',
        field: 'items[0].quantity',
        items: [{ itemId: 'a', quantity: 1.5, price: 1 }],
      },
      {
        rule: 'quantity as a string',
        field: 'items[0].quantity',
        items: [{ itemId: 'a', quantity: '2', price: 1 }],
      },
      {
        rule: 'negative price',
        field: 'items[0].price',
        items: [{ itemId: 'a', quantity: 1, price: -0.01 }],
      },
      {
        rule: 'price with 3 decimals',
        field: 'items[0].price',
        items: [{ itemId: 'a', quantity: 1, price: 1.005 }],
      },
      {
        rule: 'price as a string',
        field: 'items[0].price',
        items: [{ itemId: 'a', quantity: 1, price: '1.00' }],
      },
      {
        rule: 'empty itemId',
        field: 'items[0].itemId',
        items: [{ itemId: '', quantity: 1, price: 1 }],
      },
      { rule: 'missing itemId', field: 'items[0].itemId', items: [{ quantity: 1, price: 1 }] },
      {
        rule: 'unknown item field',
        field: 'items[0].color',
        items: [{ itemId: 'a', quantity: 1, price: 1, color: 'red' }],
      },
      {
        rule: 'an invalid second item',
        field: 'items[1].quantity',
        items: [
          { itemId: 'a', quantity: 1, price: 1 },
          { itemId: 'b', quantity: -1, price: 1 },
        ],
      },
    ])('rejects items: $rule → 400 naming $field', async ({ items, field }) => {
      const response = await post(orderBody({ items }));
      expect(errorFields(expectProblem(response, 400))).toContain(field);
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

    it('rejects a client-sent orderId, timestamps and unknown fields with field errors', async () => {
      const withId = await post(orderBody({ orderId: randomUUID() }));
      expect(expectProblem(withId, 400).errors).toEqual([
        { field: 'orderId', message: 'property orderId should not exist' },
      ]);
      const withTimestamps = await post(orderBody({ createdAt: new Date().toISOString() }));
      expect(errorFields(expectProblem(withTimestamps, 400))).toEqual(['createdAt']);
      const withTotal = await post(orderBody({ totalPrice: 1 }));
      expect(errorFields(expectProblem(withTotal, 400))).toEqual(['totalPrice']);
      const unknown = await post(orderBody({ foo: 'bar' }));
      expect(expectProblem(unknown, 400).errors).toEqual([
        { field: 'foo', message: 'property foo should not exist' },
      ]);
    });

    it('answers with and without a trailing slash', async () => {
      const response = await post(orderBody(), '/orders/');
      expect(response.statusCode).toBe(201);
      expectPublicOrder(response.json<OrderDto>());
    });

    it('accepts JSON only: malformed JSON → 400, other media types → 415, over 64 KiB → 413', async () => {
      const malformed = await request({
        method: 'POST',
        url: '/orders',
        headers: { 'content-type': 'application/json' },
        payload: '{"items": [',
      });
      expectProblem(malformed, 400, ProblemType.malformedJson);

      const text = await request({
        method: 'POST',
        url: '/orders',
        headers: { 'content-type': 'text/plain' },
        payload: JSON.stringify(orderBody()),
      });
      expectProblem(text, 415, ProblemType.unsupportedMediaType);

      const notObject = await post([orderBody()]);
      expect(errorFields(expectProblem(notObject, 400))).toEqual(['(body)']);

      const huge = await post(orderBody({ note: 'x'.repeat(70 * 1024) }));
      expectProblem(huge, 413, ProblemType.payloadTooLarge);
    });
  });

  describe('GET /orders/:orderId', () => {
    it('returns the order as created', async () => {
      const created = await createOrder({ userId: randomUUID() });
      const response = await get(`/orders/${created.orderId}`);
      expect(response.statusCode).toBe(200);
      const order = response.json<OrderDto>();
      expectPublicOrder(order);
      expect(order).toEqual(created);
    });

    it('answers 404 for any id that names no order, whatever its shape', async () => {
      for (const id of [randomUUID(), 'o1', 'nope', 'o'.repeat(65), 'bad%20id']) {
        expectProblem(await get(`/orders/${id}`), 404, ProblemType.notFound);
      }
    });
  });

  describe('GET /orders', () => {
    it('answers a plain JSON array of public orders, with and without a trailing slash', async () => {
      await createOrder();
      for (const url of ['/orders', '/orders/']) {
        const response = await get(url);
        expect(response.statusCode).toBe(200);
        const orders = response.json<OrderDto[]>();
        expect(Array.isArray(orders)).toBe(true);
        expect(orders.length).toBeGreaterThan(0);
        orders.forEach(expectPublicOrder);
      }
    });

    it('filters by status and by userId', async () => {
      const userId = randomUUID();
      const shipping = await createOrder({ userId, orderStatus: 'shipping' });
      const underProcess = await createOrder({ userId });
      const otherUser = await createOrder({ userId: randomUUID(), orderStatus: 'shipping' });

      const byStatus = (await get('/orders?status=shipping&limit=1000')).json<OrderDto[]>();
      expect(byStatus.every((order) => order.orderStatus === 'shipping')).toBe(true);
      expect(byStatus.map((order) => order.orderId)).toEqual(
        expect.arrayContaining([shipping.orderId, otherUser.orderId]),
      );

      const byUser = (await get(`/orders?userId=${userId}`)).json<OrderDto[]>();
      expect(byUser.map((order) => order.orderId)).toEqual([
        shipping.orderId,
        underProcess.orderId,
      ]);

      const both = (
        await get(`/orders?userId=${userId}&status=${encodeURIComponent('under process')}`)
      ).json<OrderDto[]>();
      expect(both.map((order) => order.orderId)).toEqual([underProcess.orderId]);

      expect((await get(`/orders?userId=${randomUUID()}`)).json()).toEqual([]);
    });

    it.each([
      ['an unknown status', 'status=lost', 'status'],
      ['a repeated status', 'status=shipping&status=delivered', 'status'],
      ['a userId that could never be an id', 'userId=a%20b', 'userId'],
      ['a userId over 64 characters', `userId=${'u'.repeat(65)}`, 'userId'],
      ['limit in hex', 'limit=0x10', 'limit'],
      ['limit in exponent notation', 'limit=1e2', 'limit'],
      ['limit 0', 'limit=0', 'limit'],
      ['limit 1001', 'limit=1001', 'limit'],
      ['limit abc', 'limit=abc', 'limit'],
      ['limit 1.5', 'limit=1.5', 'limit'],
      ['an unknown parameter', 'sort=desc', 'sort'],
      ['an operator in a key', 'status[$ne]=delivered', 'status[$ne]'],
      ['a cursor that is not base64url', 'after=!!', 'after'],
      ['a cursor that is not JSON', `after=${Buffer.from('nope').toString('base64url')}`, 'after'],
      [
        'a cursor of the wrong shape',
        `after=${Buffer.from(JSON.stringify({ createdAt: 'yesterday', orderId: 'x' })).toString('base64url')}`,
        'after',
      ],
      [
        'a cursor with an operator',
        `after=${Buffer.from(JSON.stringify({ createdAt: { $gt: '' }, orderId: randomUUID() })).toString('base64url')}`,
        'after',
      ],
    ])('rejects %s with 400 naming the parameter', async (_case, search, field) => {
      const problem = expectProblem(await get(`/orders?${search}`), 400);
      expect(errorFields(problem)).toEqual([field]);
    });

    it('pages 100 by default and up to 1000', async () => {
      const userId = randomUUID();
      for (let i = 0; i < 101; i += 1) {
        await post(orderBody({ userId, items: [{ itemId: `i${i}`, quantity: 1, price: 1 }] }));
      }
      const first = await get(`/orders?userId=${userId}`);
      expect(first.json<OrderDto[]>()).toHaveLength(100);
      expect(first.headers.link).toMatch(/rel="next"$/);
      const all = await get(`/orders?userId=${userId}&limit=1000`);
      expect(all.json<OrderDto[]>()).toHaveLength(101);
      expect(all.headers.link).toBeUndefined();
    });

    it('walks every page via Link: each order exactly once, in a stable order, filters kept', async () => {
      const userId = randomUUID();
      const created: OrderDto[] = [];
      // Concurrent creates share milliseconds, so the orderId tie-break is exercised.
      for (let batch = 0; batch < 3; batch += 1) {
        created.push(
          ...(await Promise.all(Array.from({ length: 4 }, () => createOrder({ userId })))),
        );
      }
      const expected = [...created]
        .sort(
          (a, b) => a.createdAt.localeCompare(b.createdAt) || a.orderId.localeCompare(b.orderId),
        )
        .map((order) => order.orderId);

      const first = await get(`/orders?userId=${userId}&status=under%20process&limit=5`);
      const link = first.headers.link as string;
      expect(link).toMatch(/^<\/orders\?[^>]*after=[A-Za-z0-9_-]+>; rel="next"$/);
      expect(link).toContain(`userId=${userId}`);
      expect(link).toContain('status=under%20process');
      expect(link).toContain('limit=5');

      const walked = await walkPages(`/orders?userId=${userId}&status=under%20process&limit=5`);
      expect(walked.pages).toBe(3);
      expect(walked.orders.map((order) => order.orderId)).toEqual(expected);

      // A page size that divides the count exactly still ends without an empty trailing page.
      const exact = await walkPages(`/orders?userId=${userId}&limit=4`);
      expect(exact.orders.map((order) => order.orderId)).toEqual(expected);
      expect(exact.pages).toBe(3);
    });

    it('walks the unfiltered listing without gaps or repeats', async () => {
      const all = (await get('/orders?limit=1000')).json<OrderDto[]>();
      const walked = await walkPages('/orders?limit=7');
      expect(walked.orders.map((order) => order.orderId)).toEqual(
        all.map((order) => order.orderId),
      );
      expect(new Set(walked.orders.map((order) => order.orderId)).size).toBe(walked.orders.length);
      for (let i = 1; i < walked.orders.length; i += 1) {
        const [previous, current] = [walked.orders[i - 1], walked.orders[i]];
        expect(
          previous.createdAt < current.createdAt ||
            (previous.createdAt === current.createdAt && previous.orderId < current.orderId),
        ).toBe(true);
      }
    });
  });

  describe('PUT /orders/:orderId/status', () => {
    it('moves forward one step and updates updatedAt', async () => {
      const created = await createOrder();
      await sleep(5);
      const response = await putStatus(created.orderId, { orderStatus: 'shipping' });
      expect(response.statusCode).toBe(200);
      const order = response.json<OrderDto>();
      expectPublicOrder(order);
      expect(order).toEqual({ ...created, orderStatus: 'shipping', updatedAt: order.updatedAt });
      expect(Date.parse(order.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
      expect((await get(`/orders/${created.orderId}`)).json<OrderDto>()).toEqual(order);
    });

    it('allows skipping a step (under process → delivered)', async () => {
      const created = await createOrder();
      const response = await putStatus(created.orderId, { orderStatus: 'delivered' });
      expect(response.statusCode).toBe(200);
      expect(response.json<OrderDto>().orderStatus).toBe('delivered');
    });

    it('answers the same status with 200 and changes nothing, updatedAt included', async () => {
      const created = await createOrder({ orderStatus: 'shipping' });
      await sleep(5);
      const response = await putStatus(created.orderId, { orderStatus: 'shipping' });
      expect(response.statusCode).toBe(200);
      expect(response.json<OrderDto>()).toEqual(created);
      expect((await get(`/orders/${created.orderId}`)).json<OrderDto>()).toEqual(created);
    });

    it('refuses a backward move with 409 and keeps the status', async () => {
      const created = await createOrder({ orderStatus: 'delivered' });
      for (const orderStatus of ['shipping', 'under process']) {
        const response = await putStatus(created.orderId, { orderStatus });
        expectProblem(response, 409, OrderProblemType.invalidTransition);
      }
      const shipping = await createOrder({ orderStatus: 'shipping' });
      const back = await putStatus(shipping.orderId, { orderStatus: 'under process' });
      expectProblem(back, 409, OrderProblemType.invalidTransition);
      expect((await get(`/orders/${shipping.orderId}`)).json<OrderDto>()).toEqual(shipping);
    });

    it('never moves back under concurrent updates', async () => {
      for (let round = 0; round < 5; round += 1) {
        const created = await createOrder();
        const targets = ['shipping', 'delivered', 'shipping', 'delivered', 'shipping', 'shipping'];
        const responses = await Promise.all(
          targets.map((orderStatus) => putStatus(created.orderId, { orderStatus })),
        );
        responses.forEach((response, i) => {
          if (response.statusCode === 200) {
            expect(response.json<OrderDto>().orderStatus).toBe(targets[i]);
          } else {
            expect(targets[i]).toBe('shipping');
            expectProblem(response, 409, OrderProblemType.invalidTransition);
          }
        });
        expect((await get(`/orders/${created.orderId}`)).json<OrderDto>().orderStatus).toBe(
          'delivered',
        );
      }
    });

    it('answers 404 for an unknown order, whatever its id looks like, and 400 for a bad status or body', async () => {
      for (const id of [randomUUID(), 'nope', 'no%20such']) {
        expectProblem(await putStatus(id, { orderStatus: 'shipping' }), 404, ProblemType.notFound);
      }
      const created = await createOrder();
      for (const body of [
        { orderStatus: 'lost' },
        { orderStatus: 'SHIPPING' },
        {},
        { orderStatus: 2 },
      ]) {
        const problem = expectProblem(await putStatus(created.orderId, body), 400);
        expect(errorFields(problem)).toEqual(['orderStatus']);
      }
      const extra = await putStatus(created.orderId, {
        orderStatus: 'shipping',
        userEmails: ['a@b.co'],
      });
      expect(errorFields(expectProblem(extra, 400))).toEqual(['userEmails']);
      expect((await get(`/orders/${created.orderId}`)).json<OrderDto>()).toEqual(created);
    });
  });

  describe('PUT /orders/:orderId/details', () => {
    it('changes the emails only, normalised, and keeps the address', async () => {
      const created = await createOrder();
      await sleep(5);
      const response = await putDetails(created.orderId, { userEmails: [' New@Example.com '] });
      expect(response.statusCode).toBe(200);
      const order = response.json<OrderDto>();
      expectPublicOrder(order);
      expect(order).toEqual({
        ...created,
        userEmails: ['new@example.com'],
        updatedAt: order.updatedAt,
      });
      expect(Date.parse(order.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    });

    it('changes the address only, or both, on a shipping order', async () => {
      const created = await createOrder({ orderStatus: 'shipping' });
      const address = await putDetails(created.orderId, { deliveryAddress: OTHER_ADDRESS });
      expect(address.statusCode).toBe(200);
      expect(address.json<OrderDto>()).toMatchObject({
        userEmails: created.userEmails,
        deliveryAddress: OTHER_ADDRESS,
      });

      const both = await putDetails(created.orderId, {
        userEmails: ['x@example.com', 'y@example.com'],
        deliveryAddress: ADDRESS,
      });
      expect(both.json<OrderDto>()).toMatchObject({
        userEmails: ['x@example.com', 'y@example.com'],
        deliveryAddress: ADDRESS,
        orderStatus: 'shipping',
      });
      expect((await get(`/orders/${created.orderId}`)).json<OrderDto>()).toEqual(both.json());
    });

    it('answers a change to the current values with 200 and leaves updatedAt alone', async () => {
      const created = await createOrder();
      await sleep(5);
      const response = await putDetails(created.orderId, {
        userEmails: ['ADA@example.com'],
        deliveryAddress: ADDRESS,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json<OrderDto>()).toEqual(created);
    });

    it('needs at least one field and refuses any other field', async () => {
      const created = await createOrder();
      const neither = expectProblem(await putDetails(created.orderId, {}), 400);
      expect(errorFields(neither)).toEqual(['(body)']);
      for (const field of ['orderStatus', 'items', 'userId', 'totalPrice']) {
        const response = await putDetails(created.orderId, {
          userEmails: ['b@example.com'],
          [field]: field === 'orderStatus' ? 'shipping' : 1,
        });
        expect(errorFields(expectProblem(response, 400))).toEqual([field]);
      }
      const invalid = await putDetails(created.orderId, { userEmails: ['nope'] });
      expect(errorFields(expectProblem(invalid, 400))).toEqual(['userEmails']);
      expect((await get(`/orders/${created.orderId}`)).json<OrderDto>()).toEqual(created);
    });

    it('refuses to change a delivered order with 409', async () => {
      const created = await createOrder();
      await putStatus(created.orderId, { orderStatus: 'delivered' });
      const response = await putDetails(created.orderId, { deliveryAddress: OTHER_ADDRESS });
      expectProblem(response, 409, OrderProblemType.orderDelivered);
      expect((await get(`/orders/${created.orderId}`)).json<OrderDto>().deliveryAddress).toEqual(
        ADDRESS,
      );
    });

    it('never changes an order delivered concurrently', async () => {
      for (let round = 0; round < 5; round += 1) {
        const created = await createOrder();
        const [details, status] = await Promise.all([
          putDetails(created.orderId, { deliveryAddress: OTHER_ADDRESS }),
          putStatus(created.orderId, { orderStatus: 'delivered' }),
        ]);
        expect(status.statusCode).toBe(200);
        const final = (await get(`/orders/${created.orderId}`)).json<OrderDto>();
        if (details.statusCode === 200) {
          // The details landed first; the delivered order keeps them.
          expect(final.deliveryAddress).toEqual(OTHER_ADDRESS);
        } else {
          expectProblem(details, 409, OrderProblemType.orderDelivered);
          expect(final.deliveryAddress).toEqual(ADDRESS);
        }
      }
    });

    it('answers 404 for any id that names no order, whatever its shape', async () => {
      for (const id of [randomUUID(), '123', 'no%20such']) {
        expectProblem(
          await putDetails(id, { userEmails: ['a@example.com'] }),
          404,
          ProblemType.notFound,
        );
      }
    });
  });

  describe('headers on every response (docs/api.md)', () => {
    const serviceVersion = `order/${PACKAGE_VERSION}`;

    it('sends X-Service-Version and echoes X-Request-ID on success and on errors', async () => {
      const success = await request({
        method: 'POST',
        url: '/orders',
        headers: { 'x-request-id': 'req-order-1' },
        payload: orderBody(),
      });
      expect(success.statusCode).toBe(201);
      expect(success.headers['x-service-version']).toBe(serviceVersion);
      expect(success.headers['x-request-id']).toBe('req-order-1');

      const failure = await request({
        method: 'GET',
        url: `/orders/${randomUUID()}`,
        headers: { 'x-request-id': 'req-order-2' },
      });
      expect(failure.statusCode).toBe(404);
      expect(failure.headers['x-service-version']).toBe(serviceVersion);
      expect(failure.headers['x-request-id']).toBe('req-order-2');
    });

    it('generates X-Request-ID when none (or an unsafe one) is sent', async () => {
      for (const response of [
        await get('/orders?limit=1'),
        await post({ items: [] }),
        await request({
          method: 'GET',
          url: '/orders?limit=1',
          headers: { 'x-request-id': 'a b<c>' },
        }),
      ]) {
        expect(response.headers['x-service-version']).toBe(serviceVersion);
        expect(response.headers['x-request-id']).toMatch(UUID_V4);
      }
    });
  });

  describe('hostile input (docs/reliability.md): 4xx only, and the service keeps answering', () => {
    const rawPost = (payload: string): Promise<LightMyRequestResponse> =>
      request({
        method: 'POST',
        url: '/orders',
        headers: { 'content-type': 'application/json' },
        payload,
      });

    it.each([
      ['an operator as items', () => post({ ...orderBody(), items: { $gt: '' } })],
      [
        'an operator as a quantity',
        () => post(orderBody({ items: [{ itemId: 'a', quantity: { $gt: 0 }, price: 1 }] })),
      ],
      ['an operator as userId', () => post(orderBody({ userId: { $ne: null } }))],
      ['a $where key', () => post({ ...orderBody(), $where: 'sleep(1000)' })],
      ['a dotted key', () => post({ ...orderBody(), 'deliveryAddress.city': 'x' })],
      [
        'a __proto__ key',
        () =>
          rawPost(
            `{"__proto__":{"polluted":true},"items":[{"itemId":"a","quantity":1,"price":1}]}`,
          ),
      ],
      [
        'a constructor.prototype key',
        () =>
          rawPost(
            `{"constructor":{"prototype":{"polluted":true}},"items":[{"itemId":"a","quantity":1,"price":1}]}`,
          ),
      ],
      [
        'a huge items array',
        () => post(orderBody({ items: Array.from({ length: 20_000 }, () => 1) })),
      ],
      [
        'a large emails array',
        () => post(orderBody({ userEmails: Array.from({ length: 3_000 }, (_, i) => `${i}@x.co`) })),
      ],
      ['deeply nested JSON', () => rawPost(`${'['.repeat(5_000)}${']'.repeat(5_000)}`)],
      ['a null body', () => rawPost('null')],
      ['a string body', () => rawPost('"orders"')],
      ['an operator as the status', () => putStatus(randomUUID(), { orderStatus: { $gt: '' } })],
      [
        'an operator in the details',
        () => putDetails(randomUUID(), { deliveryAddress: { $set: { city: 'x' } } }),
      ],
    ])('refuses %s with a 4xx problem', async (_case, send) => {
      const response = await send();
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
    });

    it('has not polluted any prototype and still serves requests', async () => {
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await get('/health')).statusCode).toBe(200);
      const created = await createOrder();
      expect((await get(`/orders/${created.orderId}`)).statusCode).toBe(200);
    });
  });
});
