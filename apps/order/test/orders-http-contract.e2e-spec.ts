/** What every /orders response carries, and how hostile input is answered. */
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { PACKAGE_VERSION, PROBLEM_CONTENT_TYPE } from '@aware/common';
import { orderBody, startOrdersApi, UUID_V4 } from './orders-test-support';

describe('Order service: /orders (docs/api.md)', () => {
  const { request, get, post, putStatus, putDetails, createOrder } = startOrdersApi();

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
