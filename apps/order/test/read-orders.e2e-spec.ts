/** Reading orders: one by its id, and the filtered listing paged by `Link` headers. */
import { randomUUID } from 'node:crypto';
import { ProblemType } from '@aware/common';
import type { OrderDto } from '@aware/contracts';
import {
  errorFields,
  expectProblem,
  expectPublicOrder,
  orderBody,
  startOrdersApi,
} from './orders-test-support';

describe('Order service: /orders (docs/api.md)', () => {
  const { get, post, createOrder } = startOrdersApi();

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
});
