/** Moving an order through its statuses: forward only, also under concurrent updates. */
import { randomUUID } from 'node:crypto';
import { ProblemType } from '@aware/common';
import type { OrderDto } from '@aware/contracts';
import { OrderProblemType } from '../src/orders/order-problems';
import {
  errorFields,
  expectProblem,
  expectPublicOrder,
  sleep,
  startOrdersApi,
} from './orders-test-support';

describe('Order service: /orders (docs/api.md)', () => {
  const { get, putStatus, createOrder } = startOrdersApi();

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
});
